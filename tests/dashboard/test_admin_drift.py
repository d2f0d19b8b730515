"""Pure parts of the admin pages: drift arithmetic, the confusion-matrix picture, and the
retrain figures read from a version's metadata."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from bot.storage import Correction, CorrectionField
from bot.web.dashboard import charts
from bot.web.dashboard.drift import month_start, monthly_drift
from bot.web.dashboard.versions import retrain_figures
from tests.dashboard.test_admin_models import retrain_summary

T0 = datetime(2031, 5, 10, 12, tzinfo=UTC)
_ids = itertools.count(1)


def label(item: int, value: str, previous: str | None, actor: str = "staff:1",
          minutes: int = 0, field: CorrectionField = CorrectionField.AREA) -> Correction:
    return Correction(id=next(_ids), feedback_id=item, feedback_reference=f"CV-{item}",
                      field=field, value=value, previous_value=previous, actor=actor,
                      created_at=T0 + timedelta(minutes=minutes), redacted_text="text")


def test_month_start() -> None:
    assert month_start(T0) == datetime(2031, 5, 1, tzinfo=UTC)


def test_no_labels_only_routing() -> None:
    drift = monthly_drift({"roads": 4, "waste": 2, "other": 0}, [], month_start(T0))
    assert [(a.area, a.routed, a.labelled, a.agreement, a.flagged) for a in drift.areas] == [
        ("roads", 4, 0, None, False), ("waste", 2, 0, None, False)]
    assert drift.agreement is None and drift.confusions == []


def test_routed_counts_the_models_choice_not_the_current_area() -> None:
    # items 1-3: the model said roads; staff moved 2 and 3 to waste, confirmed 1
    labels = [label(1, "roads", "roads"), label(2, "waste", "roads"),
              label(3, "waste", "roads"), label(4, "kind-only", "x",
                                                field=CorrectionField.KIND)]
    drift = monthly_drift({"roads": 1, "waste": 5}, labels, month_start(T0))
    by = {a.area: a for a in drift.areas}
    assert (by["roads"].routed, by["roads"].labelled, by["roads"].confirmed,
            by["roads"].moved_away, by["roads"].moved_in) == (3, 3, 1, 2, 0)
    assert (by["waste"].routed, by["waste"].labelled, by["waste"].moved_in) == (3, 0, 2)
    assert by["roads"].confusions == (("waste", 2),)
    assert drift.confusions == [("roads", "waste", 2)]
    assert (drift.labelled, drift.confirmed) == (3, 1)


def test_chains_citizens_and_labels_without_a_previous_value() -> None:
    labels = [
        # the citizen picked waste from the Telegram buttons, then staff said parks
        label(1, "waste", "roads", actor="citizen:9"),
        label(1, "parks_trees", "waste", minutes=5),
        # staff first moved it away, then back: their last word confirms the model
        label(2, "other", "roads"), label(2, "roads", "other", minutes=9),
        # only the citizen labelled it: routed, but not judged by staff
        label(3, "waste", "roads", actor="citizen:9"),
        # no previous value: says nothing about the model
        label(4, "roads", None),
    ]
    drift = monthly_drift({"parks_trees": 1, "roads": 2, "waste": 1}, labels, T0)
    by = {a.area: a for a in drift.areas}
    assert (by["roads"].routed, by["roads"].labelled, by["roads"].confirmed) == (4, 2, 1)
    assert by["roads"].confusions == (("parks_trees", 1),)
    assert "waste" not in by and by["parks_trees"].routed == 0
    assert by["parks_trees"].moved_in == 1


def test_flags_low_agreement_and_areas_staff_keep_filling() -> None:
    labels = [label(i, "waste" if i < 4 else "roads", "roads") for i in range(6)]
    labels += [label(10 + i, "housing", "other") for i in range(5)]
    labels += [label(20 + i, "parks_trees", "parks_trees") for i in range(5)]
    drift = monthly_drift({"waste": 4, "roads": 2, "housing": 5, "parks_trees": 5}, labels, T0)
    by = {a.area: a for a in drift.areas}
    assert by["roads"].agreement == 2 / 6 and by["roads"].flagged
    assert "moved 4 of 6 labelled reports away" in by["roads"].warning
    assert by["housing"].flagged and "moved 5 reports into it" in by["housing"].warning
    assert by["other"].flagged  # 0 of 5 confirmed
    assert not by["parks_trees"].flagged and by["parks_trees"].agreement == 1.0
    assert not by["waste"].flagged  # 4 moved in, below the minimum
    assert [a.area for a in drift.areas][:3] == sorted(["roads", "housing", "other"],
                                                       key=lambda a: -by[a].routed)
    assert {a.area for a in drift.flagged} == {"roads", "housing", "other"}


def test_heatmap_is_escaped_and_coloured_by_row_share() -> None:
    svg = str(charts.heatmap(["a", "b"], [[8, 2], [0, 0]], "M <1>",
                             ["<script>x</script>", "B & co"]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "B &amp; co" in svg
    assert svg.count("<rect") == 4 and "M &lt;1&gt;" in svg
    assert "predicted B &amp; co: 2 (20% of &lt;script&gt;x&lt;/script&gt;)" in svg
    assert "fill:#ffffff" in svg  # an empty row stays white
    assert ">8</text>" in svg and ">0</text>" not in svg  # zero cells carry no number


def test_retrain_figures_from_metadata() -> None:
    figures = retrain_figures(retrain_summary())
    assert (figures.decision, figures.compared_with, figures.held_out_rows) == (
        "promoted", "default", 120)
    assert figures.candidate["macro_f1"] == 0.8123 and figures.current["macro_f1"] == 0.7011
    roads = next(a for a in figures.per_area if a.area == "roads")
    assert roads.support == 40 and round(roads.change or 0, 3) == 0.23
    assert [h[0] for h in figures.heads] == ["kind macro-F1", "urgent F1"]
    assert figures.base_slice == (0.8, 0.7)
    empty = retrain_figures({})
    assert empty.per_area == [] and empty.base_slice is None and empty.heads == []
