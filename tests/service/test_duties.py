"""Duties guarded by leases: one worker of many runs each, and another takes over."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.duties import Duty, DutyRunner


class MemoryLeases:
    """Leases as a database keeps them, for several runners in one test; can go away."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, float]] = {}
        self.down = False

    async def acquire(self, name: str, owner: str, ttl_seconds: float) -> bool:
        if self.down:
            raise ConnectionError("database unreachable")
        now = time.monotonic()
        holder = self.rows.get(name)
        if holder is None or holder[0] == owner or holder[1] <= now:
            self.rows[name] = (owner, now + ttl_seconds)
            return True
        return False

    async def release(self, name: str, owner: str) -> None:
        if self.rows.get(name, ("",))[0] == owner:
            del self.rows[name]


class Counting:
    def __init__(self) -> None:
        self.running = 0
        self.starts = 0

    def duty(self, name: str = "digests") -> Duty:
        async def start() -> None:
            self.running += 1
            self.starts += 1

        async def stop() -> None:
            self.running -= 1

        return Duty(name, start, stop)


async def test_one_of_three_workers_runs_a_duty_and_another_takes_over() -> None:
    leases, work = MemoryLeases(), Counting()
    runners = [DutyRunner(leases, [work.duty()], owner=f"w{i}", ttl=0.3, renew=0.1)
               for i in range(3)]
    for runner in runners:
        await runner.start()
    await asyncio.sleep(0.35)
    assert work.running == 1 and sum(r.holds("digests") for r in runners) == 1
    holder = next(r for r in runners if r.holds("digests"))
    # The holder dies without a word (SIGKILL): its lease runs out, another takes over.
    assert holder._task is not None
    holder._task.cancel()
    holder._held.clear()
    work.running -= 1
    await asyncio.sleep(0.6)
    alive = [r for r in runners if r is not holder]
    assert sum(r.holds("digests") for r in alive) == 1 and work.running == 1
    assert work.starts == 2
    for runner in alive:
        await runner.stop()
    assert work.running == 0 and leases.rows == {}


async def test_a_worker_that_cannot_renew_stops_its_duty() -> None:
    leases, work = MemoryLeases(), Counting()
    runner = DutyRunner(leases, [work.duty()], owner="w", ttl=0.3, renew=0.1)
    await runner.start()
    assert runner.holds("digests") and work.running == 1
    leases.down = True
    await asyncio.sleep(0.25)
    assert not runner.holds("digests") and work.running == 0
    leases.down = False
    await asyncio.sleep(0.25)
    assert runner.holds("digests") and work.running == 1
    await runner.stop()


async def test_holds_turns_false_when_the_lease_may_have_expired() -> None:
    leases = MemoryLeases()
    runner = DutyRunner(leases, [Counting().duty()], owner="w", ttl=0.2, renew=0.1)
    await runner.run_once()  # no background renewal
    assert runner.holds("digests")
    await asyncio.sleep(0.25)
    assert not runner.holds("digests")


def test_renewal_must_come_well_within_the_ttl() -> None:
    with pytest.raises(ValueError):
        DutyRunner(MemoryLeases(), [], ttl=10, renew=10)
