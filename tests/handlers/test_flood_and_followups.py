"""Bursts are stored but answered once; follow-ups join a fresh report, new problems do not."""

from __future__ import annotations

import asyncio

from bot.storage import AttachmentKind, FeedbackStore, InboundState
from handlers.conversation import Conversation
from tests.handlers.conftest import Chat, Clock, RecordingAlerts

POTHOLE = "There is a huge pothole on Main Street outside the bakery"
BINS = "The bins on Elm Road have not been collected for two weeks"
BURST = [
    "There is a huge pothole on Main Street outside the bakery",
    "The streetlight on Oak Avenue has been out for a week now",
    "Rubbish has been dumped behind the community centre on Park Lane",
    "The bus shelter glass at Station Road has been smashed by vandals",
    "Loud music from the flat above the pharmacy every night until 3am",
    "The playground swings in Victoria Park are broken and unsafe for kids",
    "The pedestrian crossing button on Mill Road does nothing when pressed",
    "Graffiti covers the whole wall of the library on Church Street",
    "Cars keep parking on the double yellow lines outside the school gates",
    "The grass verge on River Walk has not been cut this month",
]


async def test_a_burst_files_at_most_the_limit_and_help_still_answers(
        chat: Chat, store: FeedbackStore, clock: Clock) -> None:
    outcomes = []
    for i, text in enumerate(BURST):
        outcomes.append(await chat.send(text))
        clock.advance(2)
        if i == 5:
            help_ = await chat.send("HELP")
            assert help_.reply is not None and "STATUS" in help_.reply
    filed = {o.reference for o in outcomes if o.action == "filed"}
    assert len(filed) == await store.count_feedback() == 3
    answered = [o for o in outcomes if o.reply is not None]
    assert len(answered) <= 4
    floods = [o for o in outcomes if o.action == "flood"]
    assert len(floods) == 7 and sum(o.reply is not None for o in floods) == 1
    flood_reply = floods[0].reply or ""
    assert "quickly" in flood_reply and str(floods[0].reference) in flood_reply
    for outcome in outcomes:  # every message is stored and handled
        record = await store.get_inbound(outcome.inbound_id)
        assert record is not None and record.state is InboundState.HANDLED
    held = await store.get_feedback(floods[-1].reference or "")
    assert held is not None and BURST[-1] in held.original_text  # kept with the report
    # Once the window has passed, a report is filed normally again.
    clock.advance(120)
    fresh = await chat.send("The zebra crossing paint on High Street has worn away completely")
    assert fresh.action == "filed" and fresh.reply is not None


async def test_a_concurrent_burst_is_still_limited(chat: Chat, store: FeedbackStore) -> None:
    outcomes = await asyncio.gather(*(chat.send(text) for text in BURST))
    assert await store.count_feedback() == 3
    assert sum(o.reply is not None for o in outcomes) <= 4


async def test_a_danger_in_a_burst_is_filed_and_alerted(
        chat: Chat, store: FeedbackStore, alerts: RecordingAlerts) -> None:
    for text in BURST[:4]:
        await chat.send(text)
    gas = await chat.send("I can smell gas in the street near my house")
    assert gas.action == "filed" and gas.urgent and len(alerts.items) == 1
    again = await chat.send("There are live wires hanging from the pole on King Street")
    assert again.action == "flood" and len(alerts.items) == 1  # once per window
    assert await store.count_feedback() == 4


async def test_followups_attach_and_a_new_problem_files_new(
        chat: Chat, store: FeedbackStore, clock: Clock) -> None:
    await chat.verify_dialog([(POTHOLE, "roads and pavements")])
    first = chat.ref
    assert first is not None
    clock.advance(30)
    located = await chat.send("", latitude=12.9716, longitude=77.5946)
    assert located.action == "attached" and located.reference == first
    assert located.reply is not None and first in located.reply
    clock.advance(30)
    await chat.verify_dialog([
        ("it's outside number 12", f"Added to your report {first}"),
        ("also the pavement is cracked", first),
    ])
    photo = await chat.photo()
    assert photo.action == "attached" and photo.reference == first
    new = await chat.send(BINS)
    assert new.action == "filed" and new.reference not in (None, first) and new.area == "waste"
    item = await store.get_feedback(first)
    assert item is not None
    assert "it's outside number 12" in item.original_text
    assert "also the pavement is cracked" in item.original_text
    assert BINS not in item.original_text
    assert (item.latitude, item.longitude) == (12.9716, 77.5946)
    kinds = [a.kind for a in await store.list_attachments(item.id)]
    assert kinds == [AttachmentKind.LOCATION, AttachmentKind.PHOTO]


async def test_a_late_followup_is_a_report_of_its_own(chat: Chat, clock: Clock) -> None:
    await chat.send(POTHOLE)
    first = chat.ref
    clock.advance(601)
    late = await chat.send("Graffiti all over the bus shelter near the school")
    assert late.action == "filed" and late.reference != first


async def test_photo_first_then_words(chat: Chat, store: FeedbackStore) -> None:
    photo = await chat.photo("AgADBAAD")
    assert photo.action == "filed" and photo.reply is not None
    assert "what is the problem" in photo.reply and str(photo.reference) in photo.reply
    words = await chat.send(POTHOLE)
    assert words.reference == photo.reference and words.area == "roads"
    assert words.reply is not None and "roads and pavements" in words.reply
    assert await store.count_feedback() == 1
    item = await store.get_feedback(photo.reference or "")
    assert item is not None and POTHOLE in item.original_text and item.area == "roads"
    [attachment] = await store.list_attachments(item.id)
    assert attachment.kind is AttachmentKind.PHOTO and attachment.value == "AgADBAAD"


async def test_another_citizens_report_is_never_a_followup(
        chat: Chat, other: Chat, conversation: Conversation) -> None:
    await chat.send(POTHOLE)
    theirs = await other.send("it's outside number 12")
    assert theirs.action == "filed" and theirs.reference != chat.ref


async def test_edits_update_a_new_report_and_nothing_after_staff_start(
        chat: Chat, store: FeedbackStore, clock: Clock) -> None:
    filed = await chat.send("Street light out on Mill Road")
    assert filed.reference is not None
    clock.advance(3600)  # edits come late too: they still belong to the report
    edited = await chat.send("Street light out on Mill Road outside number 40", edited=True)
    assert edited.reference == filed.reference and edited.action == "attached"
    item = await store.get_feedback(filed.reference)
    assert item is not None and "number 40" in item.original_text
    await store.update_feedback(filed.reference, "staff:1", {"status": "in_progress"})
    late = await chat.send("Actually it is number 42", edited=True)
    assert late.reply is None and late.reference == filed.reference
    item = await store.get_feedback(filed.reference)
    assert item is not None and "number 42" not in item.original_text
    assert await store.count_feedback() == 1
