"""Closing the loop on Telegram: resolved -> "Is it fixed?" -> "2" alerts the area's group."""

from __future__ import annotations

import pytest

from bot.cli import main as cli
from bot.storage import FeedbackStatus, StaffRole
from tests.telegram import updates
from tests.telegram.conftest import Harness

GROUP, CITIZEN = -1009101, 9200


def test_not_fixed_reopens_and_alerts_the_group(
        tg: Harness, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["telegram", "link-code", "--area", "*"]) == 0
    code = capsys.readouterr().out.strip().splitlines()[-1]
    assert tg.post(updates.message(GROUP, text=f"/link {code}", group=True, from_id=9201)) == 200
    tg.api.wait("sendMessage", 1, chat_id=GROUP)
    services, store = tg.services, tg.services.store
    admin = tg.run(lambda: store.create_user("lead@city.example", StaffRole.ADMIN))

    text = "There is a huge pothole on Main Street outside the bakery"
    assert tg.post(updates.message(CITIZEN, text=text)) == 200
    tg.api.wait("sendMessage", 1, chat_id=CITIZEN)
    citizen = tg.citizen(CITIZEN)
    assert citizen is not None
    item = tg.run(lambda: store.latest_feedback_for_citizen(citizen.id))
    assert item is not None
    ref, heard = item.reference, len(tg.api.texts(CITIZEN))

    tg.run(lambda: services.staff.update(ref, admin, {"status": "resolved"}, "Filled today"))
    if services.outbox is not None:
        services.outbox.wake()
    asked = tg.api.wait("sendMessage", heard + 1, chat_id=CITIZEN)[heard]["text"]
    assert ref in asked and "Filled today" in asked and asked.endswith("Reply 1 yes, 2 no")

    assert tg.post(updates.message(CITIZEN, text="2")) == 200
    answer = tg.api.wait("sendMessage", heard + 2, chat_id=CITIZEN)[heard + 1]["text"]
    assert f"We reopened {ref}" in answer
    alert = tg.api.wait("sendMessage", 2, chat_id=GROUP)[1]
    assert alert["text"].startswith(f"↩️ REOPENED {ref}")
    item = tg.run(lambda: store.get_feedback(ref))
    assert item is not None and item.status is FeedbackStatus.IN_PROGRESS
