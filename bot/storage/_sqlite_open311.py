"""Forwards of reports to cities' Open311 endpoints: queueing, leases, outcomes, status.

``feedback_id`` is unique in ``open311_forwards``, so a report is queued at most once, and
a row is only ever worked on by the worker holding its lease (``claim_due_open311``).
Reaching the city, being refused and being closed by the city add audit entries on the
report (actor ``open311:<area>``), so its history shows them. Reads: ``_sqlite_open311_rows``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from bot.storage import _codec as codec
from bot.storage._sqlite_core import first, rows
from bot.storage._sqlite_open311_rows import Open311ReadMixin, forwards_by_ids, get_forward
from bot.storage.base import DEFAULT_LEASE
from bot.storage.errors import NotFoundError
from bot.storage.open311_records import Open311Forward, Open311State, Open311Target

# A report is eligible while open and not erased. In an area that asks for confirmation it
# also needs staff to have confirmed or set its current area, or to have moved it past new.
_QUEUE = (
    "INSERT INTO open311_forwards (feedback_id, area, endpoint, next_attempt_at, created_at, "
    "updated_at) SELECT f.id, f.area, ?, ?, ?, ? FROM feedback f WHERE f.area = ? "
    "AND f.status IN ('new', 'acknowledged', 'in_progress') AND f.erased_at IS NULL "
    "AND f.created_at <= ? "
    "AND NOT EXISTS (SELECT 1 FROM open311_forwards o WHERE o.feedback_id = f.id)"
)
_CONFIRMED = (
    " AND (f.status <> 'new' OR EXISTS (SELECT 1 FROM corrections c WHERE "
    "c.feedback_id = f.id AND c.field = 'area' AND c.value = f.area "
    "AND c.actor NOT LIKE 'citizen:%'))"
)


class Open311Mixin(Open311ReadMixin):
    """The ``open311_forwards`` rows of ``SQLiteStore``."""

    async def queue_open311_forwards(
        self, targets: Iterable[Open311Target], *, created_before: datetime | None = None
    ) -> int:
        """Queue every eligible report of the targets' areas; return how many were new."""
        now = self._ts()
        before = now if created_before is None else codec.ts(created_before)
        work_list = list(targets)

        def work(db: sqlite3.Connection) -> int:
            added = 0
            for target in work_list:
                sql = _QUEUE + (_CONFIRMED if target.requires_confirmation else "")
                params = (target.endpoint, now, now, now, target.area, before)
                added += db.execute(sql, params).rowcount
            return added

        return await self._write(work)

    async def claim_due_open311(
        self, limit: int = 20, now: datetime | None = None, *, lease: timedelta = DEFAULT_LEASE
    ) -> list[Open311Forward]:
        """Atomically take up to ``limit`` due forwards, each leased for ``lease``.

        A ``pending`` row becomes ``sending``; a ``token_pending`` row keeps its state. A
        ``sending`` row whose lease ran out (its worker died mid-request) is taken again
        and marked ``uncertain``: the city may have it already.
        """
        moment = self._clock() if now is None else now
        current = codec.ts(moment)
        params = (codec.ts(moment + lease), current, current, current, current, limit)

        def work(db: sqlite3.Connection) -> list[Open311Forward]:
            claimed = rows(
                db,
                "UPDATE open311_forwards SET "
                "uncertain = CASE WHEN state = 'sending' THEN 1 ELSE uncertain END, "
                "state = CASE WHEN state = 'token_pending' THEN state ELSE 'sending' END, "
                "attempts = attempts + 1, lease_until = ?, updated_at = ? WHERE id IN ("
                "SELECT id FROM open311_forwards WHERE (state IN ('pending', 'token_pending') "
                "AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)) "
                "OR (state = 'sending' AND lease_until <= ?) "
                "ORDER BY next_attempt_at, id LIMIT ?) RETURNING id",
                params,
            )
            return forwards_by_ids(db, [int(row["id"]) for row in claimed])

        return await self._write(work)

    async def mark_open311_sent(
        self,
        forward_id: int,
        *,
        external_id: str | None = None,
        external_token: str | None = None,
        token_check_at: datetime | None = None,
        endpoint: str | None = None,
    ) -> Open311Forward:
        """Record the city's answer: its ``service_request_id``, or a token to resolve.

        With only a token the row becomes ``token_pending``, due again at
        ``token_check_at``; with an id it becomes ``sent`` (and the status sync reads it).
        ``endpoint`` records where it went, if the area's endpoint changed since queueing.
        """
        if not external_id and not external_token:
            raise ValueError("the city's answer needs a service_request_id or a token")
        now = self._ts()
        due = now if token_check_at is None else codec.ts(token_check_at)
        state = Open311State.SENT if external_id else Open311State.TOKEN_PENDING

        def work(db: sqlite3.Connection) -> Open311Forward:
            before = get_forward(db, forward_id)
            db.execute(
                "UPDATE open311_forwards SET state = ?, external_id = COALESCE(?, external_id), "
                "external_token = COALESCE(?, external_token), next_attempt_at = ?, "
                "endpoint = COALESCE(?, endpoint), "
                "lease_until = NULL, last_error = NULL, uncertain = 0, "
                "sent_at = COALESCE(sent_at, ?), updated_at = ? WHERE id = ?",
                (state, external_id, external_token, due, endpoint, now, now, forward_id),
            )
            after: dict[str, Any] = {"area": before.area, "state": state}
            if external_id:
                after["service_request_id"] = external_id
            if before.state is not Open311State.TOKEN_PENDING or external_id:
                self._audit(db, f"open311:{before.area}", "open311_forwarded", "feedback",
                            before.feedback_id, {"state": before.state}, after, now)
            return get_forward(db, forward_id)

        return await self._write(work)

    async def mark_open311_failed(
        self,
        forward_id: int,
        error: str,
        retry_at: datetime | None,
        *,
        uncertain: bool = False,
    ) -> Open311Forward:
        """Record a failed attempt: due again at ``retry_at``, or given up if None.

        ``uncertain`` says the city may have received the report despite the failure.
        ``error`` must name what went wrong without the report's words or the API key.
        """
        now = self._ts()
        message = error[:500]

        def work(db: sqlite3.Connection) -> Open311Forward:
            before = get_forward(db, forward_id)
            if retry_at is None:
                db.execute(
                    "UPDATE open311_forwards SET state = 'failed_permanent', last_error = ?, "
                    "lease_until = NULL, uncertain = ?, updated_at = ? WHERE id = ?",
                    (message, int(uncertain), now, forward_id),
                )
                self._audit(db, f"open311:{before.area}", "open311_failed", "feedback",
                            before.feedback_id, {"state": before.state},
                            {"state": Open311State.FAILED_PERMANENT, "error": message}, now)
            else:
                db.execute(
                    "UPDATE open311_forwards SET state = CASE WHEN external_token IS NOT NULL "
                    "AND external_id IS NULL THEN 'token_pending' ELSE 'pending' END, "
                    "last_error = ?, next_attempt_at = ?, lease_until = NULL, uncertain = ?, "
                    "updated_at = ? WHERE id = ?",
                    (message, codec.ts(retry_at), int(uncertain), now, forward_id),
                )
            return get_forward(db, forward_id)

        return await self._write(work)

    async def cancel_open311_forward(self, forward_id: int, reason: str) -> Open311Forward:
        """Stop forwarding a report that left the area, closed or was erased before it went."""
        params = (reason[:500], self._ts(), forward_id)

        def work(db: sqlite3.Connection) -> Open311Forward:
            db.execute(
                "UPDATE open311_forwards SET state = 'cancelled', last_error = ?, "
                "lease_until = NULL, updated_at = ? WHERE id = ?",
                params,
            )
            return get_forward(db, forward_id)

        return await self._write(work)

    async def retry_open311_forward(self, feedback_id: int, *, actor: str) -> Open311Forward:
        """Make a failed or cancelled forward due now, with its attempts counted afresh."""
        now = self._ts()

        def work(db: sqlite3.Connection) -> Open311Forward:
            row = first(db, "SELECT id FROM open311_forwards WHERE feedback_id = ?",
                        (feedback_id,))
            if row is None:
                raise NotFoundError(f"no open311 forward for feedback {feedback_id}")
            before = get_forward(db, int(row["id"]))
            if before.state not in (Open311State.FAILED_PERMANENT, Open311State.CANCELLED):
                raise ValueError(f"{before.reference} is {before.state}, not failed")
            db.execute(
                "UPDATE open311_forwards SET state = CASE WHEN external_token IS NOT NULL "
                "AND external_id IS NULL THEN 'token_pending' ELSE 'pending' END, "
                "attempts = 0, next_attempt_at = ?, last_error = NULL, updated_at = ? "
                "WHERE id = ?",
                (now, now, before.id),
            )
            self._audit(db, actor, "open311_retry", "feedback", feedback_id,
                        {"state": before.state}, {"state": "pending"}, now)
            return get_forward(db, before.id)

        return await self._write(work)

    async def record_open311_status(
        self,
        forward_id: int,
        status: str | None,
        notes: str | None = None,
        *,
        at: datetime | None = None,
    ) -> bool:
        """Store what the city says about a sent report; return True if this closed it.

        ``status`` None means the city did not list the request: only the sync time moves.
        A ``closed`` status moves a ``sent`` row to ``closed`` exactly once, so only one
        caller ever gets True for a forward.
        """
        now = self._ts(at)

        def work(db: sqlite3.Connection) -> bool:
            before = get_forward(db, forward_id)
            if status is None:
                db.execute(
                    "UPDATE open311_forwards SET last_synced_at = ? WHERE id = ?",
                    (now, forward_id),
                )
                return False
            closes = status == "closed" and before.state is Open311State.SENT
            db.execute(
                "UPDATE open311_forwards SET external_status = ?, external_status_notes = ?, "
                "last_synced_at = ?, state = ?, closed_at = CASE WHEN ? THEN ? ELSE closed_at "
                "END, updated_at = CASE WHEN ? THEN ? ELSE updated_at END WHERE id = ?",
                (status, notes, now, Open311State.CLOSED if closes else before.state,
                 int(closes), now, int(closes or status != before.external_status), now,
                 forward_id),
            )
            return closes

        return await self._write(work)
