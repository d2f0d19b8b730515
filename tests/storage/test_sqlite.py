"""What is particular to ``SQLiteStore``: pragmas, migrations, URLs, collisions, speed."""

from __future__ import annotations

import asyncio
import itertools
import os
import stat
import time
from pathlib import Path

import aiosqlite
import pytest

from bot.storage import (
    MEMORY,
    FeedbackStatus,
    SchemaError,
    SQLiteStore,
    StorageError,
    sqlite_path_from_url,
    store_from_url,
)
from bot.storage.migrations import LATEST_VERSION, MIGRATIONS


async def pragma(store: SQLiteStore, name: str) -> object:
    rows = list(await store._require().execute_fetchall(f"PRAGMA {name}"))
    return rows[0][0]


async def test_pragmas_on_a_file(tmp_path: Path) -> None:
    async with SQLiteStore(tmp_path / "cv.db") as store:
        assert await pragma(store, "journal_mode") == "wal"
        assert await pragma(store, "foreign_keys") == 1
        assert await pragma(store, "busy_timeout") == 5000
        assert await pragma(store, "synchronous") == 1  # NORMAL


async def test_migrations_are_recorded_once(tmp_path: Path) -> None:
    path = tmp_path / "cv.db"
    for _ in range(3):
        async with SQLiteStore(path) as store:
            assert await store.schema_version() == LATEST_VERSION
    async with aiosqlite.connect(path) as conn:
        rows = list(await conn.execute_fetchall("SELECT version FROM schema_version"))
    assert [r[0] for r in rows] == [m.version for m in MIGRATIONS]
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))


async def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cv.db"
    async with SQLiteStore(path):
        pass
    async with aiosqlite.connect(path) as conn:
        await conn.execute(
            "INSERT INTO schema_version VALUES (?, 'from the future', '2099-01-01T00:00:00Z')",
            (LATEST_VERSION + 1,),
        )
        await conn.commit()
    store = SQLiteStore(path)
    with pytest.raises(SchemaError):
        await store.open()
    with pytest.raises(StorageError, match="not open"):
        await store.get_meta("x")


async def test_reference_collisions_are_retried() -> None:
    references = itertools.chain(["CV-22222", "CV-22222", "CV-22222", "CV-33333"])
    async with SQLiteStore(MEMORY, reference_factory=lambda: next(references)) as store:
        first = await store.create_feedback(
            channel="web",
            original_text="a",
            redacted_text="a",
            area="other",
            area_confidence=0.5,
            kind="idea",
        )
        second = await store.create_feedback(
            channel="web",
            original_text="b",
            redacted_text="b",
            area="other",
            area_confidence=0.5,
            kind="idea",
        )
    assert (first.reference, second.reference) == ("CV-22222", "CV-33333")


async def test_reference_space_exhaustion_is_an_error() -> None:
    async with SQLiteStore(MEMORY, reference_factory=lambda: "CV-22222") as store:

        async def file() -> None:
            await store.create_feedback(
                channel="web",
                original_text="a",
                redacted_text="a",
                area="other",
                area_confidence=0.5,
                kind="idea",
            )

        await file()
        with pytest.raises(StorageError, match="free feedback reference"):
            await file()
        assert await store.count_feedback() == 1


async def test_a_cancelled_write_rolls_back_and_the_store_still_works() -> None:
    async with SQLiteStore(MEMORY) as store:
        citizen = await store.get_or_create_citizen("sms", "h")
        tasks = [
            asyncio.create_task(store.enqueue_outbound(citizen.id, "sms", f"m{n}"))
            for n in range(20)
        ]
        await asyncio.sleep(0)
        tasks[10].cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await store.enqueue_outbound(citizen.id, "sms", "after")
        assert len(await store.list_outbound(citizen_id=citizen.id)) in (20, 21)


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///./var/civicvoice.db", "./var/civicvoice.db"),
        ("sqlite:///var/civicvoice.db", "var/civicvoice.db"),
        ("sqlite:////srv/cv/civicvoice.db", "/srv/cv/civicvoice.db"),
        ("sqlite://", MEMORY),
        ("sqlite:///:memory:", MEMORY),
        ("sqlite:///./my%20data/cv.db", "./my data/cv.db"),
    ],
)
def test_sqlite_path_from_url(url: str, path: str) -> None:
    assert sqlite_path_from_url(url) == path


@pytest.mark.parametrize("url", ["postgresql://db/cv", "sqlite://somehost/cv.db", "cv.db"])
def test_unsupported_urls(url: str) -> None:
    with pytest.raises(ValueError):
        sqlite_path_from_url(url)


async def test_opening_creates_a_private_folder_and_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    umask = os.umask(0o022)  # the usual default, which makes files world-readable
    try:
        async with store_from_url("sqlite:///./var/data/civicvoice.db") as store:
            await store.set_meta("k", "v")
            modes = {p.name: stat.S_IMODE(p.stat().st_mode)
                     for p in (tmp_path / "var" / "data").iterdir()}
    finally:
        os.umask(umask)
    assert modes["civicvoice.db"] == 0o600
    assert all(mode == 0o600 for mode in modes.values()), modes  # -wal and -shm too
    for folder in (tmp_path / "var", tmp_path / "var" / "data"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    # An older database written with the umask's mode is tightened when opened.
    old = tmp_path / "old.db"
    old.touch(mode=0o644)
    async with SQLiteStore(old):
        assert stat.S_IMODE(old.stat().st_mode) == 0o600


async def test_files_200_reports_a_second(tmp_path: Path) -> None:
    """One report's whole storage path: citizen, inbound, feedback, reply, handled."""
    reports = 400
    async with SQLiteStore(tmp_path / "cv.db") as store:

        async def file_one(n: int) -> None:
            citizen = await store.get_or_create_citizen("sms", f"hash-{n % 50}", "enc", "en")
            inbound, _ = await store.record_inbound("sms", f"SM{n}", citizen.id, "text")
            item = await store.create_feedback(
                channel="sms",
                original_text="Pothole on Elm St",
                redacted_text="Pothole",
                area="roads",
                area_confidence=0.9,
                kind="complaint",
                citizen_id=citizen.id,
                inbound_id=inbound.id,
                top_areas=[("roads", 0.9)],
            )
            await store.enqueue_outbound(citizen.id, "sms", f"Thanks, {item.reference}")
            await store.mark_inbound_handled(inbound.id, feedback_id=item.id)

        started = time.perf_counter()
        await asyncio.gather(*(file_one(n) for n in range(reports)))
        elapsed = time.perf_counter() - started
        assert await store.count_feedback(status=FeedbackStatus.NEW) == reports
    rate = reports / elapsed
    print(f"{rate:.0f} reports/s")
    assert rate > 200, f"{rate:.0f} reports/s"
