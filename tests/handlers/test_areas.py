"""Admins' area operations: the model's areas appear, retired areas route to their new
home, and each area says how many examples the model has for it."""

from __future__ import annotations

from bot.storage import MEMORY, CorrectionField, FeedbackStore, SQLiteStore
from handlers.areas import MIN_EXAMPLES, AreaDirectory
from handlers.triage import TriageService, redirect
from nlp.result import TriageResult

ADMIN = "staff:admin@city.gov"


def _result(area: str, top: list[tuple[str, float]]) -> TriageResult:
    return TriageResult(area=area, area_confidence=top[0][1], top_areas=top, kind="complaint",
                        kind_confidence=0.9, innovation=0.1, urgent=False, urgent_score=0.0,
                        needs_review=False, model_version="v")


def test_redirect_merges_a_retired_area_into_its_home() -> None:
    result = _result("graffiti_vandalism", [("graffiti_vandalism", 0.5),
                                            ("public_safety", 0.3), ("roads", 0.2)])
    moved = redirect(result, {"graffiti_vandalism": "public_safety"})
    assert moved.area == "public_safety"
    assert moved.top_areas == [("public_safety", 0.8), ("roads", 0.2)]
    assert moved.area_confidence == 0.8
    assert redirect(result, {"housing": "other"}) is result
    assert redirect(result, {}) is result


async def test_sync_adds_the_models_areas_once(triage: TriageService) -> None:
    async with SQLiteStore(MEMORY) as store:  # empty: no areas yet
        areas = AreaDirectory(store, triage)
        added = await areas.sync()
        assert set(added) == set(triage.triager.area_labels) and "roads" in added
        assert await areas.sync() == []
        roads = await store.get_area("roads")
        assert roads is not None and roads.label == "Roads and pavements"


async def test_retired_area_is_routed_to_its_new_home(store: FeedbackStore,
                                                      triage: TriageService) -> None:
    areas = AreaDirectory(store, triage)
    await areas.sync()
    text = "Someone sprayed graffiti all over the bus shelter wall"
    assert (await triage.classify(text)).area == "graffiti_vandalism"
    item = await store.create_feedback(channel="web", original_text=text, redacted_text=text,
                                       area="graffiti_vandalism", area_confidence=0.9,
                                       kind="complaint")
    assert await areas.retire("graffiti_vandalism", "public_safety", actor=ADMIN) == 1
    result = await triage.classify(text)
    assert result.area == "public_safety"
    assert "graffiti_vandalism" not in [a for a, _ in result.top_areas]
    assert [r.area for r in await triage.classify_many([text])] == ["public_safety"]
    moved = await store.get_feedback(item.reference)
    assert moved is not None and moved.area == "public_safety"


async def test_examples_and_warnings(store: FeedbackStore, triage: TriageService) -> None:
    areas = AreaDirectory(store, triage)
    await areas.sync()
    await areas.add("snow_clearing", "Snow clearing", actor=ADMIN)
    await areas.rename("roads", "Roads and pavements", actor=ADMIN)
    for i in range(3):
        item = await store.create_feedback(
            channel="web", original_text=f"snow {i}", redacted_text=f"Snow on path {i}",
            area="roads", area_confidence=0.5, kind="complaint")
        await store.add_correction(item.id, CorrectionField.AREA, "snow_clearing", "roads",
                                   ADMIN)
    found = {e.area.code: e for e in await areas.examples()}
    snow, roads = found["snow_clearing"], found["roads"]
    assert snow.trained == 0 and snow.staff_labels == 3 and snow.too_few
    assert not snow.predicted_by_model and "does not know this area" in snow.warning
    assert str(MIN_EXAMPLES - 3) in snow.warning
    assert roads.area.label == "Roads and pavements" and roads.trained > 100
    assert roads.warning == "" and not roads.too_few
