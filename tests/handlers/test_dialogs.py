"""The conversation as citizens see it: dialogue tables through the real model and store."""

from __future__ import annotations

import pytest

from bot.security import pseudonymise
from bot.storage import ERASED_TEXT, FeedbackStore
from handlers.keywords import STOP_WORDS
from tests.handlers.conftest import KEY, Chat, Clock, RecordingAlerts

POTHOLE = "There is a huge pothole on Main Street outside the bakery"
GAS = "I can smell gas in the street near my house"
BINS = "The bins on Elm Road have not been collected for two weeks"


async def test_help_and_greetings(chat: Chat) -> None:
    await chat.verify_dialog([
        ("HELP", "STATUS <ref>"),
        ("help!", "MY: your open reports"),
        ("/help", "STOP: no more messages"),
        ("/help@CivicVoiceBot", "FORGET"),
        ("?", "LANG <code>"),
        ("Info", "STATUS"),
        ("hello", "Welcome to CivicVoice"),
        ("/start", "Welcome to CivicVoice"),
    ])


async def test_report_then_status_and_my(chat: Chat, store: FeedbackStore) -> None:
    await chat.verify_dialog([
        (POTHOLE, "CV-"),
        ("STATUS {ref}", "{ref}"),
        ("status {ref}", "received"),
        ("STATUS", "{ref}"),
        ("{ref}", "Report {ref}"),
        ("MY", "{ref} (received)"),
    ])
    first = chat.outcomes[0]
    assert first.area == "roads" and first.action == "filed" and not first.duplicate
    assert "roads and pavements" in (first.reply or "")
    assert first.reference is not None and first.reference in (first.reply or "")
    item = await store.get_feedback(first.reference)
    assert item is not None and item.original_text == POTHOLE
    assert chat.outcomes[1].reference == first.reference  # STATUS names what it asked about


async def test_status_never_reveals_another_citizens_report(chat: Chat, other: Chat) -> None:
    await chat.send(POTHOLE)
    assert chat.ref is not None
    theirs = await other.send(f"STATUS {chat.ref}")
    unknown = await other.send("STATUS CV-ZZZZZ")
    malformed = await other.send("STATUS CV-00000")
    assert theirs.reply == unknown.reply == malformed.reply
    assert chat.ref not in (theirs.reply or "") and theirs.reference is None
    await other.verify_dialog([("STATUS", "no reports yet"), ("MY", "no open reports")])


async def test_stop_silences_everything_but_start(chat: Chat, store: FeedbackStore) -> None:
    await chat.verify_dialog([
        ("STOP", "no more messages"),
        (POTHOLE, None),
        ("HELP", None),
        ("STATUS", None),
        ("STOP", "no more messages"),
        ("START", "Welcome back"),
        ("HELP", "STATUS"),
    ])
    silent = chat.outcomes[1]
    assert silent.reference is not None  # stored and filed, just not answered
    item = await store.get_feedback(silent.reference)
    assert item is not None and item.original_text == POTHOLE


@pytest.mark.parametrize("word", sorted(STOP_WORDS))
async def test_every_twilio_stop_word_stops(chat: Chat, word: str) -> None:
    await chat.verify_dialog([(word.upper(), "no more messages"), ("HELP", None),
                              ("yes", "Welcome back")])


async def test_stop_inside_a_sentence_is_a_report(chat: Chat) -> None:
    outcome = await chat.send("Stop the loud music at the bar on King Street every night")
    assert outcome.action == "filed" and outcome.reference is not None


async def test_forget_erases_after_confirmation(chat: Chat, store: FeedbackStore) -> None:
    await chat.verify_dialog([
        (POTHOLE, "CV-"),
        ("FORGET", "FORGET YES"),
        ("FORGET YES", "erased"),
    ])
    reference = chat.outcomes[0].reference
    assert reference is not None
    item = await store.get_feedback(reference)
    assert item is not None and item.original_text == ERASED_TEXT
    assert item.redacted_text == ERASED_TEXT and item.citizen_id is None
    assert item.area == "roads"  # the anonymous count stays
    assert await store.count_feedback(areas=["roads"]) == 1
    address_hash = pseudonymise(KEY, "sms", chat.sender)
    assert await store.find_citizen("sms", address_hash) is None
    inbound = await store.get_inbound(chat.outcomes[0].inbound_id)
    assert inbound is not None and inbound.text is None
    # Writing again starts afresh as a new, unknown citizen.
    await chat.verify_dialog([("STATUS", "no reports yet")])


async def test_forget_then_yes_and_no(chat: Chat, other: Chat, store: FeedbackStore) -> None:
    await chat.verify_dialog([(POTHOLE, "CV-"), ("forget", "within 10 min"), ("yes", "erased")])
    await other.verify_dialog([
        (BINS, "CV-"),
        ("FORGET", "FORGET NO"),
        ("no", "Nothing was erased"),
        ("FORGET YES", "FORGET YES within"),  # the earlier request was withdrawn: ask again
    ])
    assert other.ref is not None
    kept = await store.get_feedback(other.ref)
    assert kept is not None and kept.original_text == BINS


async def test_forget_confirmation_expires(chat: Chat, clock: Clock) -> None:
    await chat.verify_dialog([(POTHOLE, "CV-"), ("FORGET", "FORGET YES")])
    clock.advance(601)
    await chat.verify_dialog([("yes", "Nothing was erased"), ("FORGET YES", "within 10 min")])


async def test_lang(chat: Chat, store: FeedbackStore) -> None:
    await chat.verify_dialog([
        ("LANG de", "Deutsch"),
        ("HELP", "Beschreiben Sie"),
        (POTHOLE, "Straßen und Gehwege"),
        ("STATUS", "eingegangen"),
        ("LANG xx", "de, en"),
        ("Language english", "English"),
        ("HELP", "Describe a problem"),
        ("lang", "Send LANG and one of: de, en"),
    ])


async def test_language_hint_from_the_channel(chat: Chat) -> None:
    outcome = await chat.send("hallo", language="de-AT")
    assert outcome.reply is not None and "Willkommen" in outcome.reply


async def test_urgent_report(chat: Chat, alerts: RecordingAlerts) -> None:
    outcome = await chat.send(GAS)
    assert outcome.urgent and outcome.reference is not None
    assert outcome.reply is not None
    assert "call 911" in outcome.reply and outcome.reference in outcome.reply
    assert [item.reference for item in alerts.items] == [outcome.reference]


async def test_empty_and_not_text(chat: Chat, store: FeedbackStore) -> None:
    await chat.verify_dialog([("   ", "empty"), ("", "empty")])
    outcome = await chat.send("", extra={"unsupported": "voice"})
    assert outcome.reply is not None and "only read text, photos and locations" in outcome.reply
    assert await store.count_feedback() == 0


async def test_too_long_is_stored_not_filed(chat: Chat, store: FeedbackStore) -> None:
    text = "The road is broken. " * 10_000  # 200 kB
    outcome = await chat.send(text)
    assert outcome.action == "too_long" and outcome.reply is not None
    assert "2000 characters" in outcome.reply
    assert await store.count_feedback() == 0
    inbound = await store.get_inbound(outcome.inbound_id)
    assert inbound is not None and inbound.text == text


@pytest.mark.parametrize("text", [
    "Robert'); DROP TABLE feedback;-- the bin on Oak Street is overflowing again",
    "<script>alert('x')</script> <b>broken</b> bench in the park & \"fence\"",
    "' OR 1=1 -- pothole on {reference} %s %(x)s",
])
async def test_sql_and_html_text_is_stored_verbatim(chat: Chat, store: FeedbackStore,
                                                    text: str) -> None:
    outcome = await chat.send(text)
    assert outcome.reference is not None
    item = await store.get_feedback(outcome.reference)
    assert item is not None and item.original_text == text
    assert outcome.reply is not None and "<script>" not in outcome.reply
    assert await store.count_feedback() == 1
