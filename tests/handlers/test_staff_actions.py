"""Staff corrections, status updates to citizens, replies, permissions and history."""

from __future__ import annotations

import pytest

from bot.storage import (
    CorrectionField,
    FeedbackItem,
    FeedbackStatus,
    FeedbackStore,
    OutboundStatus,
    StaffRole,
    StaffUser,
)
from handlers.conversation import ConversationConfig
from handlers.errors import CitizenUnreachable
from handlers.gsm7 import gsm7_segments
from handlers.staff_actions import StaffActions
from tests.handlers.conftest import KEY, Chat, Clock


@pytest.fixture
def staff_actions(store: FeedbackStore, clock: Clock) -> StaffActions:
    return StaffActions(store, KEY, ConversationConfig(), now=clock)


@pytest.fixture
async def roads_staff(store: FeedbackStore) -> StaffUser:
    return await store.create_user("roads@example.gov", StaffRole.STAFF, areas=["roads"])


@pytest.fixture
async def waste_staff(store: FeedbackStore) -> StaffUser:
    return await store.create_user("waste@example.gov", StaffRole.STAFF, areas=["waste"])


@pytest.fixture
async def admin(store: FeedbackStore) -> StaffUser:
    return await store.create_user("admin@example.gov", StaffRole.ADMIN)


@pytest.fixture
async def pothole(chat: Chat, store: FeedbackStore) -> FeedbackItem:
    outcome = await chat.send("There is a huge pothole on Main Street outside the bakery")
    item = await store.get_feedback(outcome.reference or "")
    assert item is not None and item.area == "roads" and item.citizen_id is not None
    return item


async def _messages(store: FeedbackStore, item: FeedbackItem) -> list[str]:
    return [m.text for m in await store.list_outbound(feedback_id=item.id)]


async def test_area_and_kind_are_labels_whether_confirmed_or_changed(
        staff_actions: StaffActions, store: FeedbackStore, roads_staff: StaffUser,
        pothole: FeedbackItem) -> None:
    same = await staff_actions.update(pothole.reference, roads_staff, {"area": "roads"}, None)
    assert same.area == "roads"
    moved = await staff_actions.update(pothole.reference, roads_staff,
                                       {"area": "traffic_parking", "kind": "complaint"}, None)
    assert moved.area == "traffic_parking"
    labels = [(c.field, c.value, c.previous_value) for c in await store.list_corrections()]
    assert labels == [
        (CorrectionField.AREA, "roads", "roads"),
        (CorrectionField.AREA, "traffic_parking", "roads"),
        (CorrectionField.KIND, "complaint", "complaint"),
    ]
    assert await _messages(store, pothole) == []  # no status change, nothing to tell


async def test_status_change_tells_the_citizen_once(
        staff_actions: StaffActions, store: FeedbackStore, roads_staff: StaffUser,
        pothole: FeedbackItem) -> None:
    note = "Crew booked for Tuesday morning"
    updated = await staff_actions.update(pothole.reference, roads_staff,
                                         {"status": "in_progress"}, note)
    assert updated.status is FeedbackStatus.IN_PROGRESS
    [message] = await store.list_outbound(feedback_id=pothole.id)
    assert pothole.reference in message.text and "being worked on" in message.text
    assert note in message.text and message.kind == "status"
    assert message.channel == "sms" and message.citizen_id == pothole.citizen_id
    assert message.status is OutboundStatus.QUEUED
    # The same status again, or back to "new", says nothing more.
    await staff_actions.update(pothole.reference, roads_staff, {"status": "in_progress"}, None)
    await staff_actions.update(pothole.reference, roads_staff, {"status": "new"}, None)
    assert len(await _messages(store, pothole)) == 1
    history = await staff_actions.history(pothole.reference)
    notes = [e.after.get("note") for e in history if e.action == "update" and e.after]
    assert note in notes


async def test_the_status_message_uses_the_citizens_language(
        chat: Chat, staff_actions: StaffActions, store: FeedbackStore, admin: StaffUser,
        pothole: FeedbackItem) -> None:
    await chat.send("LANG de")
    await staff_actions.update(pothole.reference, admin, {"status": "in_progress"}, None)
    await staff_actions.update(pothole.reference, admin, {"status": "resolved"}, None)
    progress, resolved = await _messages(store, pothole)
    assert progress == f"Neuigkeit zu Ihrer Meldung {pothole.reference}: in Bearbeitung."
    assert resolved == (f"Ihre Meldung {pothole.reference} ist erledigt. Ist es behoben? "
                        "Antworten Sie 1 ja, 2 nein")


async def test_nothing_goes_to_a_stopped_or_forgotten_citizen(
        chat: Chat, staff_actions: StaffActions, store: FeedbackStore, admin: StaffUser,
        pothole: FeedbackItem) -> None:
    await chat.send("STOP")
    await staff_actions.update(pothole.reference, admin, {"status": "resolved"}, None)
    assert await _messages(store, pothole) == []
    with pytest.raises(CitizenUnreachable):
        await staff_actions.reply(pothole.reference, admin, "We fixed it")
    await chat.send("START")
    await chat.send("FORGET")
    await chat.send("FORGET YES")
    await staff_actions.update(pothole.reference, admin, {"status": "closed"}, None)
    assert await _messages(store, pothole) == []
    with pytest.raises(ValueError, match="stopped messages or was forgotten"):
        await staff_actions.reply(pothole.reference, admin, "Hello?")


async def test_permissions_and_bad_input(
        staff_actions: StaffActions, roads_staff: StaffUser, waste_staff: StaffUser,
        admin: StaffUser, pothole: FeedbackItem) -> None:
    assert staff_actions.can_see(roads_staff, pothole) and staff_actions.can_see(admin, pothole)
    assert not staff_actions.can_see(waste_staff, pothole)
    ref = pothole.reference
    with pytest.raises(PermissionError):
        await staff_actions.update(ref, waste_staff, {"status": "closed"}, None)
    with pytest.raises(PermissionError):
        await staff_actions.reply(ref, waste_staff, "hello")
    with pytest.raises(PermissionError):
        await staff_actions.history(ref, waste_staff)
    with pytest.raises(LookupError):
        await staff_actions.update("CV-ZZZZZ", admin, {"status": "closed"}, None)
    with pytest.raises(LookupError):
        await staff_actions.update("not a reference", admin, {"status": "closed"}, None)
    for bad in ({"status": "done"}, {"kind": "rant"}, {"area": ""}, {"area": "  "},
                {"area": None}, {"urgent": True}, {"text": "x"}):
        with pytest.raises(ValueError):
            await staff_actions.update(ref, admin, bad, None)
    with pytest.raises(ValueError):
        await staff_actions.reply(ref, admin, "   ")
    # Staff may move an item out of their areas; then they no longer see it.
    moved = await staff_actions.update(ref.lower(), roads_staff, {"area": "Waste"}, None)
    assert moved.area == "waste" and staff_actions.can_see(waste_staff, moved)


async def test_reply_reaches_the_citizen_with_the_reference(
        staff_actions: StaffActions, store: FeedbackStore, roads_staff: StaffUser,
        pothole: FeedbackItem) -> None:
    outbound_id = await staff_actions.reply(pothole.reference, roads_staff,
                                            "Thanks \u2013 we\u2019ll fix it this week.")
    message = await store.get_outbound(outbound_id)
    assert message is not None and message.kind == "reply"
    expected = f"About your report {pothole.reference}: Thanks - we'll fix it this week."
    assert message.text == expected
    assert gsm7_segments(message.text) == 1
    history = await staff_actions.history(pothole.reference)
    assert any(e.action == "reply" and e.actor == f"staff:{roads_staff.id}" for e in history)


async def test_sms_text_must_fit_two_segments(
        staff_actions: StaffActions, store: FeedbackStore, admin: StaffUser,
        pothole: FeedbackItem) -> None:
    with pytest.raises(ValueError, match="segments"):
        await staff_actions.reply(pothole.reference, admin, "x" * 300)
    with pytest.raises(ValueError, match="segments"):
        await staff_actions.update(pothole.reference, admin, {"status": "resolved"}, "n" * 300)
    unchanged = await store.get_feedback(pothole.reference)
    assert unchanged is not None and unchanged.status is FeedbackStatus.NEW  # nothing changed
    assert await staff_actions.reply(pothole.reference, admin, "x" * 250) > 0


async def test_web_citizens_may_get_longer_replies(
        conversation: object, clock: Clock, staff_actions: StaffActions, store: FeedbackStore,
        admin: StaffUser) -> None:
    web = Chat(conversation, clock, sender="browser-123", channel="web")  # type: ignore[arg-type]
    outcome = await web.send("The streetlight outside number 4 has been out for a week")
    assert outcome.reference is not None
    outbound_id = await staff_actions.reply(outcome.reference, admin, "y" * 1000)
    message = await store.get_outbound(outbound_id)
    assert message is not None and message.channel == "web"
