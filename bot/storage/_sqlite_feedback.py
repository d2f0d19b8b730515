"""Feedback items: filing under a unique reference, listing, counting, updating, attachments."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from bot.storage import _codec as codec
from bot.storage import _feedback_query as q
from bot.storage._sqlite_core import SQLiteCore, first, returning, rows
from bot.storage.base import CountGroup, StatusFilter, TextFilter
from bot.storage.errors import StorageError
from bot.storage.records import Attachment, AttachmentKind, FeedbackItem, FeedbackStatus

_REFERENCE_ATTEMPTS = 20


class FeedbackMixin(SQLiteCore):
    """Feedback and attachment rows of ``SQLiteStore``."""

    async def create_feedback(
        self,
        *,
        channel: str,
        original_text: str,
        redacted_text: str,
        area: str,
        area_confidence: float,
        kind: str,
        innovation: float = 0.0,
        urgent: bool = False,
        needs_review: bool = False,
        model_version: str | None = None,
        citizen_id: int | None = None,
        inbound_id: int | None = None,
        language: str | None = None,
        top_areas: Iterable[tuple[str, float]] = (),
        kind_confidence: float | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
        location_text: str | None = None,
        status: FeedbackStatus = FeedbackStatus.NEW,
        duplicate_of: int | None = None,
        created_at: datetime | None = None,
        actor: str = "system",
    ) -> FeedbackItem:
        """File a feedback item under a new unique reference such as ``CV-7K3P2``."""
        now, created = self._ts(), self._ts(created_at)
        values: dict[str, Any] = {
            "citizen_id": citizen_id,
            "inbound_id": inbound_id,
            "channel": channel,
            "language": language,
            "original_text": original_text,
            "redacted_text": redacted_text,
            "area": area,
            "area_confidence": q.probability("area_confidence", area_confidence),
            "top_areas_json": json.dumps([[str(a), float(p)] for a, p in top_areas]),
            "kind": kind,
            "kind_confidence": None if kind_confidence is None else float(kind_confidence),
            "innovation": q.probability("innovation", innovation),
            "urgent": int(urgent),
            "needs_review": int(needs_review),
            "model_version": model_version,
            "status": FeedbackStatus(status),
            "latitude": latitude,
            "longitude": longitude,
            "location_text": location_text,
            "duplicate_of": duplicate_of,
            "created_at": created,
            "updated_at": created,
        }
        audited = ("area", "kind", "status", "urgent", "needs_review", "model_version")

        def work(db: sqlite3.Connection) -> FeedbackItem:
            feedback_id = self._insert_with_new_reference(db, values)
            item = q.feedback_by(db, "id", feedback_id)
            after = {"reference": item.reference} | {k: getattr(item, k) for k in audited}
            self._audit(db, actor, "create", "feedback", feedback_id, after=after, at=now)
            return item

        return await self._write(work)

    def _insert_with_new_reference(self, db: sqlite3.Connection, values: dict[str, Any]) -> int:
        # A collision is rare (32**5 references) and the transaction holds the write lock,
        # so retrying with a fresh reference cannot race another writer.
        for _ in range(_REFERENCE_ATTEMPTS):
            row = {"reference": self._new_reference()} | values
            try:
                inserted = returning(db, q.INSERT_SQL, [row[c] for c in q.INSERT_COLUMNS])
            except sqlite3.IntegrityError as exc:
                if "feedback.reference" not in str(exc):
                    raise
                continue
            return int(inserted["id"])
        raise StorageError("could not find a free feedback reference")

    async def get_feedback(self, reference: str) -> FeedbackItem | None:
        """Return the item with this canonical reference, or None."""
        sql = f"{q.SELECT} WHERE f.reference = ?"
        row = await self._read(lambda db: first(db, sql, (reference,)))
        return None if row is None else codec.feedback(row)

    async def get_feedback_by_id(self, feedback_id: int) -> FeedbackItem | None:
        """Return the item with this id, or None."""
        sql = f"{q.SELECT} WHERE f.id = ?"
        row = await self._read(lambda db: first(db, sql, (feedback_id,)))
        return None if row is None else codec.feedback(row)

    async def list_feedback(
        self,
        *,
        areas: Iterable[str] | None = None,
        status: StatusFilter = None,
        kind: TextFilter = None,
        urgent: bool | None = None,
        needs_review: bool | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        search: str | None = None,
        citizen_id: int | None = None,
        limit: int = 50,
        offset: int = 0,
        newest_first: bool = True,
    ) -> list[FeedbackItem]:
        """Return items matching every filter given (see ``FeedbackStore.list_feedback``)."""
        where = q.feedback_where(
            areas=areas,
            status=status,
            kind=kind,
            urgent=urgent,
            needs_review=needs_review,
            since=since,
            until=until,
            search=search,
            citizen_id=citizen_id,
        )
        order = "f.created_at DESC, f.id DESC" if newest_first else "f.created_at, f.id"
        sql = f"{q.SELECT}{where.sql} ORDER BY {order} LIMIT ? OFFSET ?"
        found = await self._read(lambda db: rows(db, sql, (*where.params, limit, offset)))
        return [codec.feedback(row) for row in found]

    async def count_feedback(
        self,
        *,
        areas: Iterable[str] | None = None,
        status: StatusFilter = None,
        kind: TextFilter = None,
        urgent: bool | None = None,
        needs_review: bool | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        search: str | None = None,
        citizen_id: int | None = None,
    ) -> int:
        """Return how many items ``list_feedback`` would find with no limit."""
        where = q.feedback_where(
            areas=areas,
            status=status,
            kind=kind,
            urgent=urgent,
            needs_review=needs_review,
            since=since,
            until=until,
            search=search,
            citizen_id=citizen_id,
        )
        sql = f"SELECT COUNT(*) AS n FROM feedback AS f{where.sql}"  # noqa: S608
        row = await self._read(lambda db: returning(db, sql, where.params))
        return int(row["n"])

    async def count_feedback_by(
        self,
        group: CountGroup,
        *,
        areas: Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> dict[str, int]:
        """Return item counts per area, status or kind (only non-zero groups)."""
        column = q.GROUP_COLUMNS.get(group)
        if column is None:
            raise ValueError(f"cannot group feedback by {group!r}")
        where = q.feedback_where(areas=areas, since=since, until=until)
        sql = (
            f"SELECT {column} AS key, COUNT(*) AS n FROM feedback AS f{where.sql} "  # noqa: S608
            f"GROUP BY {column} ORDER BY n DESC, key"
        )
        found = await self._read(lambda db: rows(db, sql, where.params))
        return {str(row["key"]): int(row["n"]) for row in found}

    async def update_feedback(
        self,
        reference: str,
        actor: str,
        changes: Mapping[str, Any],
        *,
        note: str | None = None,
    ) -> FeedbackItem:
        """Apply ``changes`` and audit them with before/after (see ``FeedbackStore``)."""
        unknown = set(changes) - q.UPDATE_COLUMNS.keys()
        if unknown:
            raise ValueError(f"cannot update feedback field(s): {', '.join(sorted(unknown))}")
        now = self._ts()

        def work(db: sqlite3.Connection) -> FeedbackItem:
            item = q.feedback_by(db, "reference", reference)
            values = {k: q.clean_change(db, item, k, v) for k, v in changes.items()}
            changed = {k: v for k, v in values.items() if getattr(item, k) != v}
            if not changed and note is None:
                return item
            if changed:
                assignments = "".join(f"{q.UPDATE_COLUMNS[k]} = ?, " for k in changed)
                db.execute(
                    f"UPDATE feedback SET {assignments}updated_at = ? WHERE id = ?",  # noqa: S608
                    (*(q.db_value(v) for v in changed.values()), now, item.id),
                )
            before = {k: getattr(item, k) for k in changed}
            after = changed | ({} if note is None else {"note": note})
            self._audit(db, actor, "update", "feedback", item.id, before, after, at=now)
            return q.feedback_by(db, "id", item.id)

        return await self._write(work)

    async def append_text(
        self, reference: str, original_text: str, redacted_text: str, *, actor: str
    ) -> FeedbackItem:
        """Add a citizen's follow-up text to an item (both the original and redacted form)."""
        now = self._ts()

        def work(db: sqlite3.Connection) -> FeedbackItem:
            item = q.feedback_by(db, "reference", reference)
            db.execute(
                "UPDATE feedback SET original_text = original_text || ? || ?, "
                "redacted_text = redacted_text || ? || ?, updated_at = ? WHERE id = ?",
                ("\n", original_text, "\n", redacted_text, now, item.id),
            )
            grown = q.feedback_by(db, "id", item.id)
            # Lengths only: the audit log never holds a citizen's words.
            before = {"text_length": len(item.original_text)}
            after = {"text_length": len(grown.original_text)}
            self._audit(db, actor, "append_text", "feedback", item.id, before, after, at=now)
            return grown

        return await self._write(work)

    async def add_attachment(
        self,
        feedback_id: int,
        kind: AttachmentKind,
        value: str,
        *,
        actor: str,
        created_at: datetime | None = None,
    ) -> Attachment:
        """Attach a photo id, a location (``"lat,lon"``) or a media URL to an item."""
        attachment_kind, now, created = AttachmentKind(kind), self._ts(), self._ts(created_at)

        def work(db: sqlite3.Connection) -> Attachment:
            q.feedback_by(db, "id", feedback_id)
            row = returning(
                db,
                "INSERT INTO attachments (feedback_id, kind, value, created_at) "
                "VALUES (?, ?, ?, ?) RETURNING *",
                (feedback_id, attachment_kind, value, created),
            )
            db.execute("UPDATE feedback SET updated_at = ? WHERE id = ?", (now, feedback_id))
            after = {"attachment_id": row["id"], "kind": attachment_kind}
            self._audit(db, actor, "attach", "feedback", feedback_id, after=after, at=now)
            return codec.attachment(row)

        return await self._write(work)

    async def list_attachments(self, feedback_id: int) -> list[Attachment]:
        """Return an item's attachments, oldest first."""
        found = await self._read(
            lambda db: rows(
                db,
                "SELECT * FROM attachments WHERE feedback_id = ? ORDER BY created_at, id",
                (feedback_id,),
            )
        )
        return [codec.attachment(row) for row in found]

    async def latest_feedback_for_citizen(self, citizen_id: int) -> FeedbackItem | None:
        """Return the citizen's most recent item, or None."""
        sql = f"{q.SELECT} WHERE f.citizen_id = ? ORDER BY f.created_at DESC, f.id DESC LIMIT 1"
        row = await self._read(lambda db: first(db, sql, (citizen_id,)))
        return None if row is None else codec.feedback(row)
