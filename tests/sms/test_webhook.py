"""The SMS channel through HTTP: signed webhooks in, TwiML or REST (stand-in) out."""

from __future__ import annotations

import time

from bot.channels.sms.inbound import CHANNEL
from bot.storage import OutboundStatus, StaffRole
from handlers.gsm7 import fits_sms
from tests.sms.conftest import OUR_NUMBER, PUBLIC, Harness, reply_of, sign

ALICE = "+14155550101"
BOB = "+14155550102"


def _count_inbound(sms: Harness) -> int:
    store = sms.services.store

    async def count() -> int:
        records = await store.list_unhandled_inbound(limit=1000)
        return len(records)

    return sms.run(count)


def _items(sms: Harness, number: str) -> list[str]:
    citizen = sms.citizen(number)
    if citizen is None:
        return []
    store = sms.services.store
    found = sms.run(lambda: store.list_feedback(citizen_id=citizen.id, limit=100))
    return [item.reference for item in found]


def test_report_filed_and_answered_in_twiml(sms: Harness) -> None:
    reply = reply_of(sms.sms(ALICE, "Huge pothole outside 12 Elm Street"))
    assert reply is not None and "CV-" in reply and fits_sms(reply)
    assert len(_items(sms, ALICE)) == 1
    assert sms.api.sent() == []  # the answer went back in the webhook, not by REST


def test_retried_message_sid_files_nothing_twice(sms: Harness) -> None:
    first = reply_of(sms.sms(ALICE, "Streetlight out on Oak Road", sid="SMretry1"))
    again = reply_of(sms.sms(ALICE, "Streetlight out on Oak Road", sid="SMretry1"))
    assert first == again and first is not None
    assert len(_items(sms, ALICE)) == 1


def test_forged_or_unsigned_request_is_refused_and_stores_nothing(sms: Harness) -> None:
    form = {"MessageSid": "SMforged", "From": ALICE, "To": OUR_NUMBER, "Body": "Fake report"}
    assert sms.post(form, signature=None).status_code == 403
    assert sms.post(form, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403
    signed_for_other = sign("https://evil.example/sms/twilio", form)
    assert sms.post(form, signature=signed_for_other).status_code == 403
    assert sms.citizen(ALICE) is None and _count_inbound(sms) == 0
    status = {"MessageSid": "SMx", "MessageStatus": "delivered"}
    assert sms.post(status, path="/sms/twilio/status", signature=None).status_code == 403


def test_signature_over_query_string(sms: Harness) -> None:
    form = {"MessageSid": "SMq1", "From": ALICE, "To": OUR_NUMBER, "Body": "Bins not emptied"}
    response = sms.post(form, query="tenant=north")
    assert response.status_code == 200 and "CV-" in (reply_of(response) or "")


def test_long_message_1600_characters(sms: Harness) -> None:
    text = ("The drain outside 4 Mill Lane is blocked and the road floods after rain. "
            * 30)[:1600]
    reply = reply_of(sms.sms(ALICE, text))
    assert reply is not None and "CV-" in reply and fits_sms(reply)
    assert len(_items(sms, ALICE)) == 1


def _admin(sms: Harness):  # type: ignore[no-untyped-def]
    store = sms.services.store
    return sms.run(lambda: store.create_user("admin@city.example", StaffRole.ADMIN, ()))


def test_stop_then_staff_reply_sends_nothing_and_start_resumes(sms: Harness) -> None:
    filed = reply_of(sms.sms(ALICE, "Graffiti on the library wall"))
    assert filed is not None
    reference = _items(sms, ALICE)[0]
    stopped = reply_of(sms.sms(ALICE, "stop"))
    assert stopped is not None and "START" in stopped
    citizen = sms.citizen(ALICE)
    assert citizen is not None and citizen.opted_out
    assert reply_of(sms.sms(ALICE, "Also broken bench in the park")) is None
    admin = _admin(sms)
    staff, store = sms.services.staff, sms.services.store
    refused = sms.run(lambda: _try_reply(staff, reference, admin))
    assert refused
    # even a message queued directly is never sent to a stopped citizen
    sms.run(lambda: store.enqueue_outbound(citizen.id, CHANNEL, "hello"))
    assert sms.services.outbox is not None
    time.sleep(1.5)
    assert sms.api.sent(ALICE) == []
    started = reply_of(sms.sms(ALICE, "START"))
    assert started is not None and "again" in started
    sms.run(lambda: staff.reply(reference, admin, "We will clean it on Monday."))
    sent = sms.api.wait(1, to=ALICE)
    assert len(sent) == 1 and reference in sent[0]["Body"]
    assert sent[0]["StatusCallback"] == PUBLIC + "/sms/twilio/status"
    assert sent[0]["From"] == OUR_NUMBER


async def _try_reply(staff, reference, admin) -> bool:  # type: ignore[no-untyped-def]
    try:
        await staff.reply(reference, admin, "Thanks, we are on it")
    except Exception:  # CitizenUnreachable
        return True
    return False


def test_twilio_opt_out_type_is_followed_without_a_second_confirmation(sms: Harness) -> None:
    sms.sms(BOB, "Noise from the factory every night")
    assert reply_of(sms.sms(BOB, "ARRET", OptOutType="STOP")) is None
    citizen = sms.citizen(BOB)
    assert citizen is not None and citizen.opted_out
    assert reply_of(sms.sms(BOB, "unstop", OptOutType="START")) is None
    citizen = sms.citizen(BOB)
    assert citizen is not None and not citizen.opted_out
    assert reply_of(sms.sms(BOB, "HELP", OptOutType="HELP")) is None
    assert sms.api.sent() == []


def test_carrier_keywords_any_case(sms: Harness) -> None:
    for word in ("UNSUBSCRIBE", "end", "Quit", "stopall", "REVOKE", "optout", "Cancel"):
        assert "START" in (reply_of(sms.sms(ALICE, word)) or ""), word
        assert reply_of(sms.sms(ALICE, "yes")) is not None
        citizen = sms.citizen(ALICE)
        assert citizen is not None and not citizen.opted_out
    assert "STATUS" in (reply_of(sms.sms(ALICE, "info")) or "")


def test_status_callback_records_delivery(sms: Harness) -> None:
    sms.sms(ALICE, "Broken swing in Victoria Park")
    reference = _items(sms, ALICE)[0]
    admin = _admin(sms)
    outbound_id = sms.run(lambda: sms.services.staff.reply(reference, admin, "Fixed Friday"))
    sent = sms.api.wait(1, to=ALICE)
    assert sent
    callback = {"MessageSid": sent[0]["Sid"], "MessageStatus": "delivered",
                "AccountSid": "AC1", "To": ALICE, "From": OUR_NUMBER}
    response = sms.post(callback, path="/sms/twilio/status")
    assert response.status_code == 204
    store = sms.services.store
    record = sms.run(lambda: store.get_outbound(outbound_id))
    assert record is not None and record.status is OutboundStatus.DELIVERED


def test_throttling_and_server_errors_are_retried(sms: Harness) -> None:
    sms.sms(ALICE, "Bus shelter glass smashed on King St")
    reference = _items(sms, ALICE)[0]
    sms.api.fail(429, 20429, {"Retry-After": "1"})
    sms.api.fail(500, 20500)
    admin = _admin(sms)
    sms.run(lambda: sms.services.staff.reply(reference, admin, "Repair booked"))
    sent = sms.api.wait(1, to=ALICE, timeout=15)
    assert len(sent) == 1 and sms.api.attempts == 3


def test_error_21610_marks_citizen_stopped(sms: Harness) -> None:
    sms.sms(ALICE, "Overflowing bins on Market Square")
    reference = _items(sms, ALICE)[0]
    sms.api.fail(400, 21610)
    admin = _admin(sms)
    outbound_id = sms.run(lambda: sms.services.staff.reply(reference, admin, "Emptied"))
    store = sms.services.store
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        citizen = sms.citizen(ALICE)
        if citizen is not None and citizen.opted_out:
            break
        time.sleep(0.05)
    assert citizen is not None and citizen.opted_out
    record = sms.run(lambda: store.get_outbound(outbound_id))
    assert record is not None and record.status is OutboundStatus.FAILED
    assert sms.api.sent() == []


def test_mms_media_urls_attached(sms: Harness) -> None:
    reply = reply_of(sms.sms(
        ALICE, "Dumped mattress on Elm Street", NumMedia="2",
        MediaUrl0="https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
        MediaContentType0="image/jpeg",
        MediaUrl1="https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME2",
        MediaContentType1="application/pdf"))
    assert reply is not None and "CV-" in reply
    reference = _items(sms, ALICE)[0]
    store = sms.services.store

    async def attachments() -> list[str]:
        item = await store.get_feedback(reference)
        assert item is not None
        return [a.value for a in await store.list_attachments(item.id)]

    values = sms.run(attachments)
    assert any(v.endswith("/ME1") for v in values) and any(v.endswith("/ME2") for v in values)


def test_a_failed_send_keeps_a_short_reason_without_urls_or_ids(sms: Harness) -> None:
    sms.sms(ALICE, "Broken bench on the green")
    reference = _items(sms, ALICE)[0]
    sms.api.fail(400, 21211)  # invalid 'To' number: permanent
    admin = _admin(sms)
    outbound_id = sms.run(lambda: sms.services.staff.reply(reference, admin, "Booked"))
    store = sms.services.store
    record = None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        record = sms.run(lambda: store.get_outbound(outbound_id))
        if record is not None and record.status is OutboundStatus.FAILED:
            break
        time.sleep(0.05)
    assert record is not None and record.status is OutboundStatus.FAILED
    assert record.last_error == "twilio error 21211"
    account = sms.settings.twilio_account_sid
    assert "http" not in (record.last_error or "") and account not in (record.last_error or "")
