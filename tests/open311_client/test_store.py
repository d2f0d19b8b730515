"""The store's Open311 forward rows: queued once, leased, closed once, listed for admins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.storage import FeedbackStatus, Open311State, Open311Target, SQLiteStore
from tests.open311_client.conftest import START, Clock

TARGET = Open311Target("roads", "https://city.example/open311/v2/")


@pytest.fixture(params=["memory", "file"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    path = ":memory:" if request.param == "memory" else tmp_path / "cv.db"
    async with SQLiteStore(path, clock=Clock()) as opened:
        yield opened


async def _item(store: SQLiteStore, area: str = "roads") -> int:
    item = await store.create_feedback(channel="web", original_text="x", redacted_text="x",
                                       area=area, area_confidence=0.9, kind="complaint")
    return item.id


async def test_queueing_is_idempotent_and_leases_are_exclusive(store: SQLiteStore) -> None:
    first, _ = await _item(store), await _item(store, "waste")
    assert await store.queue_open311_forwards([TARGET]) == 1
    assert await store.queue_open311_forwards([TARGET]) == 0
    [claimed] = await store.claim_due_open311(now=START, lease=timedelta(minutes=5))
    assert (claimed.feedback_id, claimed.state, claimed.attempts) == (
        first, Open311State.SENDING, 1)
    assert claimed.lease_until == START + timedelta(minutes=5)
    assert await store.claim_due_open311(now=START + timedelta(minutes=4)) == []
    [again] = await store.claim_due_open311(now=START + timedelta(minutes=6))
    assert (again.attempts, again.uncertain) == (2, True)


async def test_only_reports_filed_before_the_cut_off_are_queued(store: SQLiteStore) -> None:
    await _item(store)
    assert await store.queue_open311_forwards([TARGET],
                                              created_before=START - timedelta(1)) == 0
    assert await store.queue_open311_forwards([TARGET], created_before=START) == 1


async def test_a_token_then_an_id_then_closed_exactly_once(store: SQLiteStore) -> None:
    feedback_id = await _item(store)
    await store.queue_open311_forwards([TARGET])
    [claimed] = await store.claim_due_open311(now=START)
    later = START + timedelta(seconds=30)
    pending = await store.mark_open311_sent(claimed.id, external_token="t1",
                                            token_check_at=later)
    assert (pending.state, pending.next_attempt_at, pending.lease_until) == (
        Open311State.TOKEN_PENDING, later, None)
    assert await store.claim_due_open311(now=START) == []
    [token] = await store.claim_due_open311(now=later)
    assert token.state is Open311State.TOKEN_PENDING
    sent = await store.mark_open311_sent(token.id, external_id="77")
    assert (sent.state, sent.external_id, sent.external_token) == (Open311State.SENT, "77", "t1")
    [due] = await store.list_open311_to_sync(synced_before=START)
    assert due.id == sent.id
    assert await store.record_open311_status(sent.id, "open", None) is False
    assert await store.record_open311_status(sent.id, "closed", "fixed") is True
    assert await store.record_open311_status(sent.id, "closed", "fixed") is False
    forward = await store.get_open311_forward(feedback_id)
    assert forward is not None and forward.state is Open311State.CLOSED
    assert await store.list_open311_to_sync(synced_before=START + timedelta(days=1)) == []


async def test_failures_are_listed_for_admins(store: SQLiteStore) -> None:
    retrying, refused, fine = await _item(store), await _item(store), await _item(store)
    await store.queue_open311_forwards([TARGET])
    claimed = {f.feedback_id: f for f in await store.claim_due_open311(now=START)}
    await store.mark_open311_failed(claimed[retrying].id, "POST requests.json: 503",
                                    START + timedelta(minutes=1))
    await store.mark_open311_failed(claimed[refused].id, "POST requests.json: 400 bad", None)
    await store.mark_open311_sent(claimed[fine].id, external_id="1")
    failed = await store.list_open311_forwards(failed_only=True)
    assert {(f.feedback_id, f.state) for f in failed} == {
        (retrying, Open311State.PENDING), (refused, Open311State.FAILED_PERMANENT)}
    assert all(f.failed for f in failed)
    assert len(await store.list_open311_forwards()) == 3
    assert [f.feedback_id for f in await store.list_open311_forwards(
        states=[Open311State.SENT])] == [fine]
    with pytest.raises(ValueError, match="not failed"):
        await store.retry_open311_forward(fine, actor="admin:cli")
    again = await store.retry_open311_forward(refused, actor="admin:cli")
    assert (again.state, again.attempts, again.last_error) == (Open311State.PENDING, 0, None)


async def test_requires_confirmation_needs_a_staff_label_or_progress(store: SQLiteStore) -> None:
    held = await _item(store)
    target = Open311Target("roads", TARGET.endpoint, requires_confirmation=True)
    assert await store.queue_open311_forwards([target]) == 0
    item = await store.get_feedback_by_id(held)
    assert item is not None
    await store.update_feedback(item.reference, "staff:1",
                                {"status": FeedbackStatus.IN_PROGRESS})
    assert await store.queue_open311_forwards([target]) == 1
