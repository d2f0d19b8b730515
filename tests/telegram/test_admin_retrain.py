"""``/retrain`` in a staff Telegram chat: admins only; the result is posted when it ends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.cli import main as cli
from tests.support.tables import seed_staff_labels, small_base_table
from tests.telegram import updates
from tests.telegram.conftest import Harness, make_settings
from tests.telegram.fake_api import FakeBotApi

GROUP, ADMIN, STAFF, STRANGER = -1009101, 9301, 9302, 9303


@pytest.fixture
def tg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, api: FakeBotApi) -> Iterator[Harness]:
    monkeypatch.setenv("RETRAIN_BASE_TABLE", str(small_base_table(tmp_path / "base.csv")))
    settings = make_settings(tmp_path, monkeypatch, api)
    with TestClient(create_app(settings)) as client:
        yield Harness(client, api, settings)


def _link(tg: Harness, capsys: pytest.CaptureFixture[str], chat: int, email: str,
          role: str) -> None:
    assert cli(["users", "add", email, "--role", role, "--area", "roads"]) == 0
    assert cli(["tokens", "create", email]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert tg.post(updates.message(chat, text=f"/iam {email} {token}")) == 200
    assert "Linked" in tg.api.wait("sendMessage", 1, chat_id=chat)[0]["text"]


def test_only_admins_retrain_and_hear_the_result(tg: Harness,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    _link(tg, capsys, ADMIN, "boss@city.example", "admin")
    _link(tg, capsys, STAFF, "sam@city.example", "staff")
    for chat in (STAFF, STRANGER):
        assert tg.post(updates.message(GROUP, text="/retrain", group=True,
                                       from_id=chat)) == 200
    refused = tg.api.wait("sendMessage", 2, chat_id=GROUP)
    assert [m["text"] for m in refused] == ["Only an admin linked with /iam can do this."] * 2
    assert tg.post(updates.message(GROUP, text="/retrain status", group=True,
                                   from_id=ADMIN)) == 200
    assert tg.api.wait("sendMessage", 3, chat_id=GROUP)[2]["text"] == "No retrain has run yet."

    seeded = tg.run(lambda: seed_staff_labels(tg.services.store))
    assert tg.post(updates.message(GROUP, text="/retrain", group=True, from_id=ADMIN)) == 200
    assert "Retraining started" in tg.api.wait("sendMessage", 4, chat_id=GROUP)[3]["text"]
    assert tg.post(updates.message(GROUP, text="/retrain", group=True, from_id=ADMIN)) == 200
    busy = tg.api.wait("sendMessage", 5, chat_id=GROUP)[4]["text"]
    assert busy == "Not started: a retrain is already running."
    done = tg.api.wait("sendMessage", 6, chat_id=GROUP, timeout=240)[5]["text"]
    assert done.startswith(("Retrain PROMOTED", "Retrain REJECTED")), done
    assert "staff labels used" in done
    assert tg.run(lambda: tg.services.store.count_feedback()) == seeded  # commands: none
