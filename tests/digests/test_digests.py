"""Digests end to end: store -> content -> real SMTP on 127.0.0.1 -> watermark."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.digests import Outcome, build_service, watermark_key
from bot.digests.similarity import jaccard, tokens
from bot.storage import FeedbackStatus, FeedbackStore, SQLiteStore, StaffRole
from tests.digests.conftest import Inbox, bodies, free_port, make_settings

NOW = datetime.now(UTC)


async def item(store: FeedbackStore, text: str, area: str = "roads", **extra: Any) -> str:
    values: dict[str, Any] = {"channel": "web", "area_confidence": 0.83, "kind": "complaint",
                              **extra}
    made = await store.create_feedback(original_text=text, redacted_text=text, area=area,
                                       **values)
    return made.reference


async def staff(store: FeedbackStore) -> None:
    await store.create_user("roads@cv.example", StaffRole.STAFF, ["roads"])
    await store.create_user("waste@cv.example", StaffRole.STAFF, ["waste"])
    await store.create_user("boss@cv.example", StaffRole.ADMIN, [])


async def test_routing_and_sections(smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    async with SQLiteStore(":memory:") as store:
        await staff(store)
        pothole = await item(store, "Huge pothole on Elm Street near the school")
        await item(store, "Pothole on Elm Street near the school is huge")
        await item(store, "Crack in the road surface", latitude=51.5, longitude=-0.1)
        await item(store, "Road broken here", latitude=51.5004, longitude=-0.1)
        bins = await item(store, "Bins not emptied for weeks", area="waste")
        idea1 = await item(store, "Add a cycle lane on Main Street", kind="idea")
        await item(store, "Please add a cycle lane to Main Street", kind="idea")
        await item(store, "Plant trees along the ring road", kind="idea")
        unsure = await item(store, "Something odd by the bridge", needs_review=True,
                            area_confidence=0.31)
        urgent = await item(store, "Manhole cover missing on High St", urgent=True)
        old = await item(store, "Sunken kerb", created_at=NOW - timedelta(days=5))
        fresh_ok = await item(store, "Faded marking", created_at=NOW - timedelta(days=2))
        service = build_service(make_settings(port, digest_target_days="default=7;roads=3",
                                              digest_recipients="roads:ops@cv.example"),
                                store)
        results = await service.send()

    sent = {r.area: r for r in results if r.outcome is Outcome.SENT}
    assert set(sent) == {"roads", "waste"}
    assert inbox.to("boss@cv.example") == []  # admins get digests only for listed areas
    [roads] = inbox.to("roads@cv.example")
    assert inbox.to("ops@cv.example") == [roads]
    [waste] = inbox.to("waste@cv.example")
    text, html = bodies(roads)
    assert bins not in text and pothole not in bodies(waste)[0]
    assert f"https://cv.example/staff/feedback/{pothole}" in text and "83%" in text
    assert text.index("URGENT") < text.index(urgent) < text.index("NEW REPORTS")
    assert "+1 similar report(s) about the same place" in text  # words
    assert text.count("+1 similar") == 2  # and the two reports 45 m apart
    ideas = text[text.index("IDEAS"):]
    assert "2 citizens propose much the same" in ideas and idea1 in ideas
    review = text[text.index("AWAITING TRIAGE"):text.index("IDEAS")]
    assert unsure in review and unsure not in text[:text.index("AWAITING TRIAGE")]
    overdue = text[text.index("OVERDUE"):]
    assert old in overdue and fresh_ok not in overdue and "3-day target" in overdue
    assert "<h2>Ideas</h2>" in html and f"/staff/feedback/{idea1}" in html
    assert roads["Subject"].startswith("CivicVoice digest: ")


async def test_html_escapes_citizen_text(smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    async with SQLiteStore(":memory:") as store:
        await staff(store)
        await item(store, 'Hole <script>alert("x")</script> & <b>bold</b>')
        await build_service(make_settings(port), store).send(["roads"])
    text, html = bodies(inbox.messages[0][1])
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    assert "<script>" in text  # plain text stays as written


async def test_failure_is_retried_and_never_marked(smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    async with SQLiteStore(":memory:") as store:
        await staff(store)
        ref = await item(store, "Pothole")
        inbox.fail = 5
        service = build_service(make_settings(port), store, attempts=2)
        [failed] = await service.send(["roads"])
        assert failed.outcome is Outcome.FAILED and "451" in (failed.error or "")
        assert inbox.fail == 3 and inbox.messages == []
        assert await store.get_meta(watermark_key("roads", "")) is None
        inbox.fail = 1  # the first attempt fails again, the retry gets through
        [ok] = await service.send(["roads"])
        assert ok.outcome is Outcome.SENT and len(inbox.messages) == 1
        assert ref in bodies(inbox.messages[0][1])[0]
        assert await store.get_meta(watermark_key("roads", "")) is not None


async def test_closed_port_is_a_failure() -> None:
    async with SQLiteStore(":memory:") as store:
        await staff(store)
        await item(store, "Pothole")
        [result] = await build_service(make_settings(free_port()), store).send(["roads"])
    assert result.outcome is Outcome.FAILED
    assert "@" not in (result.error or "")


async def test_no_double_send_after_restart(smtp: tuple[Inbox, int], tmp_path: Path) -> None:
    inbox, port = smtp
    db = tmp_path / "cv.db"
    async with SQLiteStore(db) as store:
        await staff(store)
        first = await item(store, "Pothole one")
        await build_service(make_settings(port), store).send()
    async with SQLiteStore(db) as store:  # "restart": new objects, same file
        [again] = await build_service(make_settings(port), store).send(["roads"])
        assert again.outcome is Outcome.NOTHING_NEW
        second = await item(store, "Streetlight out", kind="question")
        await build_service(make_settings(port), store).send(["roads"])
    assert len(inbox.messages) == 2
    latest = bodies(inbox.messages[1][1])[0]
    assert second in latest and first not in latest


async def test_closed_items_are_not_overdue(smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    async with SQLiteStore(":memory:") as store:
        await staff(store)
        done = await item(store, "Old fixed hole", created_at=NOW - timedelta(days=30),
                          status=FeedbackStatus.RESOLVED)
        late = await item(store, "Old open hole", created_at=NOW - timedelta(days=30))
        await build_service(make_settings(port), store).send(["roads"])
    text = bodies(inbox.messages[0][1])[0]
    overdue = text[text.index("OVERDUE"):]
    assert late in overdue and done not in overdue


def test_similarity() -> None:
    a = tokens("Please add a cycle lane on Main Street")
    b = tokens("Add cycle lanes to main street!")
    assert jaccard(a, b) >= 0.5
    assert jaccard(a, tokens("Bins not emptied")) == 0.0
