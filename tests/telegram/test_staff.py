"""Staff groups: link with a one-time code, urgent alerts, and who may press the buttons."""

from __future__ import annotations

import pytest

from bot.cli import main as cli
from bot.storage import FeedbackStatus
from tests.telegram import updates
from tests.telegram.conftest import Harness

GROUP, LEAD, STRANGER, CITIZEN = -1009001, 9001, 9002, 9100


def _last_line(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_staff_group_gets_urgent_reports_and_only_staff_act(
        tg: Harness, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["telegram", "link-code", "--area", "*"]) == 0
    code = _last_line(capsys)
    assert tg.post(updates.message(GROUP, text=f"/link {code}", group=True, from_id=LEAD)) == 200
    assert "urgent reports for: *" in tg.api.wait("sendMessage", 1, chat_id=GROUP)[0]["text"]
    assert tg.post(updates.message(GROUP, text=f"/link {code}", group=True, from_id=LEAD)) == 200
    assert "not valid" in tg.api.wait("sendMessage", 2, chat_id=GROUP)[1]["text"]

    assert cli(["users", "add", "lead@city.example", "--role", "admin"]) == 0
    assert cli(["tokens", "create", "lead@city.example"]) == 0
    token = _last_line(capsys)
    assert tg.post(updates.message(LEAD, text=f"/iam lead@city.example {token}")) == 200
    assert "Linked" in tg.api.wait("sendMessage", 1, chat_id=LEAD)[0]["text"]
    assert tg.post(updates.message(STRANGER, text="/iam lead@city.example wrong")) == 200
    assert "do not match" in tg.api.wait("sendMessage", 1, chat_id=STRANGER)[0]["text"]
    store = tg.services.store
    assert tg.run(lambda: store.count_feedback()) == 0  # commands are never filed

    text = "Gas smell near the school, really strong smell of gas in the street"
    assert tg.post(updates.message(CITIZEN, text=text)) == 200
    alert = tg.api.wait("sendMessage", 3, chat_id=GROUP)[2]
    assert alert["text"].startswith("🚨 URGENT CV-")
    ref = alert["text"].split()[2]
    buttons = [b["callback_data"] for b in alert["reply_markup"]["inline_keyboard"][0]]
    assert buttons == [f"s:take:{ref}", f"s:done:{ref}", f"s:route:{ref}"]

    assert tg.post(updates.callback(STRANGER, GROUP, f"s:take:{ref}")) == 200
    refused = tg.api.wait("answerCallbackQuery", 1)[0]
    assert refused["show_alert"] is True and "Only linked staff" in refused["text"]
    item = tg.run(lambda: store.get_feedback(ref))
    assert item is not None and item.status is FeedbackStatus.NEW

    # a linked staff member pressing in a group that is not linked is refused too
    assert tg.post(updates.callback(LEAD, -1000000777, f"s:take:{ref}")) == 200
    assert tg.api.wait("answerCallbackQuery", 2)[1]["show_alert"] is True

    assert tg.post(updates.callback(LEAD, GROUP, f"s:take:{ref}")) == 200
    tg.api.wait("answerCallbackQuery", 3)
    item = tg.run(lambda: store.get_feedback(ref))
    assert item is not None and item.status is FeedbackStatus.IN_PROGRESS
    (edited,) = tg.api.wait("editMessageText", 1)
    assert "Taken by Sam" in edited["text"]
    heard = tg.api.wait("sendMessage", 3, chat_id=CITIZEN)  # reply, offer? no: urgent, update
    assert any(ref in m["text"] and "Update" in m["text"] for m in heard)

    assert tg.post(updates.callback(LEAD, GROUP, f"s:route:{ref}")) == 200
    (choices,) = tg.api.wait("editMessageReplyMarkup", 1)
    assert any(b["callback_data"] == f"s:to:{ref}:waste"
               for row in choices["reply_markup"]["inline_keyboard"] for b in row)
    assert tg.post(updates.callback(LEAD, GROUP, f"s:to:{ref}:public_safety")) == 200
    assert tg.post(updates.callback(LEAD, GROUP, f"s:done:{ref}")) == 200
    tg.api.wait("answerCallbackQuery", 6)
    item = tg.run(lambda: store.get_feedback(ref))
    assert item is not None and item.status is FeedbackStatus.RESOLVED
    assert item.area == "public_safety"


def test_iam_in_a_group_is_refused(tg: Harness) -> None:
    assert tg.post(updates.message(GROUP, text="/iam a@b.example tok", group=True,
                                   from_id=LEAD)) == 200
    assert "private chat" in tg.api.wait("sendMessage", 1, chat_id=GROUP)[0]["text"]


def test_link_code_needs_an_area(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["telegram", "link-code"]) == 2
