"""The service areas as admins manage them: add, relabel, retire, and how well each is known.

Areas live in the store. At start-up every area the current model predicts is added (with
its plain-words label), so a city's own taxonomy appears by itself after a retrain. A
retired area's reports and staff move to another area, and the triage service routes
the model's predictions of it there until a retrained model no longer makes them.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.storage import FeedbackStore, ServiceArea
from handlers.catalogue import area_label
from handlers.triage import TriageService
from nlp.retrain import correction_rows

logger = logging.getLogger(__name__)

MIN_EXAMPLES = 20
"""Below this many labelled examples an area is flagged: the model barely knows it."""


@dataclass(frozen=True, slots=True)
class AreaExamples:
    """How many labelled examples the model has for one area, and whether that is enough.

    ``trained`` counts the rows the current model learned it from; ``staff_labels`` the
    items staff have labelled with it (confirmed or changed), which the next retrain uses;
    ``predicted_by_model`` is whether the current model can predict it at all.
    """

    area: ServiceArea
    trained: int
    staff_labels: int
    predicted_by_model: bool

    @property
    def total(self) -> int:
        return self.trained + self.staff_labels

    @property
    def too_few(self) -> bool:
        return self.area.active and self.total < MIN_EXAMPLES

    @property
    def warning(self) -> str:
        """A sentence for the admin page, or ``""`` when the area is well covered."""
        if not self.area.active:
            return ""
        if not self.predicted_by_model:
            missing = max(0, MIN_EXAMPLES - self.staff_labels)
            more = f"; label about {missing} more reports with it" if missing else ""
            return f"the model does not know this area yet: retrain to learn it{more}"
        if self.too_few:
            return (f"only {self.total} labelled examples (fewer than {MIN_EXAMPLES}): "
                    "routing to it will be unreliable")
        return ""


def default_label(code: str) -> str:
    """The label a new area from the model gets: its plain words, capitalised."""
    words = area_label(code)
    return words[:1].upper() + words[1:]


class AreaDirectory:
    """Admins' operations on the taxonomy, kept in step with the triage service."""

    def __init__(self, store: FeedbackStore, triage: TriageService) -> None:
        self._store = store
        self._triage = triage

    async def sync(self) -> list[str]:
        """Add the current model's areas to the store, refresh retired-area routing."""
        labels = {code: default_label(code) for code in self._triage.triager.area_labels}
        added = await self._store.ensure_areas(labels)
        if added:
            logger.info("service areas added from the model: %s", ", ".join(added))
        await self.refresh()
        return added

    async def refresh(self) -> dict[str, str]:
        """Reload where retired areas' work goes (also picks up changes by the CLI)."""
        areas = await self._store.list_areas(include_retired=True)
        moved = {a.code: a.moved_to for a in areas if not a.active and a.moved_to}
        self._triage.set_redirects(moved)
        return moved

    async def add(self, code: str, label: str, *, actor: str, description: str = "",
                  group: str = "", keywords: tuple[str, ...] = ()) -> ServiceArea:
        """Add an area; staff can route reports to it at once, the model learns it later."""
        return await self._store.add_area(code, label, actor=actor, description=description,
                                          group=group, keywords=keywords)

    async def rename(self, code: str, label: str, *, actor: str) -> ServiceArea:
        """Give an area a new label; its code (used by APIs and the model) stays."""
        return await self._store.update_area(code, actor=actor, label=label)

    async def retire(self, code: str, move_to: str, *, actor: str) -> int:
        """Retire ``code`` into ``move_to``; returns how many reports moved."""
        moved = await self._store.retire_area(code, move_to, actor=actor)
        await self.refresh()
        return moved

    async def examples(self) -> list[AreaExamples]:
        """Every area (active first) with its example counts and any warning."""
        counts: dict[str, int] = dict(self._triage.triager.metadata.get("label_counts", {}))
        known = set(self._triage.triager.area_labels)
        rows = correction_rows(await self._store.list_corrections(), datetime.now(UTC))
        staff = Counter(r.area for r in rows if r.area)
        areas = await self._store.list_areas(include_retired=True)
        found = [AreaExamples(area=a, trained=int(counts.get(a.code, 0)),
                              staff_labels=staff.get(a.code, 0),
                              predicted_by_model=a.code in known) for a in areas]
        return sorted(found, key=lambda e: (not e.area.active, e.area.code))
