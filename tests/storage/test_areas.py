"""Service areas in the store: added from the model, edited and retired by admins."""

from __future__ import annotations

import pytest

from bot.storage import ConflictError, FeedbackStatus, FeedbackStore, NotFoundError, StaffRole

from .test_contract import INJECTION, file_item


async def test_ensure_areas_adds_only_new_codes(store: FeedbackStore) -> None:
    added = await store.ensure_areas({"roads": "Roads", "waste": "Waste"})
    assert added == ["roads", "waste"]
    assert await store.ensure_areas({"roads": "Streets", "parks_trees": "Parks"}) == [
        "parks_trees"]
    roads = await store.get_area("roads")
    assert roads is not None and roads.label == "Roads" and roads.active
    assert [a.code for a in await store.list_areas()] == ["parks_trees", "roads", "waste"]


async def test_bad_codes_are_refused(store: FeedbackStore) -> None:
    for code in ("Roads", "x", "a-b", INJECTION, ""):
        with pytest.raises(ValueError, match="area code"):
            await store.add_area(code, "Label", actor="staff:admin@x.gov")


async def test_add_rename_and_audit(store: FeedbackStore) -> None:
    area = await store.add_area("snow", "Snow clearing", actor="staff:admin@x.gov",
                                keywords=["ice", "snow", "ice"], group="Streets")
    assert area.keywords == ("ice", "snow") and area.group == "Streets"
    with pytest.raises(ConflictError):
        await store.add_area("snow", "Again", actor="staff:admin@x.gov")
    renamed = await store.update_area("snow", actor="staff:admin@x.gov",
                                      label="Winter service")
    assert renamed.label == "Winter service"
    with pytest.raises(ValueError, match="label"):
        await store.update_area("snow", actor="staff:admin@x.gov", label="  ")
    with pytest.raises(ValueError, match="cannot change"):
        await store.update_area("snow", actor="staff:admin@x.gov", active=False)
    with pytest.raises(NotFoundError):
        await store.update_area("nope", actor="staff:admin@x.gov", label="X")
    history = await store.list_audit(entity="service_area", entity_id="snow")
    assert [e.action for e in history] == ["create", "update"]
    assert history[1].before == {"label": "Snow clearing"}


async def test_open311_key_is_never_in_the_audit_or_repr(store: FeedbackStore) -> None:
    await store.ensure_areas({"roads": "Roads"})
    area = await store.update_area("roads", actor="staff:admin@x.gov",
                                   open311_endpoint="https://city.example/open311/v2/",
                                   open311_service_code="POTHOLE",
                                   open311_api_key_encrypted="gAAAA-secret")
    assert area.forwards_to_open311 and "gAAAA-secret" not in repr(area)
    entry = (await store.list_audit(entity="service_area", entity_id="roads"))[-1]
    assert entry.after is not None and entry.after["open311_api_key_encrypted"] == "[set]"
    cleared = await store.update_area("roads", actor="staff:admin@x.gov", open311_endpoint="")
    assert cleared.open311_endpoint is None and not cleared.forwards_to_open311


async def test_retire_moves_reports_staff_and_earlier_retirees(store: FeedbackStore) -> None:
    await store.ensure_areas({"roads": "Roads", "potholes": "Potholes", "kerbs": "Kerbs"})
    first = await file_item(store, area="potholes")
    done = await file_item(store, area="potholes", status=FeedbackStatus.CLOSED)
    other = await file_item(store, area="roads")
    user = await store.create_user("pat@x.gov", StaffRole.STAFF, areas=["potholes"])
    assert await store.retire_area("kerbs", "potholes", actor="staff:admin@x.gov") == 0
    assert await store.retire_area("potholes", "roads", actor="staff:admin@x.gov") == 2
    for item in (first, done, other):
        moved = await store.get_feedback(item.reference)
        assert moved is not None and moved.area == "roads"
    potholes, kerbs = await store.get_area("potholes"), await store.get_area("kerbs")
    assert potholes is not None and not potholes.active and potholes.moved_to == "roads"
    assert kerbs is not None and kerbs.moved_to == "roads"
    assert [a.code for a in await store.list_areas()] == ["roads"]
    assert len(await store.list_areas(include_retired=True)) == 3
    staff = await store.get_user(user.id)
    assert staff is not None and staff.areas == ("roads",)  # the retired code is gone
    history = await store.list_audit(entity="feedback", entity_id=str(first.id))
    assert history[-1].after == {"area": "roads"}
    with pytest.raises(ConflictError):
        await store.retire_area("potholes", "roads", actor="staff:admin@x.gov")
    with pytest.raises(ConflictError):
        await store.retire_area("roads", "kerbs", actor="staff:admin@x.gov")
    with pytest.raises(ValueError):
        await store.retire_area("roads", "roads", actor="staff:admin@x.gov")
