"""Polling mode: the updater picks updates up with getUpdates; one bad update blocks nothing."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from tests.telegram import updates
from tests.telegram.conftest import SECRET, make_settings
from tests.telegram.fake_api import TOKEN, FakeBotApi


def test_polling_picks_up_updates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  api: FakeBotApi) -> None:
    settings = make_settings(tmp_path, monkeypatch, api, telegram_mode="polling")
    with TestClient(create_app(settings)) as client:
        assert client.post("/telegram/webhook", json={}).status_code == 404
        api.blocked.add(9499)
        api.push(updates.message(9499, text="Pothole on the ring road"))  # reply refused
        api.push(updates.message(9500, text="Bus stop shelter smashed on King Street"))
        api.push(updates.sticker(9501))
        reply = api.wait("sendMessage", 1, chat_id=9500)
        assert reply and "CV-" in reply[0]["text"]
        assert "only read text" in api.wait("sendMessage", 1, chat_id=9501)[0]["text"]
    assert api.of("deleteWebhook") and api.of("setWebhook") == []
    polls = api.of("getUpdates")
    assert polls and polls[-1]["allowed_updates"] == [
        "message", "edited_message", "callback_query"]


def test_channel_off_without_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   api: FakeBotApi, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO")
    settings = make_settings(tmp_path, monkeypatch, api, telegram_bot_token="")
    with TestClient(create_app(settings)) as client:
        assert client.post("/telegram/webhook", json={}).status_code == 404
    off = [r for r in caplog.records if "Telegram channel off" in r.getMessage()]
    assert len(off) == 1 and api.calls == []


def test_logs_hold_no_token_chat_ids_or_texts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              api: FakeBotApi,
                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api.blocked.add(9601)
    api.rate_limited[9602] = 3
    settings = make_settings(tmp_path, monkeypatch, api)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    with TestClient(create_app(settings)) as client:
        for chat in (9600, 9601, 9602):
            update = updates.message(chat, text=f"Gas smell at Flat {chat}, call +447700900{chat}")
            response = client.post("/telegram/webhook", json=update, headers=headers)
            assert response.status_code == 200
        for chat in (9600, 9601, 9602):
            api.wait("sendMessage", 1, chat_id=chat)
    logged = "\n".join(r.getMessage() + str(r.args) + str(r.exc_info) for r in caplog.records)
    assert "URGENT" in logged
    for secret in (TOKEN, TOKEN.split(":")[1], SECRET, "9600", "9601", "9602", "Gas smell"):
        assert secret not in logged
