"""Outbound through the real PTB bot: splitting, 429 retry_after, 403 blocked -> stopped."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Bot

from bot.channels.base import SendError
from bot.channels.telegram.sender import MAX_CHARS, TelegramSender, split_text
from bot.outbox import Outbox
from bot.security import AddressCipher, pseudonymise
from bot.storage import MEMORY, OutboundStatus, SQLiteStore
from tests.telegram import updates
from tests.telegram.conftest import Harness
from tests.telegram.fake_api import TOKEN, FakeBotApi

KEY = "k" * 40


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=api.base_url) as real_bot:
        yield real_bot


@pytest.mark.parametrize("text", ["short", "word " * 2000, "x" * 9000, "é🙂" * 3000,
                                  ("line\n" * 900) + "y" * 5000])
def test_split_text_keeps_every_part_under_the_limit(text: str) -> None:
    parts = split_text(text)
    assert all(len(p.encode("utf-16-le")) // 2 <= MAX_CHARS for p in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == (
        text.replace(" ", "").replace("\n", ""))


async def test_long_reply_is_sent_in_parts(api: FakeBotApi, bot: Bot) -> None:
    sender = TelegramSender(bot)
    text = ("The drain on Station Road. " * 400).strip()
    message_id = await sender.send_text("8001", text)
    sent = api.of("sendMessage", 8001)
    assert len(sent) == 3 and message_id
    assert all(len(p["text"]) <= 4096 for p in sent)
    assert " ".join(p["text"] for p in sent) == text


async def test_429_raises_retry_after(api: FakeBotApi, bot: Bot) -> None:
    api.rate_limited[8002] = 7
    with pytest.raises(SendError) as caught:
        await TelegramSender(bot).send_text("8002", "Update on your report CV-ABCDE")
    assert caught.value.retry_after == 7 and not caught.value.permanent
    assert await TelegramSender(bot).send_text("8002", "again")  # next one goes through


async def test_blocked_bot_is_permanent_and_opts_out(api: FakeBotApi, bot: Bot) -> None:
    api.blocked.add(8003)
    with pytest.raises(SendError) as caught:
        await TelegramSender(bot).send_text("8003", "Update on your report CV-ABCDE")
    assert caught.value.permanent and caught.value.opted_out
    assert "8003" not in str(caught.value) and TOKEN not in str(caught.value)


async def test_outbox_marks_a_blocking_citizen_stopped(api: FakeBotApi, bot: Bot) -> None:
    api.blocked.add(8004)
    api.rate_limited[8005] = 30
    async with SQLiteStore(MEMORY) as store:
        cipher = AddressCipher(KEY)
        ids = {}
        for chat in (8004, 8005):
            citizen = await store.get_or_create_citizen(
                "telegram", pseudonymise(KEY, "telegram", str(chat)), cipher.encrypt(str(chat)))
            ids[chat] = await store.enqueue_outbound(citizen.id, "telegram", "Update: fixed")
        outbox = Outbox(store, {}, KEY)
        outbox.add_sender(TelegramSender(bot))
        assert await outbox.run_once() == 2
        blocked = await store.get_outbound(ids[8004])
        limited = await store.get_outbound(ids[8005])
        assert blocked is not None and blocked.status is OutboundStatus.FAILED
        stopped = await store.get_citizen(blocked.citizen_id or 0)
        assert stopped is not None and stopped.opted_out
        assert limited is not None and limited.status is OutboundStatus.QUEUED
        assert limited.next_attempt_at >= datetime.now(UTC) + timedelta(seconds=25)


def test_blocked_citizen_via_webhook_is_stopped(tg: Harness) -> None:
    tg.api.blocked.add(8006)
    assert tg.post(updates.message(8006, text="Graffiti on the library wall")) == 200
    tg.api.wait("sendMessage", 2, chat_id=8006)
    for _ in range(100):
        citizen = tg.citizen(8006)
        if citizen is not None and citizen.opted_out:
            break
        time.sleep(0.05)
    assert citizen is not None and citizen.opted_out
    assert tg.run(lambda: tg.services.store.count_feedback()) == 1  # still filed


def test_rate_limited_reply_is_queued_for_later(tg: Harness) -> None:
    tg.api.rate_limited[8007] = 60
    assert tg.post(updates.message(8007, text="Noise from the bar every night")) == 200
    tg.api.wait("sendMessage", 2, chat_id=8007)
    store = tg.services.store
    citizen = tg.citizen(8007)
    assert citizen is not None
    citizen_id = citizen.id
    queued = []
    for _ in range(100):
        queued = tg.run(lambda: store.list_outbound(citizen_id=citizen_id))
        if queued:
            break
        time.sleep(0.05)
    (record,) = queued
    assert "CV-" in record.text and record.status is OutboundStatus.QUEUED
    assert record.next_attempt_at >= datetime.now(UTC) + timedelta(seconds=50)
