"""Turn the store's weekly figures into per-area totals for the results pages.

Counts and shares are exact sums. ``feedback_stats`` gives medians per week only, so an
area's median here is the median of its weekly medians (a note on the page says so).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from statistics import median

from bot.storage import Correction, CorrectionField, FeedbackStats

SMALL = 5
"""Counts below this are suppressed on the public page."""


@dataclass(frozen=True, slots=True)
class AreaFigures:
    area: str
    received: int
    median_first_response: float | None
    median_resolution: float | None
    resolved_within_target: int
    ideas_received: int
    ideas_taken_up: int
    satisfied_yes: int
    satisfied_no: int

    @property
    def resolved_share(self) -> float:
        return self.resolved_within_target / self.received if self.received else 0.0

    @property
    def satisfied_total(self) -> int:
        return self.satisfied_yes + self.satisfied_no


def _median(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return median(present) if present else None


def by_area(stats: list[FeedbackStats]) -> list[AreaFigures]:
    """Sum the weekly rows of each area."""
    groups: dict[str, list[FeedbackStats]] = defaultdict(list)
    for row in stats:
        groups[row.area].append(row)
    return [AreaFigures(
        area=area, received=sum(r.received for r in rows),
        median_first_response=_median([r.median_hours_to_first_response for r in rows]),
        median_resolution=_median([r.median_hours_to_resolution for r in rows]),
        resolved_within_target=sum(r.resolved_within_target for r in rows),
        ideas_received=sum(r.ideas_received for r in rows),
        ideas_taken_up=sum(r.ideas_taken_up for r in rows),
        satisfied_yes=sum(r.satisfied_yes for r in rows),
        satisfied_no=sum(r.satisfied_no for r in rows),
    ) for area, rows in sorted(groups.items())]  # fmt: skip


def by_week(stats: list[FeedbackStats]) -> list[tuple[str, float]]:
    """Reports received per ISO week, all areas together."""
    weeks: dict[str, int] = defaultdict(int)
    for row in stats:
        weeks[row.week] += row.received
    return [(week, float(n)) for week, n in sorted(weeks.items())]


@dataclass(frozen=True, slots=True)
class Accuracy:
    area: str
    confirmed: int
    changed: int

    @property
    def total(self) -> int:
        return self.confirmed + self.changed

    @property
    def share(self) -> float:
        return self.confirmed / self.total if self.total else 0.0


def classifier_accuracy(corrections: list[Correction]) -> list[Accuracy]:
    """Per model-assigned area: how often staff's first area label confirmed the model's.

    Only the first area label of each item counts; its ``previous_value`` is what the
    model chose (later labels judge other staff, not the model).
    """
    seen: set[int] = set()
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c in corrections:
        if c.field is not CorrectionField.AREA or c.feedback_id in seen:
            continue
        seen.add(c.feedback_id)
        model_area = c.previous_value or "unknown"
        counts[model_area][0 if c.value == model_area else 1] += 1
    return [Accuracy(area, ok, bad) for area, (ok, bad) in sorted(counts.items())]


def shown(count: int) -> str:
    """A count for the public page: small numbers suppressed."""
    return "fewer than 5" if count < SMALL else str(count)
