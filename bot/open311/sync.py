"""Read the city's status and notes for forwarded reports, and close ours when it closes.

A pass (``run_once``) takes the ``sent`` forwards not yet read in this pass, groups them by
endpoint, and asks ``requests.json?service_request_id=a,b,c`` in batches of ``SYNC_BATCH``.
Each answer's status and notes are stored; the first time a request is ``closed`` the
forward becomes ``closed`` (``record_open311_status`` returns True exactly once) and our
report is resolved with the city's notes (``bot.open311.closing``). A closed forward is not
read again, so a report is never closed twice. A batch the city fails to answer is logged
and read again at the next pass; requests the city does not list keep their last status.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime

from bot.open311.client import GeoReportClient, Open311Error
from bot.open311.closing import resolve_from_city
from bot.open311.config import SYNC_BATCH
from bot.storage import FeedbackStore, Open311Forward
from handlers.turns import ConversationConfig

logger = logging.getLogger(__name__)

PASS_LIMIT = 1000


def _utcnow() -> datetime:
    return datetime.now(UTC)


class StatusSync:
    """One ``run_once`` reads every sent forward's status once."""

    def __init__(self, store: FeedbackStore, client: GeoReportClient,
                 config: ConversationConfig | None = None,
                 now: Callable[[], datetime] = _utcnow) -> None:
        self._store = store
        self._client = client
        self._config = config or ConversationConfig()
        self._now = now

    async def run_once(self) -> int:
        """Read the status of every sent forward; return how many reports were resolved."""
        started = self._now()
        due = await self._store.list_open311_to_sync(synced_before=started, limit=PASS_LIMIT)
        groups: dict[tuple[str, str], list[Open311Forward]] = defaultdict(list)
        for forward in due:
            groups[(forward.endpoint, forward.area)].append(forward)
        resolved = 0
        for (endpoint, area_code), forwards in groups.items():
            area = await self._store.get_area(area_code)
            jurisdiction = area.open311_jurisdiction_id if area else None
            for start in range(0, len(forwards), SYNC_BATCH):
                batch = forwards[start : start + SYNC_BATCH]
                resolved += await self._sync_batch(endpoint, jurisdiction, batch)
        return resolved

    async def _sync_batch(self, endpoint: str, jurisdiction: str | None,
                          batch: list[Open311Forward]) -> int:
        ids = [f.external_id for f in batch if f.external_id]
        try:
            answers = await self._client.statuses(endpoint, ids, jurisdiction)
        except Open311Error as exc:
            logger.warning("open311 status of %d request(s) in %s not read: %s", len(ids),
                           batch[0].area, exc)
            return 0
        by_id = {a.service_request_id: a for a in answers}
        resolved = 0
        for forward in batch:
            answer = by_id.get(forward.external_id or "")
            status = answer.status if answer else None
            notes = answer.status_notes if answer else None
            closed = await self._store.record_open311_status(forward.id, status, notes,
                                                             at=self._now())
            if closed and await resolve_from_city(self._store, forward, notes, self._config,
                                                  self._now):
                resolved += 1
        return resolved
