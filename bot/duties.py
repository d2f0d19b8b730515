"""Background duties that must run exactly once across every worker on every host.

Several ``civicvoice serve`` workers (``--workers N``, on one host or many) share one
database; a duty such as the digest schedule, Telegram polling or the retrain job must run
in exactly one of them, and move to another when that one dies. Each duty is guarded by a
named lease in the database (``Leases``): the worker that holds it runs the duty and renews
the lease every ``renew`` seconds; a lease not renewed within ``ttl`` expires, and another
worker takes it over. Work that is shared row by row (the outbox, Open311 forwards) needs
no lease: each row is claimed in the database instead.

A worker that loses its lease (a long pause, the database unreachable) stops the duty at
its next pass; a duty checks ``DutyRunner.holds(name)`` before a side effect that must not
happen twice, and that is false as soon as the lease may have expired by the worker's own
clock (``ttl`` after the renewal began), whether or not the pass has run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

logger = logging.getLogger(__name__)

DEFAULT_TTL = 30.0
DEFAULT_RENEW = 10.0


class Leases(Protocol):
    """Named leases in the database, timed by the database's clock."""

    async def acquire(self, name: str, owner: str, ttl_seconds: float) -> bool:
        """Take ``name`` for ``owner`` (or renew it) unless someone else holds it unexpired."""
        ...

    async def release(self, name: str, owner: str) -> None:
        """Give ``name`` up if ``owner`` holds it."""
        ...


@dataclass(frozen=True, slots=True)
class Duty:
    """A background duty: how to start it, and how to stop what ``start`` started."""

    name: str
    start: Callable[[], Awaitable[None]]
    stop: Callable[[], Awaitable[None]]


def worker_id() -> str:
    """This process's name in leases: host, process id and a random part (pids repeat)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class DutyRunner:
    """Takes, renews and gives up the leases of ``duties``, running those it holds."""

    def __init__(self, leases: Leases, duties: Sequence[Duty], *, owner: str | None = None,
                 ttl: float = DEFAULT_TTL, renew: float = DEFAULT_RENEW) -> None:
        if not 0 < renew < ttl:
            raise ValueError("leases must be renewed well within their ttl")
        self._leases = leases
        self._duties = {duty.name: duty for duty in duties}
        self.owner = owner or worker_id()
        self._ttl, self._renew = ttl, renew
        self._held: set[str] = set()
        self._valid_until: dict[str, float] = {}
        self._task: asyncio.Task[None] | None = None

    def holds(self, name: str) -> bool:
        """Whether this worker holds ``name`` (and so runs that duty) right now."""
        return name in self._held and time.monotonic() < self._valid_until.get(name, 0.0)

    async def start(self) -> None:
        """Take what can be taken now, then keep at it in the background."""
        await self.run_once()
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="duties")

    async def stop(self) -> None:
        """Stop every duty this worker runs and give its leases up for the next worker."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for name in sorted(self._held):
            await self._drop(name)
            with contextlib.suppress(Exception):  # expiry gives it up anyway
                await self._leases.release(name, self.owner)

    async def run_once(self) -> None:
        """One pass: renew or take each lease; start what was won, stop what was lost."""
        for name, duty in self._duties.items():
            began = time.monotonic()
            try:
                ours = await self._leases.acquire(name, self.owner, self._ttl)
            except Exception as exc:  # the database is away: we cannot know, so let go
                logger.warning("lease %s could not be renewed (%s)", name, type(exc).__name__)
                ours = False
            if ours:
                self._valid_until[name] = began + self._ttl
            if ours and name not in self._held:
                try:
                    await duty.start()
                except Exception as exc:
                    logger.error("duty %s failed to start", name, exc_info=exc)
                    with contextlib.suppress(Exception):
                        await self._leases.release(name, self.owner)
                    continue
                self._held.add(name)
                logger.info("this worker now runs %s", name)
            elif not ours and name in self._held:
                await self._drop(name)
                logger.warning("lease %s lost; another worker takes %s over", name, name)

    async def _drop(self, name: str) -> None:
        self._held.discard(name)
        try:
            await self._duties[name].stop()
        except Exception as exc:
            logger.error("duty %s failed to stop cleanly", name, exc_info=exc)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._renew)
            await self.run_once()
