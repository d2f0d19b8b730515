"""Posting reports to the city stand-in: ids, tokens, retries, refusals, confirmation."""

from __future__ import annotations

from datetime import timedelta

from bot.storage import CorrectionField, FeedbackStatus, Open311State
from tests.open311_client.conftest import City
from tests.open311_client.fake_city import API_KEY, SERVICE_CODE


async def test_a_report_is_posted_redacted_and_its_id_stored(city: City) -> None:
    item = await city.report()
    assert await city.run() == 1
    [sent] = city.server.received()
    form = sent.form
    assert form["api_key"] == API_KEY and form["service_code"] == SERVICE_CODE
    assert form["description"].startswith("Pothole outside number 12 on Elm St call me on [phone]")
    assert form["description"].endswith(f"(CivicVoice reference {item.reference})")
    assert "+1555" not in form["description"]
    assert (form["lat"], form["long"], form["address_string"]) == ("52.52", "13.405", "Elm St 12")
    assert "jurisdiction_id" not in form
    forward = await city.store.get_open311_forward(item.id)
    assert forward is not None
    assert (forward.state, forward.external_id, forward.attempts) == (Open311State.SENT, "1001", 1)
    assert forward.reference == item.reference and forward.last_error is None
    history = await city.store.list_audit("feedback", item.id)
    assert [(e.actor, e.action) for e in history][-1] == ("open311:roads", "open311_forwarded")
    assert history[-1].after == {"area": "roads", "state": "sent", "service_request_id": "1001"}


async def test_jurisdiction_is_sent_when_set(city: City) -> None:
    await city.configure(open311_jurisdiction_id="city.example")
    await city.report()
    await city.run()
    assert city.server.received()[0].form["jurisdiction_id"] == "city.example"


async def test_a_token_is_stored_then_resolved_to_an_id(city: City) -> None:
    city.server.use_tokens = True
    item = await city.report()
    await city.run()
    forward = await city.store.get_open311_forward(item.id)
    assert forward is not None
    assert (forward.state, forward.external_token, forward.external_id) == (
        Open311State.TOKEN_PENDING, "tok-1001", None)
    assert await city.run() == 0  # the token is checked 30 s later, not at once
    assert await city.run(seconds=30) == 1  # the city has no id yet
    forward = await city.store.get_open311_forward(item.id)
    assert forward is not None and forward.state is Open311State.TOKEN_PENDING
    assert forward.last_error is None
    city.server.release_tokens()
    await city.run(seconds=60)
    forward = await city.store.get_open311_forward(item.id)
    assert forward is not None
    assert (forward.state, forward.external_id) == (Open311State.SENT, "1001")
    assert city.server.posts == 1
    assert city.server.gets == ["tokens/tok-1001", "tokens/tok-1001"]


async def test_a_500_is_retried_after_a_backoff_and_shown_meanwhile(city: City) -> None:
    city.server.fail(500, "database unavailable")
    item = await city.report()
    await city.run()
    forward = await city.store.get_open311_forward(item.id)
    assert forward is not None and forward.state is Open311State.PENDING
    assert forward.last_error == "POST requests.json: 500 database unavailable"
    # equal jitter: between half and all of the first pause (60 s)
    assert city.clock.now + timedelta(seconds=30) <= forward.next_attempt_at
    assert forward.next_attempt_at <= city.clock.now + timedelta(seconds=60)
    [failing] = await city.store.list_open311_forwards(failed_only=True)
    assert failing.reference == item.reference and failing.attempts == 1
    assert await city.run(seconds=29) == 0
    assert await city.run(seconds=31) == 1
    forward = await city.store.get_open311_forward(item.id)
    assert forward is not None
    assert (forward.state, forward.external_id, forward.attempts) == (Open311State.SENT, "1001", 2)
    assert city.server.posts == 2 and len(city.server.received()) == 1
    assert await city.store.list_open311_forwards(failed_only=True) == []


async def test_a_429_waits_for_retry_after(city: City) -> None:
    city.server.fail(429, "slow down", {"Retry-After": "7"})
    item = await city.report()
    await city.run()
    forward = await city.store.get_open311_forward(item.id)
    assert forward is not None and forward.state is Open311State.PENDING
    assert forward.next_attempt_at == city.clock.now + timedelta(seconds=7)


async def test_a_refusal_is_permanent_shown_and_can_be_retried(city: City) -> None:
    await city.configure(open311_service_code="NOPE")
    item = await city.report()
    await city.run()
    [failed] = await city.store.list_open311_forwards(failed_only=True)
    assert (failed.reference, failed.state) == (item.reference, Open311State.FAILED_PERMANENT)
    assert failed.last_error == "POST requests.json: 400 unknown service_code"
    assert await city.run(hours=12) == 0 and city.server.posts == 1
    audit = await city.store.list_audit("feedback", item.id)
    assert audit[-1].action == "open311_failed"
    await city.configure()
    await city.store.retry_open311_forward(item.id, actor="staff:1")
    await city.run()
    forward = await city.store.get_open311_forward(item.id)
    assert forward is not None and forward.state is Open311State.SENT


async def test_repeated_failures_are_given_up_after_max_attempts(city: City) -> None:
    for _ in range(4):
        city.server.fail(503, "maintenance")
    item = await city.report()
    for _ in range(4):
        await city.run(hours=1)
    forward = await city.store.get_open311_forward(item.id)
    assert forward is not None
    assert (forward.state, forward.attempts) == (Open311State.FAILED_PERMANENT, 4)


async def test_a_wrong_api_key_is_a_permanent_failure(city: City) -> None:
    from bot.security import AddressCipher
    from tests.open311_client.conftest import SECRET

    await city.configure(open311_api_key_encrypted=AddressCipher(SECRET).encrypt("wrong"))
    item = await city.report()
    await city.run()
    forward = await city.store.get_open311_forward(item.id)
    assert forward is not None and forward.state is Open311State.FAILED_PERMANENT
    assert forward.last_error == "POST requests.json: 403 invalid api_key"


async def test_confirmation_holds_a_report_until_staff_confirm(city: City) -> None:
    await city.configure(requires_confirmation=True)
    item = await city.report()
    moved_on = await city.report("Another pothole")
    assert await city.run() == 0
    # the citizen confirming their own team is not enough
    await city.store.add_correction(item.id, CorrectionField.AREA, "roads", "roads",
                                    f"citizen:{city.citizen.id}")
    assert await city.run() == 0
    await city.store.add_correction(item.id, CorrectionField.AREA, "roads", "roads", "staff:3")
    await city.store.update_feedback(moved_on.reference, "staff:3",
                                     {"status": FeedbackStatus.ACKNOWLEDGED})
    assert await city.run() == 2
    assert len(city.server.received()) == 2


async def test_new_reports_wait_for_follow_ups(city: City) -> None:
    city.forwarder._config = city.config.__class__(delay=timedelta(minutes=10))
    await city.report()
    assert await city.run() == 0
    assert await city.run(minutes=10) == 1


async def test_closed_moved_or_unconfigured_reports_are_not_sent(city: City) -> None:
    rejected = await city.report("spam")
    await city.store.update_feedback(rejected.reference, "staff:1",
                                     {"status": FeedbackStatus.REJECTED})
    await city.report("bins not emptied", area="waste")
    assert await city.run() == 0
    # queued, then re-routed before the worker got to it: cancelled, not sent
    moved = await city.report("this is really about bins")
    await city.forwarder.queue()
    await city.store.update_feedback(moved.reference, "staff:1", {"area": "waste"})
    assert await city.run() == 1
    forward = await city.store.get_open311_forward(moved.id)
    assert forward is not None and forward.state is Open311State.CANCELLED
    assert forward.last_error == "the report moved to waste"
    assert city.server.posts == 0
    assert await city.store.list_open311_forwards(failed_only=True) == []


async def test_no_contact_details_in_the_address_either(city: City) -> None:
    await city.report(location_text="Elm St 12, ring me on 0171 555 1234",
                      latitude=None, longitude=None)
    await city.run()
    form = city.server.received()[0].form
    assert form["address_string"] == "Elm St 12, ring me on [PHONE]"
    assert "lat" not in form and "long" not in form
