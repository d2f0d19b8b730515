"""Reading ``open311_forwards`` rows: the record builder and the read-only store methods."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime

from bot.storage import _codec as codec
from bot.storage._sqlite_core import SQLiteCore, Where, first, rows
from bot.storage.errors import NotFoundError
from bot.storage.open311_records import Open311Forward, Open311State

SELECT = (
    "SELECT o.*, f.reference AS reference FROM open311_forwards o "
    "JOIN feedback f ON f.id = o.feedback_id"
)
_FAILED = (
    "(o.state = 'failed_permanent' OR (o.state IN ('pending', 'sending', 'token_pending') "
    "AND o.last_error IS NOT NULL))"
)


def forward(row: sqlite3.Row) -> Open311Forward:
    """Build an ``Open311Forward`` from an ``open311_forwards`` row joined with its reference."""
    return Open311Forward(
        id=row["id"],
        feedback_id=row["feedback_id"],
        reference=row["reference"],
        area=row["area"],
        endpoint=row["endpoint"],
        state=Open311State(row["state"]),
        external_id=row["external_id"],
        external_token=row["external_token"],
        attempts=row["attempts"],
        uncertain=bool(row["uncertain"]),
        next_attempt_at=codec.parse_ts(row["next_attempt_at"]),
        lease_until=codec.parse_ts_or_none(row["lease_until"]),
        last_error=row["last_error"],
        external_status=row["external_status"],
        external_status_notes=row["external_status_notes"],
        last_synced_at=codec.parse_ts_or_none(row["last_synced_at"]),
        sent_at=codec.parse_ts_or_none(row["sent_at"]),
        closed_at=codec.parse_ts_or_none(row["closed_at"]),
        created_at=codec.parse_ts(row["created_at"]),
        updated_at=codec.parse_ts(row["updated_at"]),
    )


def get_forward(db: sqlite3.Connection, forward_id: int) -> Open311Forward:
    row = first(db, f"{SELECT} WHERE o.id = ?", (forward_id,))
    if row is None:
        raise NotFoundError(f"open311 forward {forward_id} not found")
    return forward(row)


def forwards_by_ids(db: sqlite3.Connection, ids: Sequence[int]) -> list[Open311Forward]:
    where = Where()
    where.add_in("o.id", ids)
    found = rows(db, f"{SELECT}{where.sql} ORDER BY o.id", where.params)
    return [forward(row) for row in found]


class Open311ReadMixin(SQLiteCore):
    """The read-only ``open311_forwards`` methods of ``SQLiteStore``."""

    async def get_open311_forward(self, feedback_id: int) -> Open311Forward | None:
        """Return the forward of this report, or None if it was never queued."""
        row = await self._read(
            lambda db: first(db, f"{SELECT} WHERE o.feedback_id = ?", (feedback_id,))
        )
        return None if row is None else forward(row)

    async def list_open311_forwards(
        self,
        *,
        failed_only: bool = False,
        states: Iterable[Open311State] | None = None,
        area: str | None = None,
        limit: int = 100,
    ) -> list[Open311Forward]:
        """Return forwards, most recently changed first.

        ``failed_only`` keeps those an admin should look at: refused or given up
        (``failed_permanent``) and those still retrying after an error.
        """
        where = Where()
        if failed_only:
            where.add(_FAILED)
        if states is not None:
            where.add_in("o.state", [Open311State(s).value for s in states])
        if area is not None:
            where.add("o.area = ?", area)
        sql = f"{SELECT}{where.sql} ORDER BY o.updated_at DESC, o.id DESC LIMIT ?"
        found = await self._read(lambda db: rows(db, sql, (*where.params, limit)))
        return [forward(row) for row in found]

    async def list_open311_to_sync(
        self, *, synced_before: datetime, limit: int = 200
    ) -> list[Open311Forward]:
        """Return ``sent`` forwards not synced since ``synced_before``, least recent first."""
        params = (codec.ts(synced_before), limit)
        found = await self._read(
            lambda db: rows(
                db,
                f"{SELECT} WHERE o.state = 'sent' AND o.external_id IS NOT NULL "
                "AND (o.last_synced_at IS NULL OR o.last_synced_at < ?) "
                "ORDER BY o.last_synced_at IS NOT NULL, o.last_synced_at, o.id LIMIT ?",
                params,
            )
        )
        return [forward(row) for row in found]
