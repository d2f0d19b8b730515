"""Staff marking reports urgent or not: training labels, held-out rows and the gate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from nlp.retrain import correction_rows, decide, split
from nlp.table import LabelledTable

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@dataclass(frozen=True)
class _C:
    id: int
    feedback_id: int
    field: str
    value: str
    actor: str
    created_at: datetime
    redacted_text: str


def _c(i: int, item: int, field: str, value: str, days_ago: float,
       actor: str = "staff:1") -> _C:
    return _C(i, item, field, value, actor, NOW - timedelta(days=days_ago), f"text {item}")


def test_the_latest_staff_urgency_label_wins_and_citizens_give_none() -> None:
    rows = correction_rows([
        _c(1, 10, "urgent", "true", 5), _c(2, 10, "urgent", "false", 2),
        _c(3, 11, "urgent", "1", 3), _c(4, 11, "area", "roads", 4),
        _c(5, 12, "urgent", "true", 1, actor="citizen:3"),
        _c(6, 13, "urgent", "maybe", 1),
    ], NOW)
    by_item = {r.feedback_id: r for r in rows}
    assert by_item[10].urgent is False and by_item[10].area is None
    assert by_item[11].urgent is True and by_item[11].area == "roads"
    assert 12 not in by_item and 13 not in by_item


def test_urgency_labels_train_as_real_rows_and_are_held_out_alone() -> None:
    base = LabelledTable(texts=[f"report number {i}" for i in range(40)],
                         labels=["a", "b"] * 20, kinds=[None] * 40, urgent=[None] * 40,
                         innovation=[None] * 40, weights=[1.0] * 40)
    corrections = [_c(i, 100 + i, "urgent", "true" if i % 2 else "false", 50 - i)
                   for i in range(10)]
    data = split(base, correction_rows(corrections, NOW), lambda texts: ["b"] * len(texts))
    trained = dict(zip(data.train.texts, data.train.urgency, strict=True))
    assert trained["text 100"] == "not" and trained["text 101"] == "urgent"
    assert trained["report number 0"] is None or "report number 0" not in trained
    held = dict(zip(data.held_out.texts, zip(data.held_out.labels, data.held_out.urgency,
                                             strict=True), strict=True))
    assert held["text 109"] == ("", "urgent")  # no area label: scored for urgency only
    assert "text 109" not in data.train.texts


def test_the_gate_rejects_a_candidate_that_misses_more_dangers() -> None:
    areas = {"macro_f1": 0.8, "per_area": {"a": {"f1": 0.8, "support": 40}}}
    current = {**areas, "urgency": {"n": 60, "urgent": 30, "flagged": 30, "recall": 0.9,
                                    "precision": 0.9}}
    worse = {**areas, "urgency": {"n": 60, "urgent": 30, "flagged": 20, "recall": 0.6,
                                  "precision": 0.9}}
    decision = decide(worse, current)
    assert not decision.promote and "urgency recall fell by 0.3000" in decision.reason
    assert decide(current, current).promote
    assert decide(worse, current, urgent_margin=0.5).promote
    # two rows' worth is noise on a few held-out urgent rows
    few = {**areas, "urgency": {**current["urgency"], "urgent": 4}}
    assert decide({**areas, "urgency": {**worse["urgency"], "recall": 0.5}}, few).promote
