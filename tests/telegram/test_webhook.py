"""Webhook mode: the secret, redelivery, and what a citizen sees in a private chat."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.storage import AttachmentKind
from tests.telegram import updates
from tests.telegram.conftest import SECRET, Harness, make_settings
from tests.telegram.fake_api import FakeBotApi


def _buttons(call: dict[str, Any]) -> list[str]:
    markup = call.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


def test_start_sets_the_webhook_with_secret_and_update_types(tg: Harness) -> None:
    (call,) = tg.api.of("setWebhook")
    assert call["url"] == "https://cv.example/telegram/webhook"
    assert call["secret_token"] == "webhook-secret_42"
    assert call["allowed_updates"] == ["message", "edited_message", "callback_query"]
    assert tg.api.of("getMe")


@pytest.mark.parametrize(("secret", "status"), [(None, 401), ("wrong", 403), ("", 403)])
def test_secret_missing_or_wrong_is_refused_and_nothing_stored(
        tg: Harness, secret: str | None, status: int) -> None:
    assert tg.post(updates.message(7001, text="Pothole on Elm Street"), secret) == status
    assert tg.citizen(7001) is None
    assert tg.run(lambda: tg.services.store.count_feedback()) == 0
    assert tg.api.of("sendMessage") == []


def test_bad_bodies_are_refused(tg: Harness) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": "webhook-secret_42"}
    for body in (b"{not json", b"[]", b'{"update_id": "x"}'):
        response = tg.client.post("/telegram/webhook", content=body, headers=headers)
        assert response.status_code == 400


def test_report_gets_reference_buttons_and_offer(tg: Harness) -> None:
    assert tg.post(updates.message(7002, text="Huge pothole outside 12 Elm Street")) == 200
    reply, offer = tg.api.wait("sendMessage", 2, chat_id=7002)
    assert "CV-" in reply["text"]
    ref = reply["text"].split("filed as ")[1].split(" ")[0].rstrip(".")
    assert _buttons(reply) == [f"c:ok:{ref}", f"c:chg:{ref}"]
    assert ref in offer["text"]
    assert offer["reply_markup"]["keyboard"][0][0]["request_location"] is True


def test_redelivered_update_files_nothing_twice(tg: Harness) -> None:
    update = updates.message(7003, text="Street light broken on Oak Road")
    assert tg.post(update) == 200
    tg.api.wait("sendMessage", 2, chat_id=7003)
    assert tg.post(json.loads(json.dumps(update))) == 200
    assert tg.post(update) == 200
    store = tg.services.store
    assert tg.run(lambda: store.count_feedback()) == 1
    tg.api.wait("sendMessage", 3, chat_id=7003, timeout=0.5)
    assert len(tg.api.of("sendMessage", 7003)) == 2  # the reply and the offer, once


DIALOGUE = [
    ("/start", "Welcome to CivicVoice"),
    ("/start", "/privacy"),
    ("/help", "STATUS <ref>"),
    ("/privacy", "pseudonym"),
    ("/status", "no reports yet"),
    ("/my", "no open reports"),
    ("/language de", "Deutsch"),
    ("/language en", "English"),
    ("/stop", "no more messages"),
    ("/start", "Welcome back"),
    ("/forget", "FORGET YES"),
]


def test_dialogue(tg: Harness) -> None:
    chat = 7004
    for count, (said, expected) in enumerate(DIALOGUE, start=1):
        assert tg.post(updates.message(chat, text=said)) == 200
        replies = tg.api.wait("sendMessage", count, chat_id=chat)
        assert len(replies) == count, said
        assert expected in replies[-1]["text"], (said, replies[-1]["text"])


def test_sticker_gets_not_text_in_private_and_silence_in_groups(tg: Harness) -> None:
    assert tg.post(updates.sticker(7005)) == 200
    (reply,) = tg.api.wait("sendMessage", 1, chat_id=7005)
    assert "only read text, photos and locations" in reply["text"]
    assert tg.post(updates.sticker(-1007005, group=True)) == 200
    assert tg.post(updates.message(-1007005, text="lol", group=True, from_id=5)) == 200
    assert tg.api.wait("sendMessage", 1, chat_id=-1007005, timeout=0.5) == []
    assert tg.citizen(-1007005) is None


def test_photo_is_attached_by_file_id(tg: Harness) -> None:
    assert tg.post(updates.photo(7006, caption="Overflowing bins on Mill Lane")) == 200
    (reply,) = tg.api.wait("sendMessage", 1, chat_id=7006)
    store = tg.services.store
    (item,) = tg.run(lambda: store.list_feedback())
    assert item.reference in reply["text"]
    attachments = tg.run(lambda: store.list_attachments(item.id))
    assert [(a.kind, a.value) for a in attachments] == [
        (AttachmentKind.PHOTO, "AgACAgQAAxkBAAIBlarge")]


def test_location_after_filing_attaches_and_removes_keyboard(tg: Harness) -> None:
    assert tg.post(updates.message(7007, text="Broken swing in Victoria Park")) == 200
    tg.api.wait("sendMessage", 2, chat_id=7007)
    assert tg.post(updates.location(7007)) == 200
    replies = tg.api.wait("sendMessage", 3, chat_id=7007)
    assert "Added to your report" in replies[2]["text"]
    assert replies[2]["reply_markup"] == {"remove_keyboard": True}
    store = tg.services.store
    (item,) = tg.run(lambda: store.list_feedback())
    assert (item.latitude, item.longitude) == (51.5072, -0.1276)
    kinds = [a.kind for a in tg.run(lambda: store.list_attachments(item.id))]
    assert kinds == [AttachmentKind.LOCATION]


def test_edited_message_updates_a_fresh_report(tg: Harness) -> None:
    first = updates.message(7008, text="Blocked drain on Station Road")
    assert tg.post(first) == 200
    tg.api.wait("sendMessage", 2, chat_id=7008)
    edit = updates.message(7008, text="Blocked drain on Station Road near number 4",
                           edited=True)
    assert tg.post(edit) == 200
    replies = tg.api.wait("sendMessage", 3, chat_id=7008)
    assert "Added to your report" in replies[2]["text"]
    store = tg.services.store
    (item,) = tg.run(lambda: store.list_feedback())
    assert "near number 4" in item.original_text


def test_citizen_changes_the_area_and_others_cannot(tg: Harness) -> None:
    assert tg.post(updates.message(7009, text="Huge pothole outside 12 Elm Street")) == 200
    reply = tg.api.wait("sendMessage", 1, chat_id=7009)[0]
    ref = _buttons(reply)[0].split(":")[2]
    assert tg.post(updates.callback(7010, 7010, f"c:set:{ref}:waste")) == 200
    refused = tg.api.wait("answerCallbackQuery", 1)[0]
    assert refused["show_alert"] is True and "another report" in refused["text"]
    assert tg.post(updates.callback(7009, 7009, f"c:chg:{ref}")) == 200
    (choices,) = tg.api.wait("editMessageReplyMarkup", 1)
    assert f"c:set:{ref}:waste" in _buttons(choices)
    assert tg.post(updates.callback(7009, 7009, f"c:set:{ref}:waste")) == 200
    tg.api.wait("answerCallbackQuery", 3)
    store = tg.services.store
    item = tg.run(lambda: store.get_feedback(ref))
    assert item is not None and item.area == "waste"
    (label,) = tg.run(lambda: store.list_corrections())
    assert (label.value, label.previous_value) == ("waste", "roads")
    assert label.actor.startswith("citizen:")


def test_photo_is_kept_when_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       api: FakeBotApi) -> None:
    settings = make_settings(tmp_path, monkeypatch, api, telegram_keep_photos=True)
    with TestClient(create_app(settings)) as client:
        tg = Harness(client, api, settings)
        assert tg.post(updates.photo(7016, caption="Fly-tipping behind the shops")) == 200
        tg.api.wait("sendMessage", 1, chat_id=7016)
        store = tg.services.store
        (item,) = tg.run(lambda: store.list_feedback())
        for _ in range(50):
            attachments = tg.run(lambda: store.list_attachments(item.id))
            if len(attachments) == 2:
                break
            time.sleep(0.05)
        kept = [a.value for a in attachments if a.value.startswith("file:")]
        assert len(kept) == 1
        saved = Path(kept[0].removeprefix("file:"))
        assert saved.read_bytes() == FakeBotApi.PHOTO_BYTES
        assert saved.is_relative_to(tmp_path / "media" / "telegram" / item.reference)


def test_citizen_buttons_offer_active_areas_and_refuse_others(tg: Harness) -> None:
    store = tg.services.store
    tg.run(lambda: store.retire_area("graffiti_vandalism", move_to="public_safety",
                                     actor="test"))
    assert tg.post(updates.message(7011, text="Huge pothole outside 12 Elm Street")) == 200
    reply = tg.api.wait("sendMessage", 1, chat_id=7011)[0]
    ref = _buttons(reply)[0].split(":")[2]
    assert tg.post(updates.callback(7011, 7011, f"c:chg:{ref}")) == 200
    (choices,) = tg.api.wait("editMessageReplyMarkup", 1)
    offered = {b.split(":")[3] for b in _buttons(choices) if b.startswith("c:set:")}
    active = {a.code for a in tg.run(lambda: store.list_areas())}
    assert offered == active - {"roads"} and "graffiti_vandalism" not in offered
    # A forged or stale button naming a retired or unknown area changes nothing.
    for area in ("graffiti_vandalism", "no_such_team"):
        assert tg.post(updates.callback(7011, 7011, f"c:set:{ref}:{area}")) == 200
    answers = tg.api.wait("answerCallbackQuery", 3)
    assert all(a["show_alert"] for a in answers[1:]), answers
    item = tg.run(lambda: store.get_feedback(ref))
    assert item is not None and item.area == "roads"
    assert tg.run(lambda: store.list_corrections()) == []


@pytest.mark.parametrize(("latitude", "longitude"), [
    (91.0, 0.0), (0.0, -180.5), (1e308 * 10, 0.0), (0.0, float("-inf"))])
def test_locations_off_the_globe_are_refused(tg: Harness, latitude: float,
                                             longitude: float) -> None:
    update = updates.location(7012, latitude, longitude)
    body = json.dumps(update, allow_nan=True)  # Infinity, as a forged client could send
    response = tg.client.post("/telegram/webhook", content=body, headers={
        "X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"})
    assert response.status_code in (200, 400)  # Infinity is not JSON: refused outright
    time.sleep(0.2)
    store = tg.services.store
    assert tg.run(lambda: store.list_feedback()) == []
    assert tg.run(lambda: store.list_unhandled_inbound()) == []


def test_deeply_nested_updates_are_a_400(tg: Harness) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    deep = b'{"update_id": 5, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert tg.client.post("/telegram/webhook", content=deep, headers=headers).status_code == 400
    nested = b'{"update_id": 6, "x": ' + b"[" * 500 + b"]" * 500 + b"}"
    assert tg.client.post("/telegram/webhook", content=nested,
                          headers=headers).status_code == 400
    assert tg.post(updates.message(7013, text="Bins not emptied on Oak Road")) == 200


def test_an_outage_at_start_up_is_retried_and_the_webhook_served_meanwhile(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, api: FakeBotApi) -> None:
    api.down = True
    settings = make_settings(tmp_path, monkeypatch, api)
    with TestClient(create_app(settings)) as client:
        tg = Harness(client, api, settings)
        assert client.app.state.telegram is not None  # type: ignore[attr-defined]
        # Updates are stored and handled while Telegram cannot be reached...
        assert tg.post(updates.message(7020, text="Street light out on Birch Lane")) == 200
        store = tg.services.store
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not tg.run(lambda: store.list_feedback()):
            time.sleep(0.05)
        (item,) = tg.run(lambda: store.list_feedback())
        assert api.of("getMe") and not api.of("setWebhook")  # tried, refused
        # ... and once it is back, the webhook is set and the reply delivered.
        api.down = False
        assert api.wait("setWebhook", 1, timeout=15)[-1]["url"].endswith("/telegram/webhook")
        sent = api.wait("sendMessage", 1, chat_id=7020, timeout=30)
        assert sent and any(item.reference in str(m["text"]) for m in sent)
