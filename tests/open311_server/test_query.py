"""GET requests: the 90-day window, filters, paging, statuses, notes, and who sees what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.storage import FeedbackStatus
from tests.open311_server.conftest import World


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [r["service_request_id"] for r in response.json()]


def _day(days_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()


# -- the window -----------------------------------------------------------------------------


async def test_default_window_is_the_last_90_days_newest_first(world: World) -> None:
    recent = await world.file(1)
    older = await world.file(80)
    await world.file(95)  # outside the default window
    assert _ids(await world.get("requests.json")) == [recent.reference, older.reference]


async def test_start_and_end_dates_select_requested_datetime(world: World) -> None:
    items = {days: await world.file(days) for days in (5, 50, 100, 150)}
    got = _ids(await world.get("requests.json", start_date=_day(120), end_date=_day(40)))
    assert got == [items[50].reference, items[100].reference]
    # start only: 90 days from it; end only: the 90 days before it
    assert _ids(await world.get("requests.json", start_date=_day(160))) == [
        items[100].reference, items[150].reference]
    assert _ids(await world.get("requests.json", end_date=_day(45))) == [
        items[50].reference, items[100].reference]
    # end_date is inclusive; W3C times with Z and plain dates are read
    exact = items[5].created_at.replace(microsecond=0) + timedelta(seconds=1)
    z = exact.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert items[5].reference in _ids(await world.get("requests.json", end_date=z))
    assert _ids(await world.get("requests.json", start_date="2001-01-01",
                                end_date="2001-02-01")) == []


@pytest.mark.parametrize(("params", "words"), [
    ({"start_date": "2024-01-01T00:00:00Z", "end_date": "2024-04-01T00:00:01Z"},
     "at most 90 days apart"),
    ({"start_date": "2024-03-01T00:00:00Z", "end_date": "2024-01-01T00:00:00Z"},
     "end_date must not be before start_date"),
    ({"start_date": "yesterday"}, "start_date must be an ISO 8601 date-time"),
    ({"end_date": "2024-13-01"}, "end_date must be an ISO 8601 date-time"),
    ({"status": "pending"}, "status must be open or closed"),
    ({"page_size": "1001"}, "page_size must be between 1 and 1,000"),
    ({"page_size": "0"}, "page_size must be between"),
    ({"page": "-1"}, "page must be between"),
    ({"page": "two"}, "page must be a whole number"),
])
async def test_bad_filters_are_400(world: World, params: dict[str, str], words: str) -> None:
    response = await world.get("requests.json", **params)
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": response.json()[0]["description"]}]
    assert words in response.json()[0]["description"]


async def test_exactly_90_days_is_allowed(world: World) -> None:
    response = await world.get("requests.json", start_date="2024-01-01T00:00:00Z",
                               end_date="2024-03-31T00:00:00Z")
    assert response.status_code == 200 and response.json() == []


# -- filters and paging ---------------------------------------------------------------------


async def test_status_and_service_code_filters(world: World) -> None:
    road = await world.file(1)
    bins = await world.file(2, area="waste")
    done = await world.file(3, status=FeedbackStatus.RESOLVED)
    assert _ids(await world.get("requests.json", status="closed")) == [done.reference]
    assert _ids(await world.get("requests.json", status="open")) == [road.reference,
                                                                      bins.reference]
    assert len(_ids(await world.get("requests.json", status="open,closed"))) == 3
    assert _ids(await world.get("requests.json", service_code="waste")) == [bins.reference]
    both = await world.get("requests.json", service_code="waste,roads", status="open")
    assert _ids(both) == [road.reference, bins.reference]


async def test_service_request_ids_override_the_other_filters(world: World) -> None:
    old = await world.file(200)
    new = await world.file(1, status=FeedbackStatus.CLOSED)
    ids = f"{old.reference},{new.reference.lower()},CV-ZZZZZ,junk"
    got = _ids(await world.get("requests.json", service_request_id=ids, status="open",
                               start_date=_day(2)))
    assert got == [old.reference, new.reference]


async def test_paging(world: World) -> None:
    items = [await world.file(i / 10) for i in range(7)]
    newest_first = [i.reference for i in items]
    pages = [_ids(await world.get("requests.json", page=str(p), page_size="3"))
             for p in (1, 2, 3, 4)]
    assert pages == [newest_first[0:3], newest_first[3:6], newest_first[6:], []]
    assert _ids(await world.get("requests.json", page_size="1000")) == newest_first


async def test_at_most_1000_by_default(world: World) -> None:
    at = datetime.now(UTC) - timedelta(days=1)
    for _ in range(1003):
        await world.store.create_feedback(
            channel="web", original_text="x", redacted_text="x", area="roads",
            area_confidence=0.5, kind="complaint", created_at=at)
    assert len(_ids(await world.get("requests.json"))) == 1000
    assert len(_ids(await world.get("requests.json", page="2"))) == 3


# -- statuses, notes, and who sees what -----------------------------------------------------


@pytest.mark.parametrize(("status", "open311"), [
    (FeedbackStatus.NEW, "open"), (FeedbackStatus.ACKNOWLEDGED, "open"),
    (FeedbackStatus.IN_PROGRESS, "open"), (FeedbackStatus.RESOLVED, "closed"),
    (FeedbackStatus.CLOSED, "closed"), (FeedbackStatus.DUPLICATE, "closed"),
    (FeedbackStatus.REJECTED, "closed"),
])
async def test_status_mapping(world: World, status: FeedbackStatus, open311: str) -> None:
    item = await world.file(1, status=status)
    got = (await world.get(f"requests/{item.reference}.json")).json()[0]
    assert got["status"] == open311
    assert (got["expected_datetime"] is None) == (open311 == "closed")


async def test_status_notes_carry_the_staff_note_to_key_holders(world: World) -> None:
    reference = (await world.post()).json()[0]["service_request_id"]
    changed = await world.client.patch(
        f"/api/v1/feedback/{reference}",
        headers={"Authorization": f"Bearer {world.tokens['admin']}"},
        json={"status": "resolved", "note": "Pothole filled on Tuesday."})
    assert changed.status_code == 200, changed.text
    keyed = (await world.get(f"requests/{reference}.json", "admin")).json()[0]
    assert keyed["status"] == "closed"
    assert keyed["status_notes"] == "Resolved: Pothole filled on Tuesday."
    anonymous = (await world.get(f"requests/{reference}.json")).json()[0]
    assert anonymous["status_notes"] == "Resolved"
    # a later internal remark (no status change) is not a status note
    await world.store.update_feedback(reference, "staff:1", {}, note="caller was rude")
    again = (await world.get(f"requests/{reference}.json", "admin")).json()[0]
    assert again["status_notes"] == "Resolved: Pothole filled on Tuesday."


async def test_duplicate_notes_name_the_original(world: World) -> None:
    first = await world.file(2)
    second = await world.file(1)
    await world.store.update_feedback(second.reference, "staff:1", {
        "status": FeedbackStatus.DUPLICATE, "duplicate_of": first.reference})
    got = (await world.get(f"requests/{second.reference}.json")).json()[0]
    assert got["status"] == "closed"
    assert got["status_notes"] == f"Merged with another report ({first.reference})"


async def test_words_and_place_only_for_key_holders_of_the_area(world: World) -> None:
    reference = (await world.post(address_string="8TH AVE and JUDAH ST")).json()[0][
        "service_request_id"]
    path = f"requests/{reference}.json"
    private = ("description", "address", "lat", "long")
    for who in ("admin", "roads"):
        got = (await world.get(path, who)).json()[0]
        assert got["description"] == "Huge pothole on Judah Street, two cars damaged"
        assert got["address"] == "8TH AVE and JUDAH ST" and got["lat"] is not None
    for who in (None, "waste"):
        got = (await world.get(path, who)).json()[0]
        assert all(got[key] is None for key in private), got
        assert got["status"] == "open" and got["service_code"] == "roads"
    bad = await world.get(path, api_key="wrong")
    assert bad.status_code == 403 and bad.json()[0]["code"] == 403


async def test_descriptions_are_the_redacted_text(world: World) -> None:
    item = await world.file(1)
    got = (await world.get(f"requests/{item.reference}.json", "admin")).json()[0]
    assert got["description"] == "Lamp out, call [NAME]"
    assert "Ann" not in str(got)
