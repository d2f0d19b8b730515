"""How the Open311 forwarder and status sync pace themselves, read once from ``Settings``."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings

MAX_BACKOFF = timedelta(hours=6)
SYNC_BATCH = 50
"""Request ids per ``GET requests.json?service_request_id=...`` (keeps URLs short)."""


@dataclass(frozen=True, slots=True)
class Open311Config:
    """Pacing of forwards, retries and status reads (``OPEN311_*`` settings).

    ``delay`` holds a new report back so the citizen's follow-ups (a location, "it's
    outside number 12") reach the city with it; ``retry`` is the first pause after a
    failure, doubled per attempt up to ``MAX_BACKOFF``, with jitter; after
    ``max_attempts`` a forward is given up (``failed_permanent``).
    """

    poll: float = 30.0
    sync: float = 300.0
    delay: timedelta = timedelta(minutes=10)
    timeout: float = 20.0
    retry: timedelta = timedelta(seconds=60)
    max_attempts: int = 12
    lease: timedelta = timedelta(minutes=5)

    @classmethod
    def from_settings(cls, settings: Settings) -> Open311Config:
        return cls(
            poll=settings.open311_poll_seconds,
            sync=settings.open311_sync_seconds,
            delay=timedelta(seconds=settings.open311_delay_seconds),
            timeout=settings.open311_timeout_seconds,
            retry=timedelta(seconds=settings.open311_retry_seconds),
            max_attempts=settings.open311_max_attempts,
            # a worker must finish (or give up on) a request well before its lease ends
            lease=timedelta(seconds=max(300.0, 4 * settings.open311_timeout_seconds)),
        )

    def backoff(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        """Pause before the next try after ``attempts`` tries: doubling, capped, jittered.

        The pause is between half and all of ``retry * 2**(attempts-1)`` ("equal jitter"),
        so many forwards failing together do not all retry at the same moment.
        """
        full = min(self.retry * 2 ** max(attempts - 1, 0), MAX_BACKOFF)
        share = (rng or _RNG).uniform(0.5, 1.0)
        return full * share


_RNG = random.Random()  # noqa: S311  jitter, not a secret
