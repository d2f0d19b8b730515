"""Drift this month: where the model routed reports, and where staff put them.

Pure functions over the store's figures, for the admin models page and the admin API.

For every report filed in the window that has area labels:

* the model's area is the ``previous_value`` of its first area label (what triage chose);
* its current area is the ``value`` of its last area label;
* staff's verdict is the ``value`` of its last label given by staff (not by the citizen,
  who may pick another team from the Telegram buttons).

``routed`` (reports the model sent to an area) is the store's count by current area with
each labelled report moved back to the model's area. A report staff labelled with the
model's area is *confirmed*; one they labelled with another area counts as *moved away*
from the model's area and *moved in* to theirs. An area is flagged when staff disagree
with the model too often (agreement below ``LOW_AGREEMENT`` over at least
``MIN_LABELLED`` labels), or when staff keep moving reports into it that the model sent
elsewhere (at least ``MIN_LABELLED`` and more than they confirmed there).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.storage import Correction, CorrectionField

MIN_LABELLED = 5
LOW_AGREEMENT = 0.7
TOP_CONFUSIONS = 3


def month_start(now: datetime) -> datetime:
    """Midnight on the first day of ``now``'s calendar month (same time zone)."""
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class AreaDrift:
    """One area's routing this month against staff labels."""

    area: str
    routed: int
    labelled: int
    confirmed: int
    moved_away: int
    moved_in: int
    confusions: tuple[tuple[str, int], ...] = ()
    """Where staff moved this area's reports, most common first: ``(area, count)``."""

    @property
    def agreement(self) -> float | None:
        """Confirmed / labelled, or None when staff labelled none of its reports."""
        return self.confirmed / self.labelled if self.labelled else None

    @property
    def warning(self) -> str:
        """Why the area is flagged, or ``""``."""
        if self.labelled >= MIN_LABELLED and (self.agreement or 0.0) < LOW_AGREEMENT:
            return (f"staff moved {self.moved_away} of {self.labelled} labelled reports "
                    "away from it")
        if self.moved_in >= MIN_LABELLED and self.moved_in > self.confirmed:
            return (f"staff moved {self.moved_in} reports into it that the model sent "
                    "elsewhere")
        return ""

    @property
    def flagged(self) -> bool:
        return bool(self.warning)


@dataclass(frozen=True, slots=True)
class Drift:
    """Every area's drift in the window, and the most common model -> staff confusions."""

    since: datetime
    areas: list[AreaDrift]
    confusions: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def labelled(self) -> int:
        return sum(a.labelled for a in self.areas)

    @property
    def confirmed(self) -> int:
        return sum(a.confirmed for a in self.areas)

    @property
    def agreement(self) -> float | None:
        return self.confirmed / self.labelled if self.labelled else None

    @property
    def flagged(self) -> list[AreaDrift]:
        return [a for a in self.areas if a.flagged]


def _by_item(corrections: Iterable[Correction]) -> dict[int, list[Correction]]:
    items: dict[int, list[Correction]] = defaultdict(list)
    for c in sorted(corrections, key=lambda c: (c.created_at, c.id)):
        if c.field == CorrectionField.AREA and c.value:
            items[c.feedback_id].append(c)
    return items


def monthly_drift(current: Mapping[str, int], corrections: Iterable[Correction],
                  since: datetime, top: int = 10) -> Drift:
    """Compare the model's routing with staff labels.

    ``current`` counts the reports filed since ``since`` by their current area;
    ``corrections`` are the labels of those reports (labels of older reports must be
    left out by the caller).
    """
    routed: Counter[str] = Counter({a: n for a, n in current.items() if n > 0})
    labelled: Counter[str] = Counter()
    confirmed: Counter[str] = Counter()
    moved_in: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for labels in _by_item(corrections).values():
        model = labels[0].previous_value
        if not model:
            continue  # a label without the model's choice says nothing about the model
        routed[model] += 1
        routed[labels[-1].value] -= 1
        staff = [c for c in labels if not c.actor.startswith("citizen")]
        if not staff:
            continue
        verdict = staff[-1].value
        labelled[model] += 1
        if verdict == model:
            confirmed[model] += 1
        else:
            moved_in[verdict] += 1
            pairs[(model, verdict)] += 1
    names = {a for a, n in routed.items() if n > 0} | set(labelled) | set(moved_in)
    rows = [AreaDrift(
        area=area, routed=max(0, routed[area]), labelled=labelled[area],
        confirmed=confirmed[area], moved_away=labelled[area] - confirmed[area],
        moved_in=moved_in[area],
        confusions=tuple((to, n) for (src, to), n in pairs.most_common() if src == area
                         )[:TOP_CONFUSIONS],
    ) for area in names]  # fmt: skip
    rows.sort(key=lambda r: (not r.flagged, -r.routed, r.area))
    common = [(src, to, n) for (src, to), n in pairs.most_common(top)]
    return Drift(since=since, areas=rows, confusions=common)
