"""What the results and accountability pages show: satisfaction answers and weekly figures.

The records are plain values like those in ``records``; ``weekly_stats`` turns the rows a
store read into ``FeedbackStats`` in pure Python (medians are simpler here than in SQL).
Weeks are ISO weeks in UTC of each report's ``created_at``: a week's row describes the
reports received that week, however long they later took.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from statistics import median

from bot.storage.records import FeedbackStatus

DEFAULT_RESOLUTION_TARGET = timedelta(days=7)
"""The resolution target ``feedback_stats`` measures against when none is given."""

RESOLVED = frozenset({FeedbackStatus.RESOLVED, FeedbackStatus.CLOSED})
"""Statuses that count as resolved for the resolution figures."""
TAKEN_UP = frozenset({FeedbackStatus.IN_PROGRESS, FeedbackStatus.RESOLVED})
"""Statuses of an idea that staff took up."""


class SatisfactionAnswer(StrEnum):
    """A citizen's answer to "Is it fixed?"."""

    YES = "yes"
    NO = "no"


@dataclass(frozen=True, slots=True)
class Satisfaction:
    """One recorded answer (no words, only the answer)."""

    id: int
    feedback_id: int
    answer: SatisfactionAnswer
    channel: str
    inbound_id: int | None
    answered_at: datetime


@dataclass(frozen=True, slots=True)
class SatisfactionCounts:
    """How many citizens said their report was fixed (``yes``) or not (``no``)."""

    yes: int = 0
    no: int = 0

    @property
    def total(self) -> int:
        return self.yes + self.no


@dataclass(frozen=True, slots=True)
class FeedbackStats:
    """Figures for the reports one area received in one ISO week (``week`` like ``2025-W09``).

    Medians are in hours and None when no report qualifies. ``resolved_within_target`` counts
    reports now resolved or closed whose last resolution came within the target of filing;
    ``resolved_share`` is that over ``received``. Satisfaction counts the answers given
    about these reports, whenever they were given.
    """

    area: str
    week: str
    received: int
    median_hours_to_first_response: float | None
    median_hours_to_resolution: float | None
    resolved_within_target: int
    resolved_share: float
    ideas_received: int
    ideas_taken_up: int
    satisfied_yes: int
    satisfied_no: int


@dataclass(frozen=True, slots=True)
class StatsRow:
    """One report as ``weekly_stats`` needs it, read by a store."""

    area: str
    kind: str
    status: FeedbackStatus
    created_at: datetime
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    answers: tuple[SatisfactionAnswer, ...] = field(default=())


def iso_week(moment: datetime) -> str:
    """Return the ISO week of ``moment`` as ``YYYY-Www``."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def _hours(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 3600)


def weekly_stats(rows: Iterable[StatsRow], target: timedelta) -> list[FeedbackStats]:
    """Group reports by area and ISO week and compute their figures, sorted by area, week."""
    groups: dict[tuple[str, str], list[StatsRow]] = defaultdict(list)
    for row in rows:
        groups[(row.area, iso_week(row.created_at))].append(row)
    out = []
    for (area, week), items in sorted(groups.items()):
        responses = [_hours(r.created_at, r.first_response_at) for r in items
                     if r.first_response_at is not None]
        resolved = [r for r in items if r.status in RESOLVED and r.resolved_at is not None]
        resolutions = [_hours(r.created_at, r.resolved_at) for r in resolved
                       if r.resolved_at is not None]
        in_target = sum(h <= target.total_seconds() / 3600 for h in resolutions)
        ideas = [r for r in items if r.kind == "idea"]
        answers = [a for r in items for a in r.answers]
        out.append(FeedbackStats(
            area=area, week=week, received=len(items),
            median_hours_to_first_response=median(responses) if responses else None,
            median_hours_to_resolution=median(resolutions) if resolutions else None,
            resolved_within_target=in_target, resolved_share=in_target / len(items),
            ideas_received=len(ideas),
            ideas_taken_up=sum(r.status in TAKEN_UP for r in ideas),
            satisfied_yes=answers.count(SatisfactionAnswer.YES),
            satisfied_no=answers.count(SatisfactionAnswer.NO),
        ))  # fmt: skip
    return out
