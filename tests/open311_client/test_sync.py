"""Reading the city's status back: notes stored, our report resolved once, citizen told."""

from __future__ import annotations

from bot.open311.closing import citizen_text
from bot.storage import FeedbackItem, FeedbackStatus, Open311State
from handlers.gsm7 import gsm7_segments
from handlers.turns import ConversationConfig, satisfaction_key
from tests.open311_client.conftest import City


async def _sent(city: City, text: str = "Pothole outside number 12") -> FeedbackItem:
    item = await city.report(text)
    await city.run()
    return item


async def test_the_city_closing_resolves_ours_and_tells_the_citizen(city: City) -> None:
    item = await _sent(city)
    city.server.close("1001", "Pothole filled on 2 May")
    city.clock.advance(minutes=5)
    assert await city.sync.run_once() == 1
    resolved = await city.store.get_feedback(item.reference)
    assert resolved is not None and resolved.status is FeedbackStatus.RESOLVED
    [message] = await city.store.list_outbound(feedback_id=item.id)
    assert (message.kind, message.channel, message.citizen_id) == (
        "status", "web", city.citizen.id)
    assert item.reference in message.text and "Pothole filled on 2 May" in message.text
    assert "Is it fixed?" in message.text
    assert await city.store.get_meta(satisfaction_key(city.citizen.id)) is not None
    change = [e for e in await city.store.list_audit("feedback", item.id)
              if e.after and e.after.get("status") == "resolved"]
    assert [e.actor for e in change] == ["open311:roads"]
    forward = await city.store.get_open311_forward(item.id)
    assert forward is not None
    assert (forward.state, forward.external_status, forward.external_status_notes) == (
        Open311State.CLOSED, "closed", "Pothole filled on 2 May")
    assert forward.closed_at == city.clock.now
    # later passes neither read it again nor close it twice
    city.clock.advance(minutes=5)
    assert await city.sync.run_once() == 0
    assert len(await city.store.list_outbound(feedback_id=item.id)) == 1
    assert city.server.gets.count("requests?service_request_id=1001") == 1


async def test_an_open_request_keeps_ours_as_it_is(city: City) -> None:
    item = await _sent(city)
    city.clock.advance(minutes=1)
    assert await city.sync.run_once() == 0
    forward = await city.store.get_open311_forward(item.id)
    assert forward is not None and forward.state is Open311State.SENT
    assert (forward.external_status, forward.last_synced_at) == ("open", city.clock.now)
    current = await city.store.get_feedback(item.reference)
    assert current is not None and current.status is FeedbackStatus.NEW
    assert await city.store.list_outbound(feedback_id=item.id) == []


async def test_status_is_read_in_one_batch_per_endpoint(city: City) -> None:
    for n in range(3):
        await city.report(f"Pothole number {n}")
    await city.run()
    city.clock.advance(minutes=1)
    await city.sync.run_once()
    [query] = [g for g in city.server.gets if "service_request_id" in g]
    assert sorted(query.split("=")[1].split(",")) == ["1001", "1002", "1003"]


async def test_a_report_staff_already_closed_is_left_alone(city: City) -> None:
    item = await _sent(city)
    await city.store.update_feedback(item.reference, "staff:2",
                                     {"status": FeedbackStatus.CLOSED})
    city.server.close("1001", "done")
    city.clock.advance(minutes=1)
    assert await city.sync.run_once() == 0
    current = await city.store.get_feedback(item.reference)
    assert current is not None and current.status is FeedbackStatus.CLOSED
    assert await city.store.list_outbound(feedback_id=item.id) == []
    forward = await city.store.get_open311_forward(item.id)
    assert forward is not None and forward.state is Open311State.CLOSED


async def test_a_failed_status_read_is_tried_again_next_pass(city: City) -> None:
    item = await _sent(city)
    city.server.close("1001", None)
    city.server.fail(502, "bad gateway")
    city.clock.advance(minutes=1)
    assert await city.sync.run_once() == 0
    forward = await city.store.get_open311_forward(item.id)
    assert forward is not None and forward.last_synced_at is None
    city.clock.advance(minutes=1)
    assert await city.sync.run_once() == 1
    [message] = await city.store.list_outbound(feedback_id=item.id)
    assert "Note" not in message.text and item.reference in message.text


def test_a_long_city_note_is_shortened_to_fit_two_sms(city: City) -> None:
    note = "The crew resurfaced the whole junction and replaced two drain covers. " * 5
    config = ConversationConfig()

    class Item:  # just what citizen_text reads
        reference = "CV-7K3P2"
        channel = "sms"

    text = citizen_text(Item(), "en", note, config)  # type: ignore[arg-type]
    assert gsm7_segments(text) <= 2
    assert "..." in text and text.endswith("Is it fixed? Reply 1 yes, 2 no")
