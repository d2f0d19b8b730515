"""``civicvoice retrain`` end to end: a mislabelled candidate is rejected, a sound one is
promoted and used by ``classify``, and two retrains cannot run at once."""

from __future__ import annotations

import asyncio
import csv
import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.cli.retrain_commands import DEFAULT_BASE_TABLE, HOLDOUT_KEY, retrain_lock
from bot.retraining import StatusFile
from bot.storage import CorrectionField, store_from_url
from models.artifact import ModelBundle
from models.registry import BUNDLED_DIR, ModelRegistry
from nlp.retrain import held_out_text
from nlp.table import read_table
from nlp.training import TrainConfig, train_bundle

PER_AREA = 46


def _rows() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """A ~600-row base slice (46 per area) and the remaining rows for corrections."""
    with DEFAULT_BASE_TABLE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    taken: dict[str, int] = defaultdict(int)
    base, rest = [], []
    for row in rows:
        if taken[row["area"]] < PER_AREA:
            taken[row["area"]] += 1
            base.append(row)
        else:
            rest.append(row)
    return base, rest


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base, rest = _rows()
    folder = tmp_path_factory.mktemp("retrain")
    path = folder / "base.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(base[0]))
        writer.writeheader()
        writer.writerows(base)
    # a weak current model: 25 training rows per area (none of the held-out slice)
    table = read_table(path, ("text",), "area")
    keep: list[int] = []
    seen: dict[str, int] = defaultdict(int)
    for i, (text, label) in enumerate(zip(table.texts, table.labels, strict=True)):
        if not held_out_text(text) and seen[label] < 25:
            seen[label] += 1
            keep.append(i)
    for name in ("texts", "labels", "kinds", "urgent", "innovation", "weights"):
        setattr(table, name, [getattr(table, name)[i] for i in keep])
    weak = train_bundle(table, TrainConfig(), base=ModelRegistry(folder).load(str(BUNDLED_DIR)),
                        version="weak-current")
    weak.metadata[HOLDOUT_KEY] = True  # it never saw the held-out slice: compared directly
    return {"base": path, "rest": rest, "weak": weak}


def _weak_current(tmp_path: Path, weak: ModelBundle) -> ModelRegistry:
    reg = ModelRegistry(tmp_path / "models")
    reg.register(weak, status="current", reason="test setup")
    return reg


def _label(tmp_path: Path, texts: list[tuple[str, str]], actor: str = "staff:1") -> None:
    async def run() -> None:
        now = datetime.now(UTC)
        async with store_from_url(f"sqlite:///{tmp_path / 'cv.db'}") as store:
            for i, (text, area) in enumerate(texts):
                item = await store.create_feedback(
                    channel="web", original_text=text, redacted_text=text, area="other",
                    area_confidence=0.4, kind="complaint")
                await store.add_correction(item.id, CorrectionField.AREA, area, "other", actor,
                                           created_at=now - timedelta(hours=len(texts) - i))

    asyncio.run(run())


def _versions(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    capsys.readouterr()
    assert main(["models", "list", "--json"]) == 0
    return list(json.loads(capsys.readouterr().out))


def test_mislabelled_corrections_are_rejected(data: dict[str, Any], tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    _weak_current(tmp_path, data["weak"])
    waste = [r["text"] for r in data["rest"] if r["area"] == "waste"][:200]
    _label(tmp_path, [(t, "roads") for t in waste])
    assert main(["retrain", "--base-table", str(data["base"])]) == 0
    out = capsys.readouterr().out
    assert "REJECTED" in out and "'waste'" in out and "staff labels used: 160" in out
    versions = _versions(capsys)
    rejected = [v for v in versions if v["status"] == "rejected"]
    assert len(rejected) == 1 and not rejected[0]["current"]
    assert "waste" in rejected[0]["reason"] and rejected[0]["labels_from_staff"] == 160
    assert [v["version"] for v in versions if v["current"]] == ["weak-current"]


def test_sound_candidate_is_promoted_and_used(data: dict[str, Any], tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    _weak_current(tmp_path, data["weak"])
    per_area: dict[str, int] = defaultdict(int)
    sound = []
    for row in data["rest"]:
        if per_area[row["area"]] < 8:
            per_area[row["area"]] += 1
            sound.append((row["text"], row["area"]))
    _label(tmp_path, sound[:-1])
    _label(tmp_path, [(sound[-1][0], "other")], actor="staff:2")  # later re-labelled below
    _label(tmp_path, [(sound[-1][0], sound[-1][1])], actor="citizen:5")
    assert main(["retrain", "--base-table", str(data["base"])]) == 0
    out = capsys.readouterr().out
    assert "PROMOTED" in out, out
    versions = _versions(capsys)
    current = [v for v in versions if v["current"]]
    assert len(current) == 1 and current[0]["version"] != "weak-current"
    assert current[0]["labels_from_staff"] > 0
    meta = json.loads((Path(current[0]["path"]) / "metadata.json").read_text())
    assert meta["retrain"]["decision"] == "promoted"
    assert meta["retrain"]["candidate"]["macro_f1"] >= meta["retrain"]["current"]["macro_f1"] - \
        0.005
    assert main(["classify", "garbage not collected for a week, bins overflowing"]) == 0
    assert json.loads(capsys.readouterr().out)["model_version"] == current[0]["version"]


def test_a_second_retrain_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with retrain_lock(tmp_path / "models"):
        assert main(["retrain"]) == 1
    assert "a retrain is already running" in capsys.readouterr().err


def test_nothing_to_learn_without_staff_labels(data: dict[str, Any], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    _weak_current(tmp_path, data["weak"])
    assert main(["retrain", "--base-table", str(data["base"])]) == 1
    assert "no staff labels to learn from yet" in capsys.readouterr().err
    status = StatusFile(tmp_path / "models").read()
    assert status is not None and status.state == "failed"
    assert status.reason is not None and "no staff labels" in status.reason
    assert [v["version"] for v in _versions(capsys)] == [
        json.loads((BUNDLED_DIR / "metadata.json").read_text())["version"], "weak-current"]
