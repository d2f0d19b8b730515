"""The admins' models page: who may see it, versions and matrices, promote, roll back,
the retrain button and its progress, and this month's drift."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.retraining import StatusFile, retrain_lock
from bot.storage import CorrectionField
from models.files import METADATA_FILE
from models.registry import BUNDLED_DIR, ModelRegistry
from tests.dashboard.conftest import Dash

PAGE = "/staff/admin/models"
ADMIN = "admin@city.gov"


def retrain_summary(decision: str = "promoted") -> dict[str, Any]:
    """A ``metadata["retrain"]`` as ``civicvoice retrain`` writes it (figures made up)."""
    def report(macro: float, roads_f1: float) -> dict[str, Any]:
        return {"n": 120, "macro_f1": macro, "accuracy": macro + 0.05, "weighted_f1": macro,
                "per_area": {"roads": {"precision": 0.9, "recall": 0.8, "f1": roads_f1,
                                       "support": 40},
                             "waste": {"precision": 0.7, "recall": 0.75, "f1": 0.72,
                                       "support": 80}},
                "kind": {"n": 100, "macro_f1": 0.66, "accuracy": 0.7},
                "urgent": {"n": 100, "positives": 9, "precision": 0.8, "recall": 0.7,
                           "f1": 0.7467, "roc_auc": 0.9, "average_precision": 0.8}}

    return {"compared_with": "default", "decision": decision,
            "reason": f"{decision}: macro-F1 0.8123 vs current 0.7011",
            "held_out": {"rows": 120, "base_rows": 100, "correction_rows": 20},
            "candidate": report(0.8123, 0.84), "current": report(0.7011, 0.61),
            "base_slice": {"candidate": report(0.8, 0.8), "current": report(0.7, 0.6)},
            "labels_from_staff": 42}


def add_version(model_dir: Path, version: str, retrain: dict[str, Any] | None = None,
                status: str = "candidate") -> None:
    """Register a copy of the bundled model under another name (no training needed)."""
    folder = model_dir / "versions" / version
    shutil.copytree(BUNDLED_DIR, folder)
    meta = json.loads((folder / METADATA_FILE).read_text())
    meta.update(version=version, created_at="2030-01-01T00:00:00+00:00", labels_from_staff=42)
    if retrain is not None:
        meta["retrain"] = retrain
    (folder / METADATA_FILE).write_text(json.dumps(meta))
    ModelRegistry(model_dir).set_status(version, status, "test copy")


def model_dir(dash: Dash) -> Path:
    return Path(dash.client.app.state.services.settings.model_dir)  # type: ignore[attr-defined]


def test_admins_only(dash: Dash) -> None:
    assert dash.client.get(PAGE, follow_redirects=False).status_code == 303
    dash.login("roads@city.gov")
    assert "/staff/admin/models" not in dash.client.get("/staff").text  # no nav link
    assert dash.client.get(PAGE).status_code == 403
    assert dash.client.get(PAGE + "/retrain.json").status_code == 403
    token = dash.csrf("/staff")
    for action in ("retrain", "rollback", "promote"):
        response = dash.client.post(f"{PAGE}/{action}", data={"csrf_token": token,
                                                              "version": "x"})
        assert response.status_code == 403, action
    assert StatusFile(model_dir(dash)).read() is None  # nothing started


def test_page_shows_versions_matrices_and_comparison(dash: Dash) -> None:
    add_version(model_dir(dash), "2030-retrained", retrain_summary("rejected"), "rejected")
    dash.login(ADMIN)
    assert 'href="/staff/admin/models"' in dash.client.get("/staff").text
    page = dash.client.get(PAGE).text
    serving = dash.client.app.state.services.triage.version  # type: ignore[attr-defined]
    assert serving in page and "2030-retrained" in page and "rejected" in page
    assert page.count('<svg class="chart heatmap"') == 2  # one matrix per version
    assert "true Street lighting, predicted Street lighting: " in page  # cells in words
    assert "0.812 / 0.701" in page  # held-out candidate vs compared macro-F1
    assert "+0.230" in page and "urgent F1: 0.747 vs 0.747" in page  # per-area, heads
    assert "No retrain has run yet" in page and "Retrain now" in page
    assert 'name="version" value="2030-retrained"' in page  # promote button


def test_promote_and_rollback_take_effect_at_once(dash: Dash) -> None:
    services = dash.client.app.state.services  # type: ignore[attr-defined]
    bundled = services.triage.version
    add_version(model_dir(dash), "2030-better")
    dash.login(ADMIN)
    dash.post(PAGE + "/promote", {"version": "2030-better"}, PAGE)
    page = dash.client.get(PAGE).text
    assert "2030-better promoted; the service now uses 2030-better" in page
    assert services.triage.version == "2030-better"  # no restart, no watcher wait
    assert services.registry.current_version() == "2030-better"
    dash.post(PAGE + "/rollback", {}, PAGE)
    assert f"Rolled back from 2030-better to {bundled}" in dash.client.get(PAGE).text
    assert services.triage.version == bundled
    audit = dash.run(dash.store.list_audit, "model")
    assert [(e.action, e.actor, e.entity_id) for e in audit] == [
        ("promote", f"staff:{ADMIN}", "2030-better"), ("rollback", f"staff:{ADMIN}", bundled)]
    dash.post(PAGE + "/rollback", {}, PAGE)  # nothing earlier now
    assert "Not rolled back: nothing to roll back to" in dash.client.get(PAGE).text
    dash.post(PAGE + "/promote", {"version": "../../etc"}, PAGE)
    assert "Not promoted: no model version" in dash.client.get(PAGE).text


def test_retrain_button_starts_one_and_shows_progress(dash: Dash,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # the launcher's child process: a command that exits at once instead of training
    monkeypatch.setattr("bot.retraining.sys.executable", shutil.which("true"))
    dash.login(ADMIN)
    response = dash.post(PAGE + "/retrain", {}, PAGE)
    assert response.status_code == 303
    status = StatusFile(model_dir(dash)).read()
    assert status is not None and status.running and status.actor == f"staff:{ADMIN}"
    page = dash.client.get(PAGE).text
    assert "Retrain started" in page and "A retrain is running now" in page
    assert "Retrain now" not in page and 'http-equiv="refresh"' in page  # no-JS refresh
    assert dash.client.get(PAGE + "/retrain.json").json()["running"] is True
    dash.post(PAGE + "/retrain", {}, PAGE)  # a second one is refused plainly
    assert "Not started: a retrain is already running" in dash.client.get(PAGE).text
    # the retrain process reports progress and its decision through the status file
    files = StatusFile(model_dir(dash))
    files.step(status, "training the area head")
    files.finish(status, state="rejected", reason="rejected: area 'waste' F1 fell by 0.2",
                 version="2030-cand", candidate=0.61, current=0.7, labels_from_staff=12)
    state = dash.client.get(PAGE + "/retrain.json").json()
    assert state["running"] is False and state["status"]["state"] == "rejected"
    page = dash.client.get(PAGE).text
    assert "training the area head" in page and "area &#39;waste&#39; F1 fell" in page
    assert "0.610 against the current model's 0.700" in page and "Retrain now" in page


def test_retrain_refused_while_another_holds_the_lock(dash: Dash) -> None:
    dash.login(ADMIN)
    with retrain_lock(model_dir(dash)):
        assert "A retrain is running now" in dash.client.get(PAGE).text
        dash.post(PAGE + "/retrain", {}, PAGE)
        assert "Not started: a retrain is already running" in dash.client.get(PAGE).text
    assert StatusFile(model_dir(dash)).read() is None


def test_csrf_is_required(dash: Dash) -> None:
    dash.login(ADMIN)
    assert dash.client.post(PAGE + "/retrain").status_code == 403
    assert dash.client.post(PAGE + "/rollback", data={"csrf_token": "forged"}
                            ).status_code == 403


def test_drift_this_month(dash: Dash) -> None:
    now = datetime.now(UTC)
    admin = dash.run(dash.store.get_user_by_email, ADMIN)
    for n in range(6):  # the model sends bin reports to roads; staff move five of them
        item = dash.file(f"Bins not collected {n}", area="roads")
        to = "roads" if n == 0 else "waste"
        dash.run(dash.store.add_correction, item.id, CorrectionField.AREA, to, "roads",
                 f"staff:{admin.id}", created_at=now)
        if to != "roads":
            dash.run(dash.store.update_feedback, item.reference, "system", {"area": to})
    dash.file("Pothole")
    dash.login(ADMIN)
    page = dash.client.get(PAGE).text
    section = page[page.index('id="drift"'):]
    assert "confirmed the model's area for 1 of 6 labelled reports (17%)" in section
    assert "high drift" in section and "staff moved 5 of 6 labelled reports away" in section
    assert "Waste and litter (5)" in section  # where staff moved roads' reports
    assert "<td>7</td><td>6</td><td>5</td><td>0</td><td>17%</td>" in section
