"""The conversation's ``file_under`` path that Open311 uses, below HTTP: crash recovery, sender."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.channels.base import SendError
from bot.outbox import Outbox
from bot.security import hash_token
from bot.storage import FeedbackStatus, InboundState, OutboundStatus, StaffRole, StaffUser
from bot.web.open311.intake import CHANNEL, Open311Sender, inbound_message, request_digest
from bot.web.open311.params import new_request
from handlers.conversation import Conversation
from handlers.staff_actions import StaffActions
from handlers.triage import TriageService
from handlers.turns import FILE_UNDER, LOCATION_TEXT, message_payload, payload_fields
from tests.open311_server.conftest import KEY, World

FORM = {"service_code": "waste", "address_string": "4 Mill Lane",
        "description": "help", "email": "someone@mail.example"}


def test_file_under_survives_the_stored_payload() -> None:
    message = inbound_message(KEY, _user(7), new_request(FORM), datetime.now(UTC))
    assert message.extra == {FILE_UNDER: "waste", LOCATION_TEXT: "4 Mill Lane"}
    fields = payload_fields(message_payload(message))
    assert fields["file_under"] == "waste" and fields["location_text"] == "4 Mill Lane"
    stored = message_payload(message) or ""
    assert "someone" not in stored and "someone" not in message.sender
    assert "someone" not in message.channel_message_id


def test_digest_depends_on_user_and_every_field() -> None:
    base = request_digest(KEY, 1, new_request(FORM))
    assert base == request_digest(KEY, 1, new_request(FORM))
    assert base != request_digest(KEY, 2, new_request(FORM))
    assert base != request_digest("other-key" * 4, 1, new_request(FORM))
    for key, value in [("email", "other@mail.example"), ("description", "Help"),
                       ("address_string", "5 Mill Lane"), ("service_code", "roads")]:
        assert base != request_digest(KEY, 1, new_request(FORM | {key: value})), key


async def test_a_request_stored_before_a_crash_is_filed_on_recovery(
        world: World, triage: TriageService) -> None:
    message = inbound_message(KEY, _user(1), new_request(FORM), datetime.now(UTC))
    store = world.store
    citizen = await store.get_or_create_citizen(CHANNEL, "hash-1")
    record, _ = await store.record_inbound(
        CHANNEL, message.channel_message_id, citizen.id, message.text,
        payload_json=message_payload(message))  # stored, then the process died
    assert await Conversation(store, triage, KEY).recover() == 1
    handled = await store.get_inbound(record.id)
    assert handled is not None and handled.state is InboundState.HANDLED
    item = await store.get_feedback_by_id(handled.feedback_id or 0)
    assert item is not None and item.area == "waste" and item.original_text == "help"
    assert item.location_text == "4 Mill Lane"
    outbound = await store.list_outbound(citizen_id=citizen.id)
    assert outbound == []  # nothing is pushed to an Open311 requester


async def test_a_request_filed_just_before_a_crash_is_not_filed_twice(
        world: World, triage: TriageService) -> None:
    message = inbound_message(KEY, _user(1), new_request(FORM), datetime.now(UTC))
    store = world.store
    citizen = await store.get_or_create_citizen(CHANNEL, "hash-2")
    record, _ = await store.record_inbound(
        CHANNEL, message.channel_message_id, citizen.id, message.text,
        payload_json=message_payload(message))
    filed = await store.create_feedback(  # filed, then the process died before marking it
        channel=CHANNEL, original_text="help", redacted_text="help", area="waste",
        area_confidence=0.0, kind="complaint", citizen_id=citizen.id, inbound_id=record.id)
    assert await Conversation(store, triage, KEY).recover() == 1
    handled = await store.get_inbound(record.id)
    assert handled is not None and handled.feedback_id == filed.id
    assert await store.count_feedback() == 1


async def test_status_changes_to_open311_requesters_are_not_retried(world: World) -> None:
    reference = (await world.post()).json()[0]["service_request_id"]
    admin = await world.store.get_user_by_token_hash(hash_token(world.tokens["admin"]))
    assert admin is not None
    await StaffActions(world.store, KEY).update(reference, admin, {"status": "in_progress"})
    outbox = Outbox(world.store, {CHANNEL: Open311Sender()}, KEY)
    assert await outbox.run_once() == 1
    item = await world.store.get_feedback(reference)
    assert item is not None and item.status is FeedbackStatus.IN_PROGRESS
    [message] = await world.store.list_outbound(feedback_id=item.id)
    assert message.status is OutboundStatus.FAILED and message.attempts == 1
    assert await outbox.run_once() == 0  # given up at once: never due again


async def test_the_sender_refuses_permanently() -> None:
    with pytest.raises(SendError) as caught:
        await Open311Sender().send_text("open311:1:abc", "hello")
    assert caught.value.permanent


def _user(user_id: int) -> StaffUser:
    now = datetime.now(UTC)
    return StaffUser(id=user_id, email="x@city.example", role=StaffRole.ADMIN, areas=(),
                     password_hash=None, active=True, created_at=now, updated_at=now)

