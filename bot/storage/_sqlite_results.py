"""Satisfaction answers and the weekly figures the results and accountability pages show."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.storage import _codec as codec
from bot.storage import _feedback_query as q
from bot.storage._sqlite_core import SQLiteCore, Where, returning, rows
from bot.storage.records import FeedbackStatus
from bot.storage.results import (
    DEFAULT_RESOLUTION_TARGET,
    RESOLVED,
    FeedbackStats,
    Satisfaction,
    SatisfactionAnswer,
    SatisfactionCounts,
    StatsRow,
    weekly_stats,
)

# An audit entry counts as a first response when staff changed the status or replied.
_RESPONSE_ACTIONS = ("update", "reply")


def _satisfaction(row: sqlite3.Row) -> Satisfaction:
    return Satisfaction(
        id=row["id"],
        feedback_id=row["feedback_id"],
        answer=SatisfactionAnswer(row["answer"]),
        channel=row["channel"],
        inbound_id=row["inbound_id"],
        answered_at=codec.parse_ts(row["answered_at"]),
    )


class ResultsMixin(SQLiteCore):
    """Satisfaction rows and aggregate reads of ``SQLiteStore``."""

    async def record_satisfaction(
        self,
        feedback_id: int,
        answer: SatisfactionAnswer,
        channel: str,
        *,
        actor: str,
        inbound_id: int | None = None,
        at: datetime | None = None,
    ) -> Satisfaction:
        """Record a citizen's answer to "Is it fixed?" (see ``FeedbackStore``)."""
        value, answered, now = SatisfactionAnswer(answer), self._ts(at), self._ts()

        def work(db: sqlite3.Connection) -> Satisfaction:
            q.feedback_by(db, "id", feedback_id)  # NotFoundError when there is no such item
            if inbound_id is not None:
                found = rows(db, "SELECT * FROM satisfaction WHERE inbound_id = ?",
                             (inbound_id,))
                if found:
                    return _satisfaction(found[0])
            row = returning(
                db,
                "INSERT INTO satisfaction (feedback_id, answer, channel, inbound_id, "
                "answered_at) VALUES (?, ?, ?, ?, ?) RETURNING *",
                (feedback_id, value, channel, inbound_id, answered),
            )
            self._audit(db, actor, "satisfaction", "feedback", feedback_id,
                        after={"answer": value}, at=now)
            return _satisfaction(row)

        return await self._write(work)

    async def list_satisfaction(self, feedback_id: int) -> list[Satisfaction]:
        """Return the answers given about one item, oldest first."""
        found = await self._read(lambda db: rows(
            db, "SELECT * FROM satisfaction WHERE feedback_id = ? ORDER BY answered_at, id",
            (feedback_id,)))
        return [_satisfaction(row) for row in found]

    async def satisfaction_counts(
        self,
        *,
        areas: Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> dict[str, SatisfactionCounts]:
        """Return yes/no answers per area (the item's area now), by when they were given."""
        where = Where()
        if areas is not None:
            where.add_in("f.area", list(areas))
        if since is not None:
            where.add("s.answered_at >= ?", codec.ts(since))
        if until is not None:
            where.add("s.answered_at < ?", codec.ts(until))
        sql = (
            "SELECT f.area AS area, s.answer AS answer, COUNT(*) AS n "  # noqa: S608
            "FROM satisfaction AS s "
            f"JOIN feedback AS f ON f.id = s.feedback_id{where.sql} "
            "GROUP BY f.area, s.answer"
        )
        found = await self._read(lambda db: rows(db, sql, where.params))
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        for row in found:
            counts[str(row["area"])][str(row["answer"])] = int(row["n"])
        return {area: SatisfactionCounts(yes=c.get("yes", 0), no=c.get("no", 0))
                for area, c in sorted(counts.items())}

    async def feedback_stats(
        self,
        *,
        areas: Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        target: timedelta = DEFAULT_RESOLUTION_TARGET,
    ) -> list[FeedbackStats]:
        """Return figures per area and ISO week of filing (see ``FeedbackStore``)."""
        where = q.feedback_where(areas=areas, since=since, until=until)
        items_sql = (
            "SELECT f.id, f.area, f.kind, f.status, f.created_at "  # noqa: S608
            f"FROM feedback AS f{where.sql}"
        )
        audit_sql = (
            "SELECT entity_id, at, actor, action, after_json FROM audit_log "  # noqa: S608
            "WHERE entity = 'feedback' AND action IN (?, ?) AND entity_id IN "
            f"(SELECT CAST(f.id AS TEXT) FROM feedback AS f{where.sql}) ORDER BY id"
        )
        answers_sql = (
            "SELECT feedback_id, answer FROM satisfaction WHERE feedback_id IN "  # noqa: S608
            f"(SELECT f.id FROM feedback AS f{where.sql}) ORDER BY id"
        )

        def work(db: sqlite3.Connection) -> list[StatsRow]:
            items = rows(db, items_sql, where.params)
            audit = rows(db, audit_sql, (*_RESPONSE_ACTIONS, *where.params))
            answers = rows(db, answers_sql, where.params)
            return _stats_rows(items, audit, answers)

        return weekly_stats(await self._read(work), target)


def _stats_rows(
    items: list[sqlite3.Row], audit: list[sqlite3.Row], answers: list[sqlite3.Row]
) -> list[StatsRow]:
    """Join reports with their first staff response, last resolution and answers."""
    first_response: dict[int, datetime] = {}
    resolved_at: dict[int, datetime] = {}
    for entry in audit:
        feedback_id = int(entry["entity_id"])
        after = json.loads(entry["after_json"]) if entry["after_json"] else {}
        status = after.get("status") if isinstance(after, dict) else None
        at = codec.parse_ts(entry["at"])
        staff = str(entry["actor"]).startswith("staff:")
        if staff and (entry["action"] == "reply" or status is not None):
            first_response.setdefault(feedback_id, at)
        if status in RESOLVED:
            resolved_at[feedback_id] = at  # the last time it was resolved counts
    by_item: dict[int, list[SatisfactionAnswer]] = defaultdict(list)
    for row in answers:
        by_item[int(row["feedback_id"])].append(SatisfactionAnswer(row["answer"]))
    return [
        StatsRow(
            area=str(row["area"]), kind=str(row["kind"]), status=FeedbackStatus(row["status"]),
            created_at=codec.parse_ts(row["created_at"]),
            first_response_at=first_response.get(int(row["id"])),
            resolved_at=resolved_at.get(int(row["id"])),
            answers=tuple(by_item.get(int(row["id"]), ())),
        )
        for row in items
    ]
