"""Send each area's digest once: build, deliver with retries, then move the watermark.

The watermark (``digest:last:<area>`` in the store's meta table) moves only after a
delivery succeeded, so a failed digest is sent again next time and a delivered one never
is, across restarts. One lock keeps a scheduled run and a manual one from overlapping.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from bot.digests.config import ANY_AREA, DigestConfig
from bot.digests.content import Digest, Watermark, build_digest
from bot.digests.targets import DeliveryError, DigestTarget
from bot.storage import FeedbackStore
from handlers.catalogue import AREA_LABELS, DEFAULT_LANGUAGE, area_label

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    SENT = "sent"
    NOTHING_NEW = "nothing new"
    NO_RECIPIENTS = "no recipients"
    FAILED = "failed"
    DRY_RUN = "dry run"


@dataclass(frozen=True, slots=True)
class Result:
    """What happened to one area's digest on one target."""

    area: str
    target: str
    outcome: Outcome
    recipients: tuple[str, ...] = ()
    digest: Digest | None = None
    error: str | None = None


def watermark_key(area: str, target: str) -> str:
    return f"digest:last:{area}" + (f":{target}" if target else "")


class DigestService:
    """Builds and delivers digests for every area, or one."""

    def __init__(self, store: FeedbackStore, config: DigestConfig,
                 targets: Sequence[DigestTarget], *, attempts: int = 3,
                 backoff: float = 2.0, clock: Callable[[], datetime] | None = None) -> None:
        self._store = store
        self._config = config
        self._targets = list(targets)
        self._attempts = max(1, attempts)
        self._backoff = backoff
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = asyncio.Lock()

    @property
    def targets(self) -> list[DigestTarget]:
        return list(self._targets)

    def add_target(self, target: DigestTarget) -> None:
        self._targets.append(target)

    def remove_target(self, target: DigestTarget) -> None:
        if target in self._targets:
            self._targets.remove(target)

    async def areas(self) -> list[str]:
        """Every area that has items, staff, extra recipients or its own schedule."""
        found = set(await self._store.count_feedback_by("area"))
        found.update(a for u in await self._store.list_users() for a in u.areas)
        found.update(self._config.recipients)
        found.update(self._config.schedules)
        found.update(AREA_LABELS.get(DEFAULT_LANGUAGE, {}))
        found.discard(ANY_AREA)
        return sorted(found)

    async def send(self, areas: Sequence[str] | None = None, *,
                   dry_run: bool = False) -> list[Result]:
        """Send the digests of ``areas`` (default: all); ``dry_run`` builds without sending."""
        async with self._lock:
            results = []
            for area in areas if areas is not None else await self.areas():
                for target in list(self._targets):
                    results.append(await self._one(area, target, dry_run))
            return results

    async def _one(self, area: str, target: DigestTarget, dry_run: bool) -> Result:
        name = target.name or "email"
        key = watermark_key(area, target.name)
        digest = await build_digest(
            self._store, area, label=area_label(area), now=self._clock(),
            since=Watermark.loads(await self._store.get_meta(key)),
            target=self._config.target_for(area), base_url=self._config.base_url)
        if digest.empty:
            return Result(area, name, Outcome.NOTHING_NEW, digest=digest)
        recipients = await target.recipients(area)
        if not recipients:
            logger.warning("digest for %s has %d new item(s) but no %s recipients",
                           area, digest.new_count, name)
            return Result(area, name, Outcome.NO_RECIPIENTS, digest=digest)
        if dry_run:
            return Result(area, name, Outcome.DRY_RUN, tuple(recipients), digest)
        error = await self._deliver(target, digest, recipients)
        if error is not None:
            return Result(area, name, Outcome.FAILED, tuple(recipients), digest, error)
        assert digest.watermark is not None  # not empty, so it has a newest item
        await self._store.set_meta(key, digest.watermark.dumps())
        logger.info("digest for %s sent by %s: %d new item(s), %d recipient(s)",
                    area, name, digest.new_count, len(recipients))
        return Result(area, name, Outcome.SENT, tuple(recipients), digest)

    async def _deliver(self, target: DigestTarget, digest: Digest,
                       recipients: list[str]) -> str | None:
        """Try a few times with growing pauses; return the last error, or None once sent."""
        error = "not attempted"
        for attempt in range(1, self._attempts + 1):
            try:
                await target.deliver(digest, recipients)
                return None
            except DeliveryError as exc:
                error = str(exc)
            logger.warning("digest for %s by %s: attempt %d of %d failed: %s", digest.area,
                           target.name or "email", attempt, self._attempts, error)
            if attempt < self._attempts:
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
        return error
