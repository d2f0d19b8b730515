"""Closing the loop: resolved -> "Is it fixed?" -> the citizen's 1/2 answer."""

from __future__ import annotations

import pytest

from bot.channels.telegram.alerts import AlertFanout
from bot.storage import (
    FeedbackItem,
    FeedbackStatus,
    FeedbackStore,
    SatisfactionAnswer,
    StaffRole,
    StaffUser,
)
from handlers.alerts import LogAlerts
from handlers.conversation import Action, Conversation, ConversationConfig
from handlers.satisfaction import parse_answer
from handlers.staff_actions import StaffActions
from handlers.triage import TriageService
from tests.handlers.conftest import KEY, Chat, Clock, RecordingAlerts

NOTE = "Pothole filled and the kerb repaired; the lane reopens at 6pm. Thanks, Roads team"
DAY = 24 * 3600


@pytest.fixture
def staff_actions(store: FeedbackStore, clock: Clock) -> StaffActions:
    return StaffActions(store, KEY, ConversationConfig(), now=clock)


@pytest.fixture
async def admin(store: FeedbackStore) -> StaffUser:
    return await store.create_user("admin@example.gov", StaffRole.ADMIN)


@pytest.fixture
async def pothole(chat: Chat, store: FeedbackStore) -> FeedbackItem:
    outcome = await chat.send("There is a huge pothole on Main Street outside the bakery")
    item = await store.get_feedback(outcome.reference or "")
    assert item is not None
    return item


async def _resolve(staff_actions: StaffActions, admin: StaffUser, item: FeedbackItem,
                   clock: Clock, note: str | None = NOTE) -> None:
    clock.advance(DAY)  # the next messages are no longer follow-ups to the report
    await staff_actions.update(item.reference, admin, {"status": "resolved"}, note)


async def _status(store: FeedbackStore, item: FeedbackItem) -> FeedbackStatus:
    fresh = await store.get_feedback(item.reference)
    assert fresh is not None
    return fresh.status


async def _answers(store: FeedbackStore, item: FeedbackItem) -> list[SatisfactionAnswer]:
    return [s.answer for s in await store.list_satisfaction(item.id)]


async def test_resolving_tells_the_citizen_and_asks(
        staff_actions: StaffActions, store: FeedbackStore, admin: StaffUser, clock: Clock,
        pothole: FeedbackItem) -> None:
    await _resolve(staff_actions, admin, pothole, clock)
    [message] = await store.list_outbound(feedback_id=pothole.id)
    assert pothole.reference in message.text and NOTE in message.text
    assert message.text.endswith("Is it fixed? Reply 1 yes, 2 no")
    assert message.channel == "sms" and message.kind == "status"


async def test_yes_thanks_and_records_without_filing(
        chat: Chat, staff_actions: StaffActions, store: FeedbackStore, admin: StaffUser,
        clock: Clock, pothole: FeedbackItem) -> None:
    await _resolve(staff_actions, admin, pothole, clock)
    clock.advance(3600)
    before = await store.count_feedback()
    await chat.verify_dialog([("1", f"Thank you for telling us that {pothole.reference}")])
    assert chat.outcomes[-1].action == Action.SATISFIED
    assert await store.count_feedback() == before
    assert await _answers(store, pothole) == [SatisfactionAnswer.YES]
    assert await _status(store, pothole) is FeedbackStatus.RESOLVED
    # The question is answered: a second "yes" is an ordinary word again (help).
    await chat.verify_dialog([("yes", "Describe a problem")])
    assert await _answers(store, pothole) == [SatisfactionAnswer.YES]


async def test_no_reopens_alerts_once_and_records(
        chat: Chat, staff_actions: StaffActions, store: FeedbackStore, admin: StaffUser,
        clock: Clock, alerts: RecordingAlerts, pothole: FeedbackItem) -> None:
    await _resolve(staff_actions, admin, pothole, clock)
    clock.advance(2 * DAY)
    before = await store.count_feedback()
    await chat.verify_dialog([("Not fixed!", f"We reopened {pothole.reference}")])
    assert chat.outcomes[-1].action == Action.REOPENED
    assert await _status(store, pothole) is FeedbackStatus.IN_PROGRESS
    assert await _answers(store, pothole) == [SatisfactionAnswer.NO]
    assert [a.reference for a in alerts.reopens] == [pothole.reference]
    assert await store.count_feedback() == before
    history = await staff_actions.history(pothole.reference)
    reopen = [e for e in history if e.after and e.after.get("status") == "in_progress"]
    assert [e.actor for e in reopen] == [f"citizen:{pothole.citizen_id}"]
    # Redelivered, the same message changes nothing more.
    again = await chat.send("2", message_id="dup-2")
    repeat = await chat.send("2", message_id="dup-2")
    assert repeat.duplicate and repeat.reply == again.reply
    assert again.action != Action.REOPENED and len(alerts.reopens) == 1
    assert await _answers(store, pothole) == [SatisfactionAnswer.NO]


async def test_answers_in_german(
        chat: Chat, staff_actions: StaffActions, store: FeedbackStore, admin: StaffUser,
        clock: Clock, pothole: FeedbackItem) -> None:
    await chat.send("LANG de")
    await _resolve(staff_actions, admin, pothole, clock, note=None)
    [message] = await store.list_outbound(feedback_id=pothole.id)
    assert message.text.endswith("Ist es behoben? Antworten Sie 1 ja, 2 nein")
    await chat.verify_dialog([("nein", f"Wir haben {pothole.reference} wieder geöffnet")])


async def test_a_late_answer_or_no_question_is_an_ordinary_message(
        chat: Chat, staff_actions: StaffActions, store: FeedbackStore, admin: StaffUser,
        clock: Clock, alerts: RecordingAlerts, pothole: FeedbackItem) -> None:
    clock.advance(DAY)
    no_question = await chat.send("2")  # nothing was asked: not an answer
    assert no_question.action not in (Action.REOPENED, Action.SATISFIED)
    await _resolve(staff_actions, admin, pothole, clock)
    clock.advance(8 * DAY)  # past the 7-day window
    late = await chat.send("2")
    assert late.action not in (Action.REOPENED, Action.SATISFIED)
    assert await _status(store, pothole) is FeedbackStatus.RESOLVED
    assert await _answers(store, pothole) == [] and alerts.reopens == []


async def test_a_forget_prompt_after_the_question_takes_the_no(
        chat: Chat, staff_actions: StaffActions, store: FeedbackStore, admin: StaffUser,
        clock: Clock, pothole: FeedbackItem) -> None:
    await _resolve(staff_actions, admin, pothole, clock)
    clock.advance(60)
    await chat.verify_dialog([("FORGET", "FORGET YES"), ("no", "Nothing was erased")])
    assert await _answers(store, pothole) == []
    assert await _status(store, pothole) is FeedbackStatus.RESOLVED


async def test_a_stopped_citizen_hears_nothing_and_is_not_asked(
        chat: Chat, staff_actions: StaffActions, store: FeedbackStore, admin: StaffUser,
        clock: Clock, alerts: RecordingAlerts, pothole: FeedbackItem) -> None:
    await chat.send("STOP")
    await _resolve(staff_actions, admin, pothole, clock)
    assert await store.list_outbound(feedback_id=pothole.id) == []
    await chat.verify_dialog([("2", None)])
    assert await _status(store, pothole) is FeedbackStatus.RESOLVED
    assert await _answers(store, pothole) == [] and alerts.reopens == []


async def test_a_citizen_who_stops_after_the_question_is_not_answered(
        chat: Chat, staff_actions: StaffActions, store: FeedbackStore, admin: StaffUser,
        clock: Clock, pothole: FeedbackItem) -> None:
    await _resolve(staff_actions, admin, pothole, clock)
    await chat.verify_dialog([("STOP", "no more messages"), ("2", None)])
    assert await _answers(store, pothole) == []


async def test_alerts_without_reopened_still_work(
        store: FeedbackStore, triage: TriageService, clock: Clock, admin: StaffUser) -> None:
    class UrgentOnly:
        async def urgent(self, item: FeedbackItem) -> None:
            return None

    for n, alerts in enumerate((UrgentOnly(), AlertFanout(UrgentOnly(), LogAlerts()), None)):
        conversation = Conversation(store, triage, KEY, alerts=alerts, now=clock)
        chat = Chat(conversation, clock, sender=f"+155502{n:02d}")
        outcome = await chat.send("The streetlight outside number 4 has been out for a week")
        item = await store.get_feedback(outcome.reference or "")
        assert item is not None
        await _resolve(StaffActions(store, KEY, now=clock), admin, item, clock)
        assert (await chat.send("2")).action == Action.REOPENED


async def test_alert_fanout_reaches_targets_that_have_reopened(pothole: FeedbackItem) -> None:
    class Broken(RecordingAlerts):
        async def reopened(self, item: FeedbackItem) -> None:
            raise RuntimeError("down")

    class UrgentOnly:
        async def urgent(self, item: FeedbackItem) -> None:
            return None

    recording = RecordingAlerts()
    await AlertFanout(Broken(), UrgentOnly(), recording).reopened(pothole)
    assert recording.reopens == [pothole]


@pytest.mark.parametrize(("text", "answer"), [
    ("1", SatisfactionAnswer.YES), (" Yes! ", SatisfactionAnswer.YES),
    ("fixed", SatisfactionAnswer.YES), ("it's fixed", SatisfactionAnswer.YES),
    ("ja", SatisfactionAnswer.YES), ("2", SatisfactionAnswer.NO), ("NO.", SatisfactionAnswer.NO),
    ("not fixed", SatisfactionAnswer.NO), ("Nein", SatisfactionAnswer.NO),
    ("12", None), ("no streetlight on Elm St", None), ("", None), ("1 2", None),
])
def test_parse_answer(text: str, answer: SatisfactionAnswer | None) -> None:
    assert parse_answer(text) is answer
