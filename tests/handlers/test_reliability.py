"""Stored first, handled once: redelivery, recovery after a crash, failures, concurrency."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.security import pseudonymise
from bot.storage import MEMORY, FeedbackItem, FeedbackStore, InboundState, SQLiteStore
from handlers.conversation import Conversation, ConversationConfig
from handlers.errors import HandlingFailed, MessageIdConflict
from handlers.triage import TriageService
from tests.handlers.conftest import KEY, Chat, Clock, RecordingAlerts

POTHOLE = "There is a huge pothole on Main Street outside the bakery"
GAS = "I can smell gas in the street near my house"


async def test_redelivery_repeats_the_reply_and_files_nothing(
        chat: Chat, store: FeedbackStore) -> None:
    first = await chat.send(POTHOLE, message_id="SM123")
    again = await chat.send(POTHOLE, message_id="SM123")
    assert not first.duplicate and again.duplicate
    assert again.reply == first.reply and again.reference == first.reference
    assert again.inbound_id == first.inbound_id and again.area == first.area
    assert await store.count_feedback() == 1


async def test_redelivery_of_a_keyword_and_a_silenced_message(chat: Chat) -> None:
    help_ = await chat.send("HELP", message_id="h1")
    assert (await chat.send("HELP", message_id="h1")).reply == help_.reply
    await chat.send("STOP")
    silent = await chat.send(POTHOLE, message_id="s1")
    again = await chat.send(POTHOLE, message_id="s1")
    assert silent.reply is None and again.reply is None and again.duplicate


async def test_concurrent_redelivery_files_once(chat: Chat, store: FeedbackStore) -> None:
    outcomes = await asyncio.gather(*(chat.send(POTHOLE, message_id="same") for _ in range(5)))
    assert await store.count_feedback() == 1
    assert len({o.reference for o in outcomes}) == 1
    assert sum(not o.duplicate for o in outcomes) == 1


async def test_another_sender_cannot_reuse_a_message_id(chat: Chat, other: Chat) -> None:
    await chat.send(POTHOLE, message_id="web-1")
    with pytest.raises(MessageIdConflict):
        await other.send("STATUS", message_id="web-1")


async def _stored_not_handled(store: FeedbackStore, text: str, message_id: str,
                              sender: str = "+15550100") -> tuple[int, int]:
    """What a crash right after storing leaves behind."""
    citizen = await store.get_or_create_citizen("sms", pseudonymise(KEY, "sms", sender))
    record, new = await store.record_inbound("sms", message_id, citizen.id, text)
    assert new
    return citizen.id, record.id


async def test_recover_handles_a_stored_message_exactly_once(
        conversation: Conversation, store: FeedbackStore, chat: Chat) -> None:
    _, inbound_id = await _stored_not_handled(store, POTHOLE, "SM-crash")
    assert await conversation.recover() == 1
    assert await conversation.recover() == 0
    assert await store.count_feedback() == 1
    record = await store.get_inbound(inbound_id)
    assert record is not None and record.state is InboundState.HANDLED
    assert record.reply_text is not None and "CV-" in record.reply_text
    # The channel's redelivery now gets the recovered answer and files nothing.
    again = await chat.send(POTHOLE, message_id="SM-crash")
    assert again.duplicate and again.reply == record.reply_text
    assert await store.count_feedback() == 1


async def test_redelivery_finishes_a_message_left_unhandled(
        chat: Chat, store: FeedbackStore) -> None:
    await _stored_not_handled(store, POTHOLE, "SM-half")
    outcome = await chat.send(POTHOLE, message_id="SM-half")
    assert outcome.reference is not None and outcome.action == "filed"
    assert await store.count_feedback() == 1


async def test_recover_after_filing_but_before_the_reply_files_nothing_new(
        conversation: Conversation, store: FeedbackStore, alerts: RecordingAlerts) -> None:
    citizen_id, inbound_id = await _stored_not_handled(store, GAS, "SM-gas")
    item = await store.create_feedback(
        channel="sms", original_text=GAS, redacted_text=GAS, area="public_safety",
        area_confidence=0.7, kind="complaint", urgent=True, citizen_id=citizen_id,
        inbound_id=inbound_id)
    assert await conversation.recover() == 1
    assert await store.count_feedback() == 1
    record = await store.get_inbound(inbound_id)
    assert record is not None and record.feedback_id == item.id
    assert item.reference in (record.reply_text or "") and "911" in (record.reply_text or "")
    assert [a.reference for a in alerts.items] == [item.reference]  # alert repeated, not lost


async def test_recover_a_message_whose_sender_was_forgotten(
        conversation: Conversation, store: FeedbackStore) -> None:
    citizen_id, inbound_id = await _stored_not_handled(store, POTHOLE, "SM-gone")
    await store.forget_citizen(citizen_id, actor="system")
    assert await conversation.recover() == 1
    record = await store.get_inbound(inbound_id)
    assert record is not None and record.state is InboundState.HANDLED
    assert record.reply_text is None and await store.count_feedback() == 0


class FlakyStore(SQLiteStore):
    """Fails to file the first report, as a full disk or a lock timeout would."""

    failures = 1

    async def create_feedback(self, **kwargs: Any) -> FeedbackItem:
        if self.failures:
            self.failures -= 1
            raise OSError("disk I/O error")
        return await super().create_feedback(**kwargs)


async def test_a_failure_keeps_the_message_and_a_retry_files_it_once(
        triage: TriageService, clock: Clock, caplog: pytest.LogCaptureFixture) -> None:
    async with FlakyStore(MEMORY) as store:
        chat = Chat(Conversation(store, triage, KEY, now=clock), clock)
        with pytest.raises(HandlingFailed) as failed:
            await chat.send(POTHOLE, message_id="SM-flaky")
        record = await store.get_inbound(failed.value.inbound_id)
        assert record is not None and record.state is InboundState.FAILED
        assert record.text == POTHOLE and record.error == "OSError"
        retried = await chat.send(POTHOLE, message_id="SM-flaky")
        assert retried.reference is not None and await store.count_feedback() == 1
    assert POTHOLE not in caplog.text


class BrokenTriage:
    async def classify(self, text: str) -> Any:
        raise RuntimeError("model file missing")


async def test_a_broken_model_still_files_for_review(store: FeedbackStore, clock: Clock) -> None:
    conversation = Conversation(store, BrokenTriage(), KEY, now=clock)  # type: ignore[arg-type]
    outcome = await Chat(conversation, clock).send(POTHOLE)
    assert outcome.reference is not None and outcome.area == "other"
    assert outcome.reply is not None and "A person will check" in outcome.reply
    item = await store.get_feedback(outcome.reference)
    assert item is not None and item.needs_review and item.model_version is None


class FailingAlerts:
    def __init__(self, hang: bool = False) -> None:
        self.hang = hang
        self.calls = 0

    async def urgent(self, item: FeedbackItem) -> None:
        self.calls += 1
        if self.hang:
            await asyncio.sleep(60)
        raise ConnectionError("smtp down")


@pytest.mark.parametrize("hang", [False, True])
async def test_a_failing_alert_never_loses_the_report(
        store: FeedbackStore, triage: TriageService, clock: Clock, hang: bool) -> None:
    alerts = FailingAlerts(hang)
    config = ConversationConfig(alert_timeout_seconds=0.05)
    conversation = Conversation(store, triage, KEY, config, alerts=alerts, now=clock)
    outcome = await Chat(conversation, clock).send(GAS)
    assert outcome.urgent and outcome.reference is not None and alerts.calls == 1
    assert outcome.reply is not None and "911" in outcome.reply
    assert await store.get_feedback(outcome.reference) is not None


async def test_logs_hold_no_phone_numbers_or_texts(
        chat: Chat, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for text in (POTHOLE, GAS, "HELP", "it's outside number 12", "FORGET", "FORGET YES"):
        await chat.send(text)
    assert chat.sender not in caplog.text and "15550100" not in caplog.text
    assert POTHOLE not in caplog.text and "number 12" not in caplog.text


async def test_the_address_is_kept_only_encrypted(chat: Chat, store: FeedbackStore) -> None:
    from bot.security import AddressCipher

    await chat.send("HELP")
    citizen = await store.find_citizen("sms", pseudonymise(KEY, "sms", chat.sender))
    assert citizen is not None and citizen.address_encrypted is not None
    assert chat.sender not in citizen.address_encrypted
    assert AddressCipher(KEY).decrypt(citizen.address_encrypted) == chat.sender


async def test_recovered_answers_on_push_channels_go_to_the_outbox(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A Telegram message stored before a crash gets its answer after recovery."""
    from bot.security import pseudonymise
    from bot.storage import SQLiteStore
    from handlers.conversation import Conversation
    from handlers.triage import TriageService
    from models.registry import BUNDLED_DIR
    from nlp.triage import Triager

    async with SQLiteStore(str(tmp_path / "r.db")) as store:
        citizen = await store.get_or_create_citizen("telegram", pseudonymise("k" * 32, "telegram",
                                                                           "4242"))
        await store.record_inbound("telegram", "777", citizen.id, "Pothole on Elm Street")
        conversation = Conversation(store, TriageService(Triager.from_folder(BUNDLED_DIR)),
                                    "k" * 32)
        assert await conversation.recover() == 1
        queued = await store.list_outbound(citizen_id=citizen.id)
        assert len(queued) == 1 and "CV-" in queued[0].text and queued[0].channel == "telegram"
        assert await conversation.recover() == 0
