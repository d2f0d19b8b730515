"""What one area's digest holds, read from the store with the Protocol's own filters.

"New" means created after the area's watermark (the ``created_at`` and id of the newest
item the last delivered digest included). Reports awaiting triage and overdue reports are
reminders: they are listed while they stay open, but a digest goes out only when something
is new.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.digests import similarity
from bot.storage import OPEN_STATUSES, FeedbackItem, FeedbackStatus, FeedbackStore

PAGE = 500
MAX_LISTED = 100  # per section; the rest are counted and left to the dashboard


@dataclass(frozen=True, slots=True)
class Watermark:
    """The newest item a delivered digest included."""

    created_at: datetime
    id: int

    def dumps(self) -> str:
        return json.dumps({"created_at": self.created_at.isoformat(), "id": self.id})

    @classmethod
    def loads(cls, raw: str | None) -> Watermark | None:
        if not raw:
            return None
        data = json.loads(raw)
        return cls(datetime.fromisoformat(data["created_at"]), int(data["id"]))

    def before(self, item: FeedbackItem) -> bool:
        """Return True if ``item`` is newer than this mark."""
        return (item.created_at, item.id) > (self.created_at, self.id)


@dataclass(frozen=True, slots=True)
class Cluster:
    """A report and the likely duplicates filed after it."""

    first: FeedbackItem
    similar: tuple[FeedbackItem, ...] = ()


@dataclass(frozen=True, slots=True)
class Digest:
    """One area's digest, ready to render."""

    area: str
    area_label: str
    generated_at: datetime
    base_url: str
    target: timedelta
    urgent: tuple[FeedbackItem, ...]
    reports: tuple[Cluster, ...]
    review: tuple[FeedbackItem, ...]
    ideas: tuple[tuple[FeedbackItem, ...], ...]
    overdue: tuple[FeedbackItem, ...]
    new_ids: frozenset[int] = field(default_factory=frozenset)
    watermark: Watermark | None = None

    @property
    def empty(self) -> bool:
        """Return True when nothing is new (reminders alone do not make a digest)."""
        return not self.new_ids

    def link(self, item: FeedbackItem) -> str:
        return f"{self.base_url}/staff/feedback/{item.reference}"

    @property
    def new_count(self) -> int:
        return len(self.new_ids)


async def _all(store: FeedbackStore, **filters: object) -> list[FeedbackItem]:
    items: list[FeedbackItem] = []
    while True:
        page = await store.list_feedback(limit=PAGE, offset=len(items), newest_first=False,
                                         **filters)  # type: ignore[arg-type]
        items.extend(page)
        if len(page) < PAGE:
            return items


def _clusters(items: Sequence[FeedbackItem]) -> tuple[Cluster, ...]:
    groups = similarity.group(items, similarity.likely_duplicates)
    return tuple(Cluster(g[0], tuple(g[1:])) for g in groups)


async def build_digest(store: FeedbackStore, area: str, *, label: str, since: Watermark | None,
                       now: datetime, target: timedelta, base_url: str) -> Digest:
    """Collect ``area``'s digest: items after ``since`` plus the open reminders."""
    start = since.created_at if since else None
    fresh = [i for i in await _all(store, areas=[area], since=start)
             if since is None or since.before(i)]
    live = [i for i in fresh if i.status not in (FeedbackStatus.DUPLICATE,
                                                 FeedbackStatus.REJECTED)]
    urgent = [i for i in live if i.urgent]
    ideas = [i for i in live if not i.urgent and i.kind == "idea"]
    reports = [i for i in live if not i.urgent and i.kind != "idea" and not i.needs_review]
    review = await _all(store, areas=[area], status=OPEN_STATUSES, needs_review=True)
    overdue = await _all(store, areas=[area], status=OPEN_STATUSES, until=now - target)
    newest = max(fresh, key=lambda i: (i.created_at, i.id), default=None)
    return Digest(
        area=area, area_label=label, generated_at=now, base_url=base_url, target=target,
        urgent=tuple(urgent),
        reports=_clusters(reports),
        review=tuple(i for i in review if not i.urgent),
        ideas=tuple(tuple(g) for g in similarity.group(ideas, similarity.similar_text)),
        overdue=tuple(overdue),
        new_ids=frozenset(i.id for i in live),
        watermark=Watermark(newest.created_at, newest.id) if newest else since,
    )
