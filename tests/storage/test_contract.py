"""The contract every ``FeedbackStore`` must keep; each test runs against every backend."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.security import REFERENCE_ALPHABET, hash_token, new_token
from bot.storage import (
    ERASED_TEXT,
    AttachmentKind,
    ConflictError,
    CorrectionField,
    FeedbackItem,
    FeedbackStatus,
    FeedbackStore,
    InboundState,
    NotFoundError,
    OutboundStatus,
    StaffRole,
)

from .conftest import Backend

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
INJECTION = "'); DROP TABLE feedback;--"
REFERENCE = re.compile(rf"^CV-[{REFERENCE_ALPHABET}]{{5}}$")


async def citizen_id(store: FeedbackStore, address: str = "hash-a", channel: str = "sms") -> int:
    citizen = await store.get_or_create_citizen(channel, address, "enc:" + address, "en")
    return citizen.id


async def file_item(store: FeedbackStore, **overrides: Any) -> FeedbackItem:
    fields: dict[str, Any] = {
        "channel": "sms",
        "original_text": "Pothole outside 12 Elm Street, call me on 07700 900123",
        "redacted_text": "Pothole outside [ADDRESS], call me on [PHONE]",
        "area": "roads",
        "area_confidence": 0.91,
        "kind": "complaint",
        "innovation": 0.05,
        "model_version": "2025.03.01-1",
        "top_areas": [("roads", 0.91), ("traffic_parking", 0.05), ("other", 0.04)],
    }
    fields.update(overrides)
    return await store.create_feedback(**fields)


class TestFeedbackStoreContract:
    # -- lifecycle ---------------------------------------------------------------------

    async def test_is_a_feedback_store(self, store: FeedbackStore) -> None:
        assert isinstance(store, FeedbackStore)

    async def test_open_twice_and_reopen_are_harmless(
        self, backend: Backend, store: FeedbackStore
    ) -> None:
        await store.open()  # already open: nothing happens
        item = await file_item(store)
        await store.close()
        await store.close()  # already closed: nothing happens
        async with backend.make() as again:  # migrations run again, idempotently
            found = await again.get_feedback(item.reference)
            assert (found is not None) == backend.persistent
            assert (await file_item(again)).reference.startswith("CV-")
        await store.open()

    async def test_meta_values(self, store: FeedbackStore) -> None:
        assert await store.get_meta("digest:last:roads") is None
        await store.set_meta("digest:last:roads", "2025-03-01T09:00:00Z")
        await store.set_meta("digest:last:roads", "2025-03-02T09:00:00Z")
        assert await store.get_meta("digest:last:roads") == "2025-03-02T09:00:00Z"

    async def test_naive_datetimes_are_refused(self, store: FeedbackStore) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            await store.list_feedback(since=datetime(2025, 1, 1))

    # -- citizens ----------------------------------------------------------------------

    async def test_get_or_create_citizen_is_idempotent(self, store: FeedbackStore) -> None:
        first = await store.get_or_create_citizen("telegram", "h1", None, "en")
        again = await store.get_or_create_citizen("telegram", "h1", "enc-1", "fr")
        assert again.id == first.id
        assert again.language == "en"  # an existing citizen keeps their language
        assert again.address_encrypted == "enc-1"  # a missing address is filled in
        other_channel = await store.get_or_create_citizen("sms", "h1")
        assert other_channel.id != first.id
        assert await store.get_citizen(first.id) == again
        assert await store.find_citizen("telegram", "h1") == again
        assert await store.find_citizen("telegram", "nope") is None
        assert await store.get_citizen(99_999) is None
        assert first.consent is None and not first.opted_out and not first.forgotten

    async def test_language_consent_and_opt_out(self, store: FeedbackStore) -> None:
        cid = await citizen_id(store)
        assert (await store.set_citizen_language(cid, "es")).language == "es"
        consented = await store.set_consent(cid, True, at=T0)
        assert consented.consent is True and consented.consent_at == T0
        opted = await store.set_opt_out(cid, True, at=T0)
        assert opted.opted_out and opted.opted_out_at == T0
        back = await store.set_opt_out(cid, False)
        assert not back.opted_out and back.opted_out_at is None
        actions = [e.action for e in await store.list_audit("citizen", cid)]
        assert actions == ["create", "set_language", "set_consent", "set_opt_out", "set_opt_out"]
        with pytest.raises(NotFoundError):
            await store.set_opt_out(99_999, True)

    # -- inbound -----------------------------------------------------------------------

    async def test_inbound_redelivery_returns_the_stored_row(self, store: FeedbackStore) -> None:
        cid = await citizen_id(store)
        first, created = await store.record_inbound("telegram", "1001", cid, "hello", "{}", T0)
        assert created and first.state is InboundState.RECEIVED and first.received_at == T0
        again, created_again = await store.record_inbound("telegram", "1001", cid, "changed")
        assert not created_again
        assert again == first and again.text == "hello"
        other, created_other = await store.record_inbound("sms", "1001", cid, "same id, sms")
        assert created_other and other.id != first.id

    async def test_unhandled_inbound_for_crash_recovery(self, store: FeedbackStore) -> None:
        cid = await citizen_id(store)
        a, _ = await store.record_inbound("sms", "SM1", cid, "a", received_at=T0)
        b, _ = await store.record_inbound("sms", "SM2", cid, "b", received_at=T0 + timedelta(1))
        c, _ = await store.record_inbound("sms", "SM3", cid, "c", received_at=T0 + timedelta(2))
        pending = await store.list_unhandled_inbound()
        assert [m.id for m in pending] == [a.id, b.id, c.id]
        before = await store.list_unhandled_inbound(received_before=T0 + timedelta(hours=1))
        assert [m.id for m in before] == [a.id]
        item = await file_item(store, citizen_id=cid, inbound_id=a.id)
        handled = await store.mark_inbound_handled(
            a.id, feedback_id=item.id, reply_text="Thanks", outcome={"reference": item.reference}
        )
        assert handled.state is InboundState.HANDLED and handled.feedback_id == item.id
        assert handled.outcome_json is not None and item.reference in handled.outcome_json
        failed = await store.mark_inbound_failed(b.id, "classifier unavailable")
        assert failed.state is InboundState.FAILED and failed.error == "classifier unavailable"
        assert [m.id for m in await store.list_unhandled_inbound()] == [c.id]
        assert [m.id for m in await store.list_unhandled_inbound(limit=0)] == []
        assert await store.get_inbound(c.id) == c
        with pytest.raises(NotFoundError):
            await store.mark_inbound_handled(99_999)

    # -- feedback ----------------------------------------------------------------------

    async def test_references_are_unique_and_well_formed(self, store: FeedbackStore) -> None:
        items = [await file_item(store) for _ in range(300)]
        references = {i.reference for i in items}
        assert len(references) == len(items)
        assert all(REFERENCE.match(r) for r in references)
        fetched = await store.get_feedback(items[0].reference)
        assert fetched == items[0]
        assert await store.get_feedback_by_id(items[0].id) == items[0]
        assert await store.get_feedback("CV-00000") is None  # 0 is not in the alphabet

    async def test_created_item_keeps_every_field(self, store: FeedbackStore) -> None:
        cid = await citizen_id(store)
        inbound, _ = await store.record_inbound("sms", "SM9", cid, "text")
        item = await file_item(
            store,
            citizen_id=cid,
            inbound_id=inbound.id,
            language="en",
            urgent=True,
            needs_review=True,
            kind_confidence=0.7,
            latitude=51.5,
            longitude=-0.12,
            location_text="Elm Street",
            created_at=T0,
        )
        assert item.status is FeedbackStatus.NEW and item.created_at == T0
        assert item.top_areas[0] == ("roads", 0.91) and len(item.top_areas) == 3
        assert (item.urgent, item.needs_review, item.kind_confidence) == (True, True, 0.7)
        assert (item.latitude, item.longitude, item.location_text) == (51.5, -0.12, "Elm Street")
        assert (item.citizen_id, item.inbound_id, item.model_version) == (
            cid,
            inbound.id,
            "2025.03.01-1",
        )
        assert item.original_text.startswith("Pothole outside 12 Elm")
        assert "[PHONE]" in item.redacted_text
        with pytest.raises(ValueError):
            await file_item(store, area_confidence=1.5)

    async def test_an_area_write_needs_an_active_area_of_the_table(
        self, store: FeedbackStore
    ) -> None:
        await store.ensure_areas({"roads": "Roads", "waste": "Waste", "lights": "Lights"})
        item = await file_item(store)
        for bad in ("no_such_area", "Roads!", "", "x" * 80):
            with pytest.raises(ValueError):
                await store.update_feedback(item.reference, "staff:7", {"area": bad})
        await store.retire_area("lights", move_to="roads", actor="admin")
        with pytest.raises(ValueError, match="not an active service area"):
            await store.update_feedback(item.reference, "staff:7", {"area": "lights"})
        moved = await store.update_feedback(item.reference, "staff:7", {"area": " waste "})
        assert moved.area == "waste"
        assert [e.action for e in await store.list_audit("feedback", item.id)] == [
            "create", "update"]

    async def test_update_is_audited_with_before_and_after(self, store: FeedbackStore) -> None:
        await store.ensure_areas({"water_drainage": "Water and drainage"})
        item = await file_item(store)
        updated = await store.update_feedback(
            item.reference,
            "staff:7",
            {"area": "water_drainage", "status": "in_progress", "kind": "complaint"},
            note="checked on site",
        )
        assert updated.area == "water_drainage" and updated.status is FeedbackStatus.IN_PROGRESS
        assert updated.updated_at >= item.updated_at
        history = await store.list_audit("feedback", item.id)
        assert [e.action for e in history] == ["create", "update"]
        change = history[-1]
        assert change.actor == "staff:7"
        assert change.before == {"area": "roads", "status": "new"}  # kind did not change
        assert change.after == {
            "area": "water_drainage",
            "status": "in_progress",
            "note": "checked on site",
        }
        assert all(item.original_text not in str(e.after) for e in history)
        unchanged = await store.update_feedback(
            item.reference, "staff:7", {"area": "water_drainage"}
        )
        assert unchanged == updated and len(await store.list_audit("feedback", item.id)) == 2

    async def test_update_rejects_bad_changes_atomically(self, store: FeedbackStore) -> None:
        item = await file_item(store)
        with pytest.raises(ValueError):
            await store.update_feedback(item.reference, "staff:1", {"original_text": "x"})
        with pytest.raises(ValueError):
            await store.update_feedback(item.reference, "staff:1", {"area": "x", "status": "nah"})
        with pytest.raises(ValueError):
            await store.update_feedback(item.reference, "staff:1", {"duplicate_of": item.id})
        with pytest.raises(NotFoundError):
            await store.update_feedback("CV-ZZZZZ", "staff:1", {"area": "roads"})
        assert await store.get_feedback(item.reference) == item

    async def test_duplicate_of_by_reference(self, store: FeedbackStore) -> None:
        original, copy = await file_item(store), await file_item(store)
        marked = await store.update_feedback(
            copy.reference,
            "staff:1",
            {"duplicate_of": original.reference.lower(), "status": FeedbackStatus.DUPLICATE},
        )
        assert marked.duplicate_of == original.id
        assert marked.duplicate_of_reference == original.reference
        assert marked.status is FeedbackStatus.DUPLICATE

    async def test_append_text_attachments_and_latest(self, store: FeedbackStore) -> None:
        cid = await citizen_id(store)
        older = await file_item(store, citizen_id=cid, created_at=T0)
        newer = await file_item(store, citizen_id=cid, created_at=T0 + timedelta(minutes=5))
        assert await store.latest_feedback_for_citizen(cid) == newer
        assert await store.latest_feedback_for_citizen(99_999) is None
        grown = await store.append_text(
            older.reference, "It is getting bigger, Jo", "It is getting bigger, [NAME]", actor="c"
        )
        assert grown.original_text.endswith("\nIt is getting bigger, Jo")
        assert grown.redacted_text.endswith("\nIt is getting bigger, [NAME]")
        photo = await store.add_attachment(older.id, AttachmentKind.PHOTO, "file-1", actor="c")
        spot = await store.add_attachment(
            older.id, AttachmentKind.LOCATION, "51.5,-0.1", actor="c"
        )
        assert [a.id for a in await store.list_attachments(older.id)] == [photo.id, spot.id]
        assert photo.kind is AttachmentKind.PHOTO and spot.value == "51.5,-0.1"
        actions = [e.action for e in await store.list_audit("feedback", older.id)]
        assert actions == ["create", "append_text", "attach", "attach"]
        with pytest.raises(NotFoundError):
            await store.add_attachment(99_999, AttachmentKind.PHOTO, "x", actor="c")

    async def test_list_and_count_filters(self, store: FeedbackStore) -> None:
        alice, bob = await citizen_id(store, "alice"), await citizen_id(store, "bob")
        road = await file_item(store, citizen_id=alice, created_at=T0)
        light = await file_item(
            store,
            citizen_id=bob,
            area="street_lighting",
            kind="idea",
            redacted_text="Solar STREET lamps would save money",
            created_at=T0 + timedelta(days=1),
        )
        waste = await file_item(
            store,
            area="waste",
            urgent=True,
            needs_review=True,
            redacted_text="Bins not collected on Große Straße",
            created_at=T0 + timedelta(days=2),
        )
        await store.update_feedback(waste.reference, "staff:1", {"status": "resolved"})

        async def refs(**filters: Any) -> list[str]:
            return [i.reference for i in await store.list_feedback(**filters)]

        assert await refs() == [waste.reference, light.reference, road.reference]
        assert await refs(newest_first=False) == [road.reference, light.reference, waste.reference]
        assert await refs(areas=["roads", "waste"]) == [waste.reference, road.reference]
        assert await refs(areas=[]) == []
        assert await refs(status=FeedbackStatus.RESOLVED) == [waste.reference]
        assert await refs(status=[FeedbackStatus.NEW]) == [light.reference, road.reference]
        assert await refs(kind="idea") == [light.reference]
        assert await refs(urgent=True) == [waste.reference]
        assert await refs(needs_review=False) == [light.reference, road.reference]
        assert await refs(search="street lamps") == [light.reference]
        assert await refs(search="GROSSE STRASSE") == [waste.reference]  # Unicode case-folding
        assert await refs(search="große") == [waste.reference]
        assert await refs(search="  ") == await refs()
        assert await refs(search=road.reference.lower()) == [road.reference]
        assert await refs(citizen_id=bob) == [light.reference]
        assert await refs(since=T0 + timedelta(days=1)) == [waste.reference, light.reference]
        assert await refs(until=T0 + timedelta(days=1)) == [road.reference]
        assert await refs(limit=1, offset=1) == [light.reference]
        assert await store.count_feedback() == 3
        assert await store.count_feedback(areas=["roads", "waste"], status=FeedbackStatus.NEW) == 1
        assert await store.count_feedback_by("area") == {
            "roads": 1,
            "street_lighting": 1,
            "waste": 1,
        }
        assert await store.count_feedback_by("status") == {"new": 2, "resolved": 1}
        assert await store.count_feedback_by("kind", areas=["roads", "street_lighting"]) == {
            "complaint": 1,
            "idea": 1,
        }
        assert await store.count_feedback_by("kind", since=T0 + timedelta(days=3)) == {}

    async def test_sql_looking_text_is_stored_verbatim(self, store: FeedbackStore) -> None:
        cid = await citizen_id(store, INJECTION, channel=INJECTION)
        inbound, _ = await store.record_inbound(INJECTION, INJECTION, cid, INJECTION, INJECTION)
        item = await file_item(
            store,
            channel=INJECTION,
            original_text=INJECTION,
            redacted_text=INJECTION,
            area=INJECTION,
            kind=INJECTION,
            citizen_id=cid,
            inbound_id=inbound.id,
        )
        assert (await store.get_feedback(item.reference)) == item
        assert item.original_text == INJECTION and item.area == INJECTION
        assert (await store.get_inbound(inbound.id)) == inbound and inbound.text == INJECTION
        assert [i.id for i in await store.list_feedback(search=INJECTION)] == [item.id]
        assert [i.id for i in await store.list_feedback(areas=[INJECTION])] == [item.id]
        assert await store.count_feedback_by("area") == {INJECTION: 1}
        await store.set_meta(INJECTION, INJECTION)
        assert await store.get_meta(INJECTION) == INJECTION
        assert await store.get_feedback(INJECTION) is None
        assert await store.count_feedback() == 1  # the table is still there

    # -- outbound ----------------------------------------------------------------------

    async def test_claims_are_exclusive(self, backend: Backend, store: FeedbackStore) -> None:
        cid = await citizen_id(store)
        ids = {await store.enqueue_outbound(cid, "sms", f"msg {n}") for n in range(60)}
        later = datetime.now(UTC) + timedelta(seconds=1)
        # A second connection to the same database where the backend has one.
        second = backend.make() if backend.persistent else store
        await second.open()
        try:
            claims = await asyncio.gather(
                *(
                    (store if n % 2 else second).claim_due_outbound(limit=7, now=later)
                    for n in range(12)
                )
            )
        finally:
            if second is not store:
                await second.close()
        claimed = [m.id for batch in claims for m in batch]
        assert len(claimed) == len(set(claimed)) == len(ids)
        assert set(claimed) == ids
        assert all(
            m.status is OutboundStatus.SENDING and m.attempts == 1 for b in claims for m in b
        )
        assert await store.claim_due_outbound(now=later) == []

    async def test_retry_scheduling_and_leases(self, store: FeedbackStore) -> None:
        cid = await citizen_id(store)
        start = datetime.now(UTC) + timedelta(seconds=1)
        first = await store.enqueue_outbound(cid, "telegram", "Thanks! CV-23456", kind="ack")
        delayed = await store.enqueue_outbound(
            cid, "telegram", "later", not_before=start + timedelta(hours=1)
        )
        [claimed] = await store.claim_due_outbound(now=start)
        assert claimed.id == first and claimed.kind == "ack" and claimed.channel == "telegram"
        await store.mark_outbound_failed(first, "timeout", start + timedelta(minutes=2))
        assert await store.claim_due_outbound(now=start + timedelta(minutes=1)) == []
        [retry] = await store.claim_due_outbound(now=start + timedelta(minutes=2))
        assert retry.id == first and retry.attempts == 2 and retry.last_error == "timeout"
        # The sender died: after the lease the message is due again.
        lease = timedelta(minutes=5)
        assert await store.claim_due_outbound(now=start + timedelta(minutes=6), lease=lease) == []
        [stale] = await store.claim_due_outbound(now=start + timedelta(minutes=8), lease=lease)
        assert stale.id == first and stale.attempts == 3
        await store.mark_outbound_failed(first, "chat not found", None)
        gone = await store.get_outbound(first)
        assert gone is not None and gone.status is OutboundStatus.FAILED
        [due] = await store.claim_due_outbound(now=start + timedelta(hours=2))
        assert due.id == delayed
        with pytest.raises(NotFoundError):
            await store.mark_outbound_failed(99_999, "x", None)

    async def test_delivery_status_by_provider_id(self, store: FeedbackStore) -> None:
        cid = await citizen_id(store)
        item = await file_item(store, citizen_id=cid)
        oid = await store.enqueue_outbound(
            cid, "sms", "Update on your report", feedback_id=item.id
        )
        await store.claim_due_outbound(now=datetime.now(UTC) + timedelta(seconds=1))
        await store.mark_outbound_sent(oid, "SM123", at=T0)
        sent = await store.get_outbound(oid)
        assert sent is not None and sent.status is OutboundStatus.SENT and sent.sent_at == T0
        assert await store.update_delivery_status("SM123", OutboundStatus.DELIVERED, at=T0)
        assert await store.update_delivery_status("SM123", OutboundStatus.SENT)  # late, ignored
        delivered = await store.get_outbound(oid)
        assert delivered is not None and delivered.status is OutboundStatus.DELIVERED
        assert delivered.delivered_at == T0 and delivered.provider_message_id == "SM123"
        assert not await store.update_delivery_status("SM-unknown", OutboundStatus.FAILED)
        assert [m.id for m in await store.list_outbound(feedback_id=item.id)] == [oid]
        assert [m.id for m in await store.list_outbound(citizen_id=cid)] == [oid]

    async def test_count_outbound_since(self, store: FeedbackStore) -> None:
        cid, other = await citizen_id(store), await citizen_id(store, "other")
        hour_ago = datetime.now(UTC) - timedelta(hours=1)
        for _ in range(3):
            await store.enqueue_outbound(cid, "sms", "hi")
        failed = await store.enqueue_outbound(cid, "sms", "hi")
        await store.mark_outbound_failed(failed, "blocked", None)
        await store.enqueue_outbound(other, "sms", "hi")
        assert await store.count_outbound_since(cid, hour_ago) == 3
        assert await store.count_outbound_since(cid, datetime.now(UTC) + timedelta(hours=1)) == 0

    # -- staff and tokens --------------------------------------------------------------

    async def test_users_and_token_lookup(self, store: FeedbackStore) -> None:
        ana = await store.create_user("Ana@City.gov", StaffRole.STAFF, ["roads", "waste"], "h")
        boss = await store.create_user("boss@city.gov", StaffRole.ADMIN)
        assert ana.areas == ("roads", "waste") and ana.active and ana.password_hash == "h"
        assert await store.get_user_by_email("ana@city.GOV") == ana
        assert await store.get_user(boss.id) == boss
        with pytest.raises(ConflictError):
            await store.create_user("ANA@city.gov", StaffRole.STAFF)
        assert [u.email for u in await store.list_users(area="waste")] == [
            "Ana@City.gov",
            "boss@city.gov",
        ]
        assert [u.email for u in await store.list_users(area="parks_trees")] == ["boss@city.gov"]

        token = new_token()
        stored = await store.create_api_token(ana.id, hash_token(token), "laptop")
        assert stored.token_hash == hash_token(token) != token and not stored.revoked
        assert await store.get_user_by_token_hash(hash_token(token)) == ana
        assert await store.get_user_by_token_hash(hash_token("guess")) is None
        assert await store.revoke_token(stored.id)
        assert not await store.revoke_token(stored.id)
        assert await store.get_user_by_token_hash(hash_token(token)) is None
        [listed] = await store.list_api_tokens(ana.id)
        assert listed.revoked

        fresh = new_token()
        await store.create_api_token(ana.id, hash_token(fresh))
        moved = await store.update_user(
            ana.id, actor="staff:2", areas=["parks_trees"], active=False
        )
        assert moved.areas == ("parks_trees",) and not moved.active
        assert await store.get_user_by_token_hash(hash_token(fresh)) is None  # inactive user
        await store.set_user_password(boss.id, "new-hash", actor="staff:2")
        assert (await store.get_user(boss.id)) is not None
        history = await store.list_audit("staff_user", ana.id)
        assert [e.action for e in history] == ["create", "update"]
        assert history[-1].before == {"active": True, "areas": ["roads", "waste"]}
        password_audit = await store.list_audit("staff_user", boss.id)
        assert "new-hash" not in str([e.after for e in password_audit])

    # -- corrections -------------------------------------------------------------------

    async def test_corrections_are_listed_with_redacted_text(self, store: FeedbackStore) -> None:
        item = await file_item(store)
        other = await file_item(store, redacted_text="Streetlight out on [ADDRESS]")
        first = await store.add_correction(
            item.id, CorrectionField.AREA, "water_drainage", "roads", "staff:1", T0
        )
        assert first.redacted_text == item.redacted_text
        assert first.feedback_reference == item.reference
        await store.add_correction(
            other.id, CorrectionField.KIND, "complaint", "complaint", "staff:1", T0 + timedelta(1)
        )
        everything = await store.list_corrections()
        assert [(c.field, c.value) for c in everything] == [
            (CorrectionField.AREA, "water_drainage"),
            (CorrectionField.KIND, "complaint"),
        ]
        recent = await store.list_corrections(since=T0 + timedelta(hours=1))
        assert [c.redacted_text for c in recent] == ["Streetlight out on [ADDRESS]"]
        with pytest.raises(NotFoundError):
            await store.add_correction(99_999, CorrectionField.AREA, "roads", None, "staff:1")

    # -- audit -------------------------------------------------------------------------

    async def test_audit_log_is_append_only(self, backend: Backend, store: FeedbackStore) -> None:
        entry = await store.add_audit("admin:1", "export", "dataset", "all", None, {"rows": 3})
        assert entry.after == {"rows": 3} and entry.at.tzinfo is not None
        assert await store.list_audit("dataset", "all") == [entry]
        with pytest.raises(Exception, match="append-only"):
            await backend.raw(store, "UPDATE audit_log SET actor = 'someone else'")
        with pytest.raises(Exception, match="append-only"):
            await backend.raw(store, "DELETE FROM audit_log")
        assert await store.list_audit("dataset", "all") == [entry]
        writers = [
            name
            for name in dir(FeedbackStore)
            if "audit" in name and name.split("_")[0] in ("update", "delete", "remove", "set")
        ]
        assert writers == []

    # -- privacy -----------------------------------------------------------------------

    async def test_forget_citizen_erases_words_but_keeps_counts(
        self, store: FeedbackStore
    ) -> None:
        cid = await citizen_id(store, "forget-me")
        keep = await citizen_id(store, "keep-me")
        inbound, _ = await store.record_inbound("sms", "SMf", cid, "my words", '{"From":"x"}')
        item = await file_item(store, citizen_id=cid, inbound_id=inbound.id, latitude=51.5)
        await store.mark_inbound_handled(inbound.id, feedback_id=item.id, reply_text="Thanks")
        await store.add_attachment(item.id, AttachmentKind.PHOTO, "photo-id", actor="c")
        await store.add_correction(item.id, CorrectionField.AREA, "roads", "roads", "staff:1")
        queued = await store.enqueue_outbound(cid, "sms", "Your report CV-23456 is resolved")
        kept = await file_item(store, citizen_id=keep)

        result = await store.forget_citizen(cid, actor="admin:1")
        assert (result.feedback_anonymised, result.inbound_erased) == (1, 1)
        assert (result.outbound_erased, result.attachments_deleted) == (1, 1)

        citizen = await store.get_citizen(cid)
        assert citizen is not None and citizen.forgotten
        assert citizen.address_hash is None and citizen.address_encrypted is None
        assert await store.find_citizen("sms", "forget-me") is None
        erased = await store.get_feedback(item.reference)
        assert erased is not None and erased.erased_at is not None
        assert erased.original_text == erased.redacted_text == ERASED_TEXT
        assert erased.citizen_id is None and erased.latitude is None
        assert (erased.area, erased.kind, erased.status) == (item.area, item.kind, item.status)
        message = await store.get_inbound(inbound.id)
        assert message is not None
        assert (message.text, message.payload_json, message.reply_text) == (None, None, None)
        assert await store.list_attachments(item.id) == []
        outbound = await store.get_outbound(queued)
        assert outbound is not None and outbound.text == ERASED_TEXT
        assert outbound.status is OutboundStatus.FAILED
        assert await store.claim_due_outbound(now=datetime.now(UTC) + timedelta(1)) == []
        assert await store.list_corrections() == []  # erased texts never reach training
        assert await store.count_feedback() == 2
        assert await store.count_feedback_by("area") == {"roads": 2}
        assert await store.get_feedback(kept.reference) == kept
        [audit] = [e for e in await store.list_audit("citizen", cid) if e.action == "forget"]
        assert audit.actor == "admin:1" and audit.after is not None
        assert audit.after["feedback_anonymised"] == 1
        # Writing again later makes a new, unlinked identity.
        assert (await store.get_or_create_citizen("sms", "forget-me")).id != cid

    async def test_records_keep_words_and_addresses_out_of_repr(
        self, store: FeedbackStore
    ) -> None:
        citizen = await store.get_or_create_citizen("sms", "pseudonym-x", "cipher-x")
        inbound, _ = await store.record_inbound("sms", "SMr", citizen.id, "secret words", "{}")
        item = await file_item(store, citizen_id=citizen.id)
        queued = await store.get_outbound(await store.enqueue_outbound(citizen.id, "sms", "hi Jo"))
        shown = " ".join(map(repr, (citizen, inbound, item, queued)))
        for private in ("pseudonym-x", "cipher-x", "secret words", "Elm Street", "hi Jo"):
            assert private not in shown
        assert item.reference in shown

    async def test_opt_out_flag_survives_reads(self, store: FeedbackStore) -> None:
        cid = await citizen_id(store)
        await store.set_opt_out(cid, True)
        again = await store.get_or_create_citizen("sms", "hash-a")
        assert again.opted_out
