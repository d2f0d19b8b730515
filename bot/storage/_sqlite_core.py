"""The SQLite connection, how work reaches it, schema migration, meta values and the audit log.

One aiosqlite connection serves the process. Each store operation is a plain function over
a ``sqlite3.Connection`` that runs, whole, on aiosqlite's worker thread: one thread hop per
operation instead of one per statement. Writes run inside ``BEGIN IMMEDIATE ... COMMIT``
in that function, so a transaction is never interleaved with another task's statements and
is never left half-done by a cancelled ``await`` (the thread finishes or rolls it back).
``BEGIN IMMEDIATE`` takes the write lock up front; another process waits on
``busy_timeout`` rather than failing mid-transaction.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar, cast

import aiosqlite

from bot.private_files import touch_private
from bot.security import new_reference
from bot.storage import _codec as codec
from bot.storage.errors import SchemaError, StorageError
from bot.storage.migrations import (
    LATEST_VERSION,
    MIGRATIONS,
    SCHEMA_VERSION_TABLE,
    Migration,
)
from bot.storage.records import AuditEntry

MEMORY = ":memory:"

_PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA temp_store = MEMORY",
)

T = TypeVar("T")
Params = Sequence[Any] | Mapping[str, Any]
SQLValue = str | bytes | int | float | None
Work = Callable[[sqlite3.Connection], T]


def rows(db: sqlite3.Connection, sql: str, params: Params = ()) -> list[sqlite3.Row]:
    """Run one parameterised statement and return all its rows."""
    return db.execute(sql, params).fetchall()


def first(db: sqlite3.Connection, sql: str, params: Params = ()) -> sqlite3.Row | None:
    """Run one parameterised statement and return its first row, or None."""
    # fetchall() steps the statement to its end, so no cursor is left open mid-transaction.
    found = db.execute(sql, params).fetchall()
    return found[0] if found else None


def returning(db: sqlite3.Connection, sql: str, params: Params = ()) -> sqlite3.Row:
    """Run an ``INSERT/UPDATE ... RETURNING`` that must yield a row, and return it."""
    row = first(db, sql, params)
    if row is None:
        raise StorageError("a write returned no row")
    return row


class Where:
    """Builds a WHERE clause from constant SQL fragments and their parameters.

    Fragments are always literals written in this package; values only ever travel as
    parameters.
    """

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: list[Any] = []

    def add(self, clause: str, *params: Any) -> None:
        """Require ``clause`` (with ``?`` placeholders for ``params``)."""
        self.clauses.append(clause)
        self.params.extend(params)

    def add_in(self, column: str, values: Iterable[Any]) -> None:
        """Require ``column`` to be one of ``values`` (an empty list matches nothing)."""
        items = list(values)
        if not items:
            self.clauses.append("0")
            return
        self.clauses.append(f"{column} IN ({', '.join('?' * len(items))})")
        self.params.extend(items)

    @property
    def sql(self) -> str:
        """The clause, starting with `` WHERE``, or empty when nothing is required."""
        return " WHERE " + " AND ".join(self.clauses) if self.clauses else ""


def in_transaction(db: sqlite3.Connection, work: Work[T]) -> T:
    """Run ``work`` inside ``BEGIN IMMEDIATE ... COMMIT``, rolling back if anything fails."""
    db.execute("BEGIN IMMEDIATE")
    try:
        result = work(db)
        db.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise
    return result


def schema_version(db: sqlite3.Connection) -> int:
    """Return the highest migration applied to ``db`` (0 for a new database)."""
    row = first(db, "SELECT COALESCE(MAX(version), 0) AS version FROM schema_version")
    return 0 if row is None else int(row["version"])


def migrate(db: sqlite3.Connection, applied_at: str) -> int:
    """Apply every migration newer than the database, each in its own transaction."""
    db.execute(SCHEMA_VERSION_TABLE)
    current = schema_version(db)
    if current > LATEST_VERSION:
        raise SchemaError(
            f"database schema version {current} is newer than this code ({LATEST_VERSION})"
        )
    for migration in MIGRATIONS:
        if migration.version > current:
            in_transaction(db, partial(_apply, migration, applied_at))
            current = migration.version
    return current


def _apply(migration: Migration, applied_at: str, db: sqlite3.Connection) -> None:
    # Another process may have applied it while we waited for the write lock.
    if schema_version(db) >= migration.version:
        return
    for statement in migration.statements:
        db.execute(statement)
    db.execute(
        "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
        (migration.version, migration.name, applied_at),
    )


def _fold(value: SQLValue) -> SQLValue:
    """Case-fold text for searching (SQLite's own ``lower`` only knows ASCII)."""
    return value.casefold() if isinstance(value, str) else value


def _connect(db: sqlite3.Connection, applied_at: str) -> None:
    db.row_factory = sqlite3.Row
    for pragma in _PRAGMAS:
        db.execute(pragma).fetchall()
    db.create_function("cv_fold", 1, _fold, deterministic=True)
    migrate(db, applied_at)


class SQLiteCore:
    """Connection handling shared by the table-group mixins of ``SQLiteStore``."""

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Callable[[], datetime] = codec.utcnow,
        reference_factory: Callable[[], str] = new_reference,
    ) -> None:
        self._path = str(path)
        self._clock = clock
        self._new_reference = reference_factory
        self._conn: aiosqlite.Connection | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._path!r})"

    @property
    def path(self) -> str:
        """The database file (or ``:memory:``)."""
        return self._path

    # -- lifecycle ---------------------------------------------------------------------

    async def open(self) -> None:
        """Connect, set the pragmas and apply pending migrations; a no-op when open."""
        if self._conn is not None:
            return
        if self._path != MEMORY:
            # 0600 in a 0700 folder before SQLite opens it: its -wal and -shm files copy
            # the database's mode.
            await asyncio.to_thread(touch_private, self._path)
        conn = await aiosqlite.connect(self._path, isolation_level=None, cached_statements=256)
        try:
            await _call(conn, lambda db: _connect(db, self._ts()))
        except BaseException:
            await conn.close()
            raise
        self._conn = conn

    async def close(self) -> None:
        """Close the connection; a no-op when closed."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if self._path != MEMORY:
                await _call(conn, lambda db: db.execute("PRAGMA optimize").fetchall())
        finally:
            await conn.close()

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def schema_version(self) -> int:
        """Return the schema version the database is at."""
        return await self._read(schema_version)

    # -- running work ------------------------------------------------------------------

    def _require(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise StorageError("the store is not open; call open() first")
        return self._conn

    async def _read(self, work: Work[T]) -> T:
        """Run ``work`` on the connection's thread, outside any transaction."""
        return await _call(self._require(), work)

    async def _write(self, work: Work[T]) -> T:
        """Run ``work`` as one transaction on the connection's thread."""
        return await _call(self._require(), lambda db: in_transaction(db, work))

    def _ts(self, at: datetime | None = None) -> str:
        return codec.ts(self._clock() if at is None else at)

    # -- meta --------------------------------------------------------------------------

    async def get_meta(self, key: str) -> str | None:
        """Return the value stored under ``key``, or None."""
        row = await self._read(
            lambda db: first(db, "SELECT value FROM meta WHERE key = ?", (key,))
        )
        return None if row is None else str(row["value"])

    async def set_meta(self, key: str, value: str) -> None:
        """Store ``value`` under ``key``, replacing any previous value."""
        params = (key, value, self._ts())
        await self._write(
            lambda db: rows(
                db,
                "INSERT INTO meta (key, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                params,
            )
        )

    # -- audit log ---------------------------------------------------------------------

    def _audit(
        self,
        db: sqlite3.Connection,
        actor: str,
        action: str,
        entity: str,
        entity_id: str | int,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
        at: str | None = None,
    ) -> AuditEntry:
        """Append an audit entry inside the caller's transaction."""
        row = returning(
            db,
            "INSERT INTO audit_log (at, actor, action, entity, entity_id, before_json, after_json)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *",
            (
                at or self._ts(),
                actor,
                action,
                entity,
                str(entity_id),
                codec.to_json(before),
                codec.to_json(after),
            ),
        )
        return codec.audit_entry(row)

    async def add_audit(
        self,
        actor: str,
        action: str,
        entity: str,
        entity_id: str | int,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Append an entry to the audit log (it can never be changed or deleted)."""
        at = self._ts()
        return await self._write(
            lambda db: self._audit(db, actor, action, entity, entity_id, before, after, at)
        )

    async def list_audit(
        self, entity: str | None = None, entity_id: str | int | None = None, *, limit: int = 1000
    ) -> list[AuditEntry]:
        """Return audit entries, oldest first, for one entity, one kind, or all."""
        where = Where()
        if entity is not None:
            where.add("entity = ?", entity)
        if entity_id is not None:
            where.add("entity_id = ?", str(entity_id))
        sql = f"SELECT * FROM audit_log{where.sql} ORDER BY id LIMIT ?"  # noqa: S608
        found = await self._read(lambda db: rows(db, sql, (*where.params, limit)))
        return [codec.audit_entry(row) for row in found]


async def _call(conn: aiosqlite.Connection, work: Work[T]) -> T:
    """Run ``work(sqlite3_connection)`` on ``conn``'s worker thread and return its result.

    ``Connection._execute`` is the primitive every public aiosqlite method is built on; it
    is used here, in this one place, so an operation costs one thread hop, not one per
    statement. ``tests/storage/test_sql_safety.py`` fails loudly if aiosqlite drops it.
    SQLite's own errors surface as ``StorageError``.
    """
    try:
        return cast(T, await conn._execute(lambda: work(conn._conn)))
    except sqlite3.Error as exc:
        # SQLite's messages name constraints and tables, never the values involved.
        raise StorageError(f"database error: {exc}") from exc
