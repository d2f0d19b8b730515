"""Satisfaction answers and the weekly figures: the contract, then the sums on a fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.storage import (
    MEMORY,
    FeedbackStats,
    FeedbackStatus,
    FeedbackStore,
    NotFoundError,
    SatisfactionAnswer,
    SatisfactionCounts,
    SQLiteStore,
)
from tests.support.areas import seed_areas

from .test_contract import citizen_id, file_item

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday: ISO week 2025-W10
YES, NO = SatisfactionAnswer.YES, SatisfactionAnswer.NO


class TestSatisfactionContract:
    async def test_record_is_audited_and_idempotent_per_message(
            self, store: FeedbackStore) -> None:
        cid = await citizen_id(store)
        item = await file_item(store, citizen_id=cid)
        inbound, _ = await store.record_inbound("sms", "SM1", cid, "1")
        first = await store.record_satisfaction(item.id, YES, "sms", actor=f"citizen:{cid}",
                                                inbound_id=inbound.id, at=T0)
        again = await store.record_satisfaction(item.id, NO, "sms", actor=f"citizen:{cid}",
                                                inbound_id=inbound.id, at=T0)
        assert again == first and first.answer is YES and first.answered_at == T0
        assert first.feedback_id == item.id and first.channel == "sms"
        later = await store.record_satisfaction(item.id, "no", "sms",  # type: ignore[arg-type]
                                                actor=f"citizen:{cid}")
        assert later.answer is NO and later.inbound_id is None
        assert [s.answer for s in await store.list_satisfaction(item.id)] == [YES, NO]
        audit = [e for e in await store.list_audit("feedback", item.id)
                 if e.action == "satisfaction"]
        assert [(e.actor, e.after) for e in audit] == [
            (f"citizen:{cid}", {"answer": "yes"}), (f"citizen:{cid}", {"answer": "no"})]

    async def test_bad_input_is_refused(self, store: FeedbackStore) -> None:
        item = await file_item(store)
        with pytest.raises(NotFoundError):
            await store.record_satisfaction(item.id + 99, YES, "sms", actor="citizen:1")
        with pytest.raises(ValueError):
            await store.record_satisfaction(item.id, "maybe", "sms",  # type: ignore[arg-type]
                                            actor="citizen:1")
        with pytest.raises(ValueError):
            await store.record_satisfaction(item.id, YES, "sms", actor="citizen:1",
                                            at=datetime(2025, 3, 3, 9, 0))
        assert await store.list_satisfaction(item.id) == []

    async def test_counts_per_area_by_answer_time(self, store: FeedbackStore) -> None:
        roads = await file_item(store)
        waste = await file_item(store, area="waste")
        for item, answer, hours in ((roads, YES, 0), (roads, YES, 30), (roads, NO, 50),
                                    (waste, NO, 1)):
            await store.record_satisfaction(item.id, answer, "sms", actor="citizen:1",
                                            at=T0 + timedelta(hours=hours))
        assert await store.satisfaction_counts() == {
            "roads": SatisfactionCounts(yes=2, no=1), "waste": SatisfactionCounts(no=1)}
        assert await store.satisfaction_counts(areas=["roads"], since=T0 + timedelta(hours=1),
                                               until=T0 + timedelta(hours=50)) == {
            "roads": SatisfactionCounts(yes=1)}
        assert await store.satisfaction_counts(areas=[]) == {}
        assert (await store.satisfaction_counts())["roads"].total == 3

    async def test_answers_outlive_a_forgotten_citizen(self, store: FeedbackStore) -> None:
        cid = await citizen_id(store)
        item = await file_item(store, citizen_id=cid)
        await store.record_satisfaction(item.id, NO, "sms", actor=f"citizen:{cid}", at=T0)
        await store.forget_citizen(cid, actor=f"citizen:{cid}")
        assert await store.satisfaction_counts() == {"roads": SatisfactionCounts(no=1)}

    async def test_stats_count_received_and_ideas_per_week(self, store: FeedbackStore) -> None:
        await file_item(store, created_at=T0)
        await file_item(store, kind="idea", created_at=T0 + timedelta(days=1))
        await file_item(store, kind="idea", status=FeedbackStatus.RESOLVED,
                        created_at=T0 + timedelta(days=8))
        stats = await store.feedback_stats()
        assert [(s.area, s.week, s.received, s.ideas_received, s.ideas_taken_up)
                for s in stats] == [("roads", "2025-W10", 2, 1, 0), ("roads", "2025-W11", 1, 1, 1)]
        assert await store.feedback_stats(areas=[]) == []
        assert await store.feedback_stats(until=T0) == []


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def at(self, hours: float) -> None:
        self.now = T0 + timedelta(hours=hours)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def timed(clock: Clock) -> AsyncIterator[FeedbackStore]:
    async with SQLiteStore(MEMORY, clock=clock) as opened:
        yield await seed_areas(opened)


async def _set(store: FeedbackStore, clock: Clock, ref: str, hours: float, status: str,
               actor: str = "staff:1") -> None:
    clock.at(hours)
    await store.update_feedback(ref, actor, {"status": FeedbackStatus(status)})


async def test_weekly_figures_on_a_fixed_clock(timed: FeedbackStore, clock: Clock) -> None:
    store = timed
    a = await file_item(store, created_at=T0)
    b = await file_item(store, created_at=T0 + timedelta(hours=1))
    c = await file_item(store, kind="idea", created_at=T0 + timedelta(hours=2))
    d = await file_item(store, kind="idea", created_at=T0 + timedelta(hours=3))
    await file_item(store, created_at=T0 + timedelta(days=7))  # next week
    await file_item(store, area="waste", created_at=T0)
    await _set(store, clock, a.reference, 2, "acknowledged")  # first response after 2 h
    clock.at(5)
    await store.add_audit("staff:1", "reply", "feedback", b.id, after={"length": 10})  # 4 h
    await _set(store, clock, c.reference, 3, "in_progress")  # 1 h; an idea taken up
    await _set(store, clock, d.reference, 4, "acknowledged", actor="citizen:9")  # not staff
    clock.at(4)
    await store.update_feedback(d.reference, "staff:1", {"area": "roads", "urgent": True})
    await _set(store, clock, a.reference, 26, "resolved")  # resolved in 26 h, within 7 days
    await _set(store, clock, b.reference, 101, "resolved")  # 100 h
    await _set(store, clock, b.reference, 110, "in_progress", actor="citizen:1")  # reopened
    await _set(store, clock, b.reference, 201, "resolved")  # last resolution: 200 h
    await store.record_satisfaction(a.id, YES, "sms", actor="citizen:1", at=T0)
    await store.record_satisfaction(b.id, NO, "sms", actor="citizen:1", at=T0)

    roads_w10, roads_w11, waste_w10 = await store.feedback_stats()
    assert roads_w10 == FeedbackStats(
        area="roads", week="2025-W10", received=4, median_hours_to_first_response=2.0,
        median_hours_to_resolution=113.0, resolved_within_target=1, resolved_share=0.25,
        ideas_received=2, ideas_taken_up=1, satisfied_yes=1, satisfied_no=1)
    assert (roads_w11.week, roads_w11.received, roads_w11.median_hours_to_first_response,
            roads_w11.median_hours_to_resolution, roads_w11.resolved_share) == (
        "2025-W11", 1, None, None, 0.0)
    assert (waste_w10.area, waste_w10.received) == ("waste", 1)

    [wide] = await store.feedback_stats(areas=["roads"], until=T0 + timedelta(days=7),
                                        target=timedelta(days=10))
    assert (wide.resolved_within_target, wide.resolved_share) == (2, 0.5)
    [later] = await store.feedback_stats(since=T0 + timedelta(days=7))
    assert later.week == "2025-W11"
