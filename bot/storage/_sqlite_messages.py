"""Inbound messages (stored first, deduplicated) and the outbound queue."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from bot.storage import _codec as codec
from bot.storage._sqlite_core import SQLiteCore, Where, first, returning, rows
from bot.storage.base import DEFAULT_LEASE
from bot.storage.errors import NotFoundError
from bot.storage.records import InboundRecord, InboundState, OutboundRecord, OutboundStatus

# Delivery callbacks may arrive out of order; a status only replaces a lower-ranked one.
_DELIVERY_RANK = {
    OutboundStatus.QUEUED: 0,
    OutboundStatus.SENDING: 1,
    OutboundStatus.SENT: 2,
    OutboundStatus.DELIVERED: 3,
    OutboundStatus.UNDELIVERED: 4,
    OutboundStatus.FAILED: 4,
}


def _found(row: sqlite3.Row | None, what: str, key: int) -> sqlite3.Row:
    if row is None:
        raise NotFoundError(f"{what} {key} not found")
    return row


class MessageMixin(SQLiteCore):
    """Inbound and outbound message rows of ``SQLiteStore``."""

    # -- inbound -----------------------------------------------------------------------

    async def record_inbound(
        self,
        channel: str,
        channel_message_id: str,
        citizen_id: int | None,
        text: str | None,
        payload_json: str | None = None,
        received_at: datetime | None = None,
    ) -> tuple[InboundRecord, bool]:
        """Store a received message; return it and whether it was new."""
        params = (
            channel,
            channel_message_id,
            citizen_id,
            text,
            payload_json,
            self._ts(received_at),
        )

        def work(db: sqlite3.Connection) -> tuple[InboundRecord, bool]:
            row = first(
                db,
                "INSERT INTO inbound_messages (channel, channel_message_id, citizen_id, text, "
                "payload_json, received_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (channel, channel_message_id) DO NOTHING RETURNING *",
                params,
            )
            if row is not None:
                return codec.inbound(row), True
            row = returning(
                db,
                "SELECT * FROM inbound_messages WHERE channel = ? AND channel_message_id = ?",
                (channel, channel_message_id),
            )
            return codec.inbound(row), False

        return await self._write(work)

    async def get_inbound(self, inbound_id: int) -> InboundRecord | None:
        """Return the inbound message with this id, or None."""
        row = await self._read(
            lambda db: first(db, "SELECT * FROM inbound_messages WHERE id = ?", (inbound_id,))
        )
        return None if row is None else codec.inbound(row)

    async def mark_inbound_handled(
        self,
        inbound_id: int,
        *,
        feedback_id: int | None = None,
        reply_text: str | None = None,
        outcome: Mapping[str, Any] | None = None,
        at: datetime | None = None,
    ) -> InboundRecord:
        """Record that a message was processed, what it led to and what was replied."""
        params = (
            InboundState.HANDLED,
            self._ts(at),
            feedback_id,
            reply_text,
            codec.to_json(outcome),
            inbound_id,
        )
        row = await self._write(
            lambda db: first(
                db,
                "UPDATE inbound_messages SET state = ?, handled_at = ?, "
                "feedback_id = COALESCE(?, feedback_id), reply_text = ?, outcome_json = ?, "
                "error = NULL WHERE id = ? RETURNING *",
                params,
            )
        )
        return codec.inbound(_found(row, "inbound message", inbound_id))

    async def mark_inbound_failed(
        self, inbound_id: int, error: str, *, at: datetime | None = None
    ) -> InboundRecord:
        """Record that processing gave up; ``error`` must not quote the citizen's text."""
        params = (InboundState.FAILED, self._ts(at), error, inbound_id)
        row = await self._write(
            lambda db: first(
                db,
                "UPDATE inbound_messages SET state = ?, handled_at = ?, error = ? "
                "WHERE id = ? RETURNING *",
                params,
            )
        )
        return codec.inbound(_found(row, "inbound message", inbound_id))

    async def list_unhandled_inbound(
        self, *, limit: int = 100, received_before: datetime | None = None
    ) -> list[InboundRecord]:
        """Return messages still ``received`` (oldest first), for recovery after a crash."""
        where = Where()
        where.add("state = 'received'")
        if received_before is not None:
            where.add("received_at < ?", codec.ts(received_before))
        sql = f"SELECT * FROM inbound_messages{where.sql} ORDER BY received_at, id LIMIT ?"  # noqa: S608
        found = await self._read(lambda db: rows(db, sql, (*where.params, limit)))
        return [codec.inbound(row) for row in found]

    # -- outbound ----------------------------------------------------------------------

    async def enqueue_outbound(
        self,
        citizen_id: int | None,
        channel: str,
        text: str,
        *,
        feedback_id: int | None = None,
        kind: str = "reply",
        not_before: datetime | None = None,
    ) -> int:
        """Queue a message to a citizen and return its id; it is due at ``not_before``."""
        now = self._ts()
        due = now if not_before is None else codec.ts(not_before)
        params = (citizen_id, channel, text, kind, feedback_id, due, now, now)
        row = await self._write(
            lambda db: returning(
                db,
                "INSERT INTO outbound_messages (citizen_id, channel, text, kind, feedback_id, "
                "next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "RETURNING id",
                params,
            )
        )
        return int(row["id"])

    async def get_outbound(self, outbound_id: int) -> OutboundRecord | None:
        """Return the outbound message with this id, or None."""
        row = await self._read(
            lambda db: first(db, "SELECT * FROM outbound_messages WHERE id = ?", (outbound_id,))
        )
        return None if row is None else codec.outbound(row)

    async def claim_due_outbound(
        self,
        limit: int = 50,
        now: datetime | None = None,
        *,
        lease: timedelta = DEFAULT_LEASE,
    ) -> list[OutboundRecord]:
        """Atomically take up to ``limit`` due messages and mark them ``sending``.

        While ``sending``, ``next_attempt_at`` holds the end of the lease.
        """
        moment = self._clock() if now is None else now
        current = codec.ts(moment)
        params = (codec.ts(moment + lease), current, current, limit)
        found = await self._write(
            lambda db: rows(
                db,
                "UPDATE outbound_messages SET status = 'sending', attempts = attempts + 1, "
                "next_attempt_at = ?, updated_at = ? WHERE id IN ("
                "SELECT id FROM outbound_messages WHERE status IN ('queued', 'sending') "
                "AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?) RETURNING *",
                params,
            )
        )
        return sorted((codec.outbound(row) for row in found), key=lambda m: m.id)

    async def mark_outbound_sent(
        self, outbound_id: int, provider_message_id: str | None, *, at: datetime | None = None
    ) -> None:
        """Record that the provider accepted the message, with the provider's id."""
        now = self._ts(at)
        params = (provider_message_id, now, now, outbound_id)
        row = await self._write(
            lambda db: first(
                db,
                # A fast delivery callback may already have moved it past 'sent'.
                "UPDATE outbound_messages SET status = CASE WHEN status IN "
                "('queued', 'sending') THEN 'sent' ELSE status END, "
                "provider_message_id = COALESCE(?, provider_message_id), "
                "sent_at = COALESCE(sent_at, ?), last_error = NULL, updated_at = ? "
                "WHERE id = ? RETURNING id",
                params,
            )
        )
        _found(row, "outbound message", outbound_id)

    async def mark_outbound_failed(
        self, outbound_id: int, error: str, retry_at: datetime | None
    ) -> None:
        """Record a failed attempt; queue it again at ``retry_at``, or give up if None."""
        now = self._ts()
        if retry_at is None:
            sql = (
                "UPDATE outbound_messages SET status = 'failed', last_error = ?, updated_at = ? "
                "WHERE id = ? RETURNING id"
            )
            params: tuple[Any, ...] = (error, now, outbound_id)
        else:
            sql = (
                "UPDATE outbound_messages SET status = 'queued', last_error = ?, "
                "next_attempt_at = ?, updated_at = ? WHERE id = ? RETURNING id"
            )
            params = (error, codec.ts(retry_at), now, outbound_id)
        row = await self._write(lambda db: first(db, sql, params))
        _found(row, "outbound message", outbound_id)

    async def update_delivery_status(
        self,
        provider_message_id: str,
        status: OutboundStatus,
        *,
        error: str | None = None,
        at: datetime | None = None,
    ) -> bool:
        """Apply a provider's status callback; return False if no message has that id."""
        new_status, now = OutboundStatus(status), self._ts(at)
        delivered_at = now if new_status is OutboundStatus.DELIVERED else None

        def work(db: sqlite3.Connection) -> bool:
            row = first(
                db,
                "SELECT id, status FROM outbound_messages WHERE provider_message_id = ? "
                "ORDER BY id DESC LIMIT 1",
                (provider_message_id,),
            )
            if row is None:
                return False
            if _DELIVERY_RANK[new_status] > _DELIVERY_RANK[OutboundStatus(row["status"])]:
                db.execute(
                    "UPDATE outbound_messages SET status = ?, updated_at = ?, "
                    "delivered_at = COALESCE(?, delivered_at), "
                    "last_error = COALESCE(?, last_error) WHERE id = ?",
                    (new_status, now, delivered_at, error, row["id"]),
                )
            return True

        return await self._write(work)

    async def count_outbound_since(self, citizen_id: int, since: datetime) -> int:
        """Return how many messages to the citizen were queued since ``since`` (not failed)."""
        params = (citizen_id, codec.ts(since))
        row = await self._read(
            lambda db: returning(
                db,
                "SELECT COUNT(*) AS n FROM outbound_messages WHERE citizen_id = ? "
                "AND created_at >= ? AND status NOT IN ('failed', 'undelivered')",
                params,
            )
        )
        return int(row["n"])

    async def list_outbound(
        self, *, citizen_id: int | None = None, feedback_id: int | None = None, limit: int = 100
    ) -> list[OutboundRecord]:
        """Return messages to a citizen or about an item, oldest first."""
        where = Where()
        if citizen_id is not None:
            where.add("citizen_id = ?", citizen_id)
        if feedback_id is not None:
            where.add("feedback_id = ?", feedback_id)
        sql = f"SELECT * FROM outbound_messages{where.sql} ORDER BY id LIMIT ?"  # noqa: S608
        found = await self._read(lambda db: rows(db, sql, (*where.params, limit)))
        return [codec.outbound(row) for row in found]
