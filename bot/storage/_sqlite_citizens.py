"""Citizens: pseudonymous identity, language, consent, opt-out and erasure."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from bot.storage import _codec as codec
from bot.storage._sqlite_core import SQLiteCore, first, returning, rows
from bot.storage.errors import NotFoundError
from bot.storage.records import ERASED_TEXT, Citizen, ForgetResult


def _citizen(db: sqlite3.Connection, citizen_id: int) -> Citizen:
    row = first(db, "SELECT * FROM citizens WHERE id = ?", (citizen_id,))
    if row is None:
        raise NotFoundError(f"citizen {citizen_id} not found")
    return codec.citizen(row)


class CitizenMixin(SQLiteCore):
    """Citizen rows of ``SQLiteStore``."""

    async def get_or_create_citizen(
        self,
        channel: str,
        address_hash: str,
        address_encrypted: str | None = None,
        language: str | None = None,
    ) -> Citizen:
        """Return the citizen with this pseudonym on ``channel``, creating it if new."""
        existing = await self.find_citizen(channel, address_hash)
        if existing is not None and (
            address_encrypted is None or existing.address_encrypted is not None
        ):
            return existing
        now = self._ts()

        def work(db: sqlite3.Connection) -> Citizen:
            row = first(
                db,
                "INSERT INTO citizens (channel, address_hash, address_encrypted, language, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (channel, address_hash) DO NOTHING RETURNING *",
                (channel, address_hash, address_encrypted, language, now, now),
            )
            if row is not None:
                after = {"channel": channel, "language": language}
                self._audit(db, "system", "create", "citizen", row["id"], after=after, at=now)
                return codec.citizen(row)
            # Known already: only fill in an encrypted address it lacks.
            row = None
            if address_encrypted is not None:
                row = first(
                    db,
                    "UPDATE citizens SET address_encrypted = ?, updated_at = ? "
                    "WHERE channel = ? AND address_hash = ? AND address_encrypted IS NULL "
                    "RETURNING *",
                    (address_encrypted, now, channel, address_hash),
                )
            if row is None:
                row = returning(
                    db,
                    "SELECT * FROM citizens WHERE channel = ? AND address_hash = ?",
                    (channel, address_hash),
                )
            return codec.citizen(row)

        return await self._write(work)

    async def get_citizen(self, citizen_id: int) -> Citizen | None:
        """Return the citizen with this id, or None."""
        row = await self._read(
            lambda db: first(db, "SELECT * FROM citizens WHERE id = ?", (citizen_id,))
        )
        return None if row is None else codec.citizen(row)

    async def find_citizen(self, channel: str, address_hash: str) -> Citizen | None:
        """Return the citizen with this pseudonym on ``channel`` without creating one."""
        row = await self._read(
            lambda db: first(
                db,
                "SELECT * FROM citizens WHERE channel = ? AND address_hash = ?",
                (channel, address_hash),
            )
        )
        return None if row is None else codec.citizen(row)

    async def _set_citizen_field(
        self,
        citizen_id: int,
        action: str,
        actor: str | None,
        change: tuple[str, Any],
        sql: str,
        params: tuple[Any, ...],
    ) -> Citizen:
        """Run one audited ``UPDATE citizens`` unless the field already has its value."""
        (field, value), now = change, self._ts()

        def work(db: sqlite3.Connection) -> Citizen:
            current = _citizen(db, citizen_id)
            if getattr(current, field) == value:
                return current
            row = returning(db, sql, (*params, now, citizen_id))
            who = actor if actor is not None else f"citizen:{citizen_id}"
            old = {field: getattr(current, field)}
            self._audit(db, who, action, "citizen", citizen_id, old, {field: value}, at=now)
            return codec.citizen(row)

        return await self._write(work)

    async def set_citizen_language(
        self, citizen_id: int, language: str, *, actor: str | None = None
    ) -> Citizen:
        """Set the language replies use; ``actor`` defaults to the citizen."""
        return await self._set_citizen_field(
            citizen_id,
            "set_language",
            actor,
            ("language", language),
            "UPDATE citizens SET language = ?, updated_at = ? WHERE id = ? RETURNING *",
            (language,),
        )

    async def set_consent(
        self,
        citizen_id: int,
        consent: bool,
        *,
        at: datetime | None = None,
        actor: str | None = None,
    ) -> Citizen:
        """Record the citizen's answer to the data-use question."""
        return await self._set_citizen_field(
            citizen_id,
            "set_consent",
            actor,
            ("consent", consent),
            "UPDATE citizens SET consent = ?, consent_at = ?, updated_at = ? "
            "WHERE id = ? RETURNING *",
            (int(consent), self._ts(at)),
        )

    async def set_opt_out(
        self,
        citizen_id: int,
        opted_out: bool,
        *,
        at: datetime | None = None,
        actor: str | None = None,
    ) -> Citizen:
        """Stop (True) or resume (False) messages to the citizen."""
        return await self._set_citizen_field(
            citizen_id,
            "set_opt_out",
            actor,
            ("opted_out", opted_out),
            "UPDATE citizens SET opted_out = ?, opted_out_at = ?, updated_at = ? "
            "WHERE id = ? RETURNING *",
            (int(opted_out), self._ts(at) if opted_out else None),
        )

    async def forget_citizen(self, citizen_id: int, *, actor: str) -> ForgetResult:
        """Erase a citizen's identity, addresses, texts and attachments; keep the counts."""
        now = self._ts()
        return await self._write(lambda db: self._forget(db, citizen_id, actor, now))

    def _forget(
        self, db: sqlite3.Connection, citizen_id: int, actor: str, now: str
    ) -> ForgetResult:
        _citizen(db, citizen_id)
        attachments = rows(
            db,
            "DELETE FROM attachments WHERE feedback_id IN "
            "(SELECT id FROM feedback WHERE citizen_id = ?) RETURNING id",
            (citizen_id,),
        )
        inbound = rows(
            db,
            "UPDATE inbound_messages SET text = NULL, payload_json = NULL, reply_text = NULL, "
            "outcome_json = NULL, citizen_id = NULL WHERE citizen_id = ? OR feedback_id IN "
            "(SELECT id FROM feedback WHERE citizen_id = ?) RETURNING id",
            (citizen_id, citizen_id),
        )
        # Messages not yet sent can never be: the address is about to go.
        outbound = rows(
            db,
            "UPDATE outbound_messages SET text = ?, citizen_id = NULL, updated_at = ?, "
            "last_error = CASE WHEN status IN ('queued', 'sending') "
            "THEN 'citizen erased' ELSE last_error END, "
            "status = CASE WHEN status IN ('queued', 'sending') THEN 'failed' ELSE status END "
            "WHERE citizen_id = ? OR feedback_id IN "
            "(SELECT id FROM feedback WHERE citizen_id = ?) RETURNING id",
            (ERASED_TEXT, now, citizen_id, citizen_id),
        )
        feedback = rows(
            db,
            "UPDATE feedback SET original_text = ?, redacted_text = ?, citizen_id = NULL, "
            "latitude = NULL, longitude = NULL, location_text = NULL, erased_at = ?, "
            "updated_at = ? WHERE citizen_id = ? RETURNING id",
            (ERASED_TEXT, ERASED_TEXT, now, now, citizen_id),
        )
        db.execute(
            "UPDATE citizens SET address_hash = NULL, address_encrypted = NULL, language = NULL, "
            "consent = NULL, consent_at = NULL, opted_out = 1, "
            "opted_out_at = COALESCE(opted_out_at, ?), forgotten_at = ?, updated_at = ? "
            "WHERE id = ?",
            (now, now, now, citizen_id),
        )
        result = ForgetResult(
            citizen_id=citizen_id,
            inbound_erased=len(inbound),
            outbound_erased=len(outbound),
            feedback_anonymised=len(feedback),
            attachments_deleted=len(attachments),
        )
        counts = {
            "inbound_erased": result.inbound_erased,
            "outbound_erased": result.outbound_erased,
            "feedback_anonymised": result.feedback_anonymised,
            "attachments_deleted": result.attachments_deleted,
        }
        self._audit(db, actor, "forget", "citizen", citizen_id, after=counts, at=now)
        return result
