"""Backends the storage contract runs against; add a store here and it gets every test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.storage import FeedbackStore, SQLiteStore


@dataclass(frozen=True)
class Backend:
    """How to build a store, plus the few backend-specific hooks the contract needs."""

    name: str
    make: Callable[[], FeedbackStore]
    # True when a second store made by ``make`` sees the same data (a file, a server).
    persistent: bool
    # Runs a raw statement behind the Protocol's back, to prove the database refuses it.
    raw: Callable[[FeedbackStore, str], Awaitable[object]]


async def _sqlite_raw(store: FeedbackStore, sql: str) -> object:
    assert isinstance(store, SQLiteStore)
    return await store._require().execute_fetchall(sql)


@pytest.fixture(params=["sqlite-memory", "sqlite-file"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "sqlite-memory":
        return Backend(request.param, lambda: SQLiteStore(":memory:"), False, _sqlite_raw)
    path = tmp_path / "civicvoice.db"
    return Backend(request.param, lambda: SQLiteStore(path), True, _sqlite_raw)


@pytest.fixture
async def store(backend: Backend) -> AsyncIterator[FeedbackStore]:
    async with backend.make() as opened:
        yield opened
