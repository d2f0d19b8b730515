"""The digest timetable: one APScheduler cron job per distinct ``DIGEST_SCHEDULE`` entry.

The ``*`` job sends every area that has no entry of its own (areas are looked up at each
run, so a new area joins without a restart). Nothing is lost while the service is down:
the next run sends everything after each area's watermark.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.digests.config import DigestConfig, Schedule
from bot.digests.service import DigestService

logger = logging.getLogger(__name__)
MISFIRE_SECONDS = 3600


def trigger(schedule: Schedule, timezone: str = "") -> CronTrigger:
    return CronTrigger(day_of_week=schedule.day_of_week, hour=schedule.hour,
                       minute=schedule.minute, timezone=timezone or None)


class DigestScheduler:
    """Starts and stops the cron jobs that call ``DigestService.send``."""

    def __init__(self, service: DigestService, config: DigestConfig) -> None:
        self._service = service
        self._config = config
        self._scheduler = AsyncIOScheduler(timezone=config.timezone) if config.timezone \
            else AsyncIOScheduler()

    async def run(self, spec: Schedule) -> None:
        """Send the digests of the areas that follow ``spec``."""
        areas = [a for a in await self._service.areas() if self._config.schedule_for(a) == spec]
        try:
            results = await self._service.send(areas)
        except Exception as exc:  # a broken run must not stop the next one
            logger.error("scheduled digests failed", exc_info=exc)
            return
        failed = [r.area for r in results if r.outcome == "failed"]
        if failed:
            logger.warning("digests not delivered (retried at the next run): %s",
                           ", ".join(failed))

    def start(self) -> None:
        for spec in dict.fromkeys(self._config.schedules.values()):
            self._scheduler.add_job(
                self.run, trigger(spec, self._config.timezone), args=[spec],
                misfire_grace_time=MISFIRE_SECONDS, coalesce=True, max_instances=1)
        self._scheduler.start()
        logger.info("digest schedule started with %d job(s)", len(self._scheduler.get_jobs()))

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def next_runs(self) -> list[str]:
        return [str(job.next_run_time) for job in self._scheduler.get_jobs()]
