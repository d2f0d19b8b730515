"""Staff users with their areas, hashed API tokens, and staff corrections (training labels).

Sessions, sign-in failures and Telegram group links live in ``_sqlite_access``, whose mixin
this one extends. Deactivating a user or changing their password ends their sessions (and
deactivation their API tokens) in the same transaction; no change may leave the store
without an active admin.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.storage import _codec as codec
from bot.storage._sqlite_access import AccessMixin, revoke_user_sessions
from bot.storage._sqlite_core import Where, first, returning, rows
from bot.storage.errors import ConflictError, NotFoundError
from bot.storage.records import ApiToken, Correction, CorrectionField, StaffRole, StaffUser

_USER_SELECT = (
    "SELECT u.*, (SELECT json_group_array(a.area) FROM staff_user_areas AS a "
    "WHERE a.user_id = u.id) AS areas_json FROM staff_users AS u"
)
_USER_BY_ID = f"{_USER_SELECT} WHERE u.id = ?"
_CORRECTION_SELECT = (
    "SELECT c.*, f.reference, f.redacted_text, f.created_at AS feedback_created_at "
    "FROM corrections AS c "
    "JOIN feedback AS f ON f.id = c.feedback_id"
)


def _clean_areas(areas: Iterable[str]) -> list[str]:
    if isinstance(areas, str):
        raise TypeError("areas must be a collection of area codes, not one string")
    return sorted({a.strip() for a in areas if a.strip()})


def _user(db: sqlite3.Connection, user_id: int) -> StaffUser:
    row = first(db, _USER_BY_ID, (user_id,))
    if row is None:
        raise NotFoundError(f"staff user {user_id} not found")
    return codec.staff_user(row)


def _set_areas(db: sqlite3.Connection, user_id: int, areas: list[str]) -> None:
    db.execute("DELETE FROM staff_user_areas WHERE user_id = ?", (user_id,))
    db.executemany(
        "INSERT INTO staff_user_areas (user_id, area) VALUES (?, ?)",
        [(user_id, area) for area in areas],
    )


def _revoke_tokens(db: sqlite3.Connection, user_id: int, at: str) -> list[int]:
    found = rows(
        db,
        "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL "
        "RETURNING id",
        (at, user_id),
    )
    return sorted(int(row["id"]) for row in found)


def _other_active_admins(db: sqlite3.Connection, user_id: int) -> int:
    row = first(
        db,
        "SELECT COUNT(*) AS n FROM staff_users WHERE role = 'admin' AND active = 1 AND id != ?",
        (user_id,),
    )
    return 0 if row is None else int(row["n"])


class StaffMixin(AccessMixin):
    """Staff, token and correction rows of ``SQLiteStore`` (and, inherited, access rows)."""

    # -- users -------------------------------------------------------------------------

    async def create_user(
        self,
        email: str,
        role: StaffRole,
        areas: Iterable[str] = (),
        password_hash: str | None = None,
        *,
        actor: str = "system",
    ) -> StaffUser:
        """Create a dashboard account; a duplicate e-mail raises ``ConflictError``."""
        user_role, area_list, address, now = (
            StaffRole(role),
            _clean_areas(areas),
            email.strip(),
            self._ts(),
        )
        if "@" not in address:
            raise ValueError("email must be an e-mail address")

        def work(db: sqlite3.Connection) -> StaffUser:
            try:
                row = returning(
                    db,
                    "INSERT INTO staff_users (email, role, password_hash, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?) RETURNING id",
                    (address, user_role, password_hash, now, now),
                )
            except sqlite3.IntegrityError as exc:
                raise ConflictError("a user with this e-mail already exists") from exc
            user_id = int(row["id"])
            _set_areas(db, user_id, area_list)
            after = {"email": address, "role": user_role, "areas": area_list}
            self._audit(db, actor, "create", "staff_user", user_id, after=after, at=now)
            return _user(db, user_id)

        return await self._write(work)

    async def get_user(self, user_id: int) -> StaffUser | None:
        """Return the user with this id, or None."""
        row = await self._read(lambda db: first(db, _USER_BY_ID, (user_id,)))
        return None if row is None else codec.staff_user(row)

    async def get_user_by_email(self, email: str) -> StaffUser | None:
        """Return the user with this e-mail (case-insensitive), or None."""
        sql = f"{_USER_SELECT} WHERE u.email = ?"
        row = await self._read(lambda db: first(db, sql, (email.strip(),)))
        return None if row is None else codec.staff_user(row)

    async def list_users(
        self, *, area: str | None = None, include_inactive: bool = False
    ) -> list[StaffUser]:
        """Return users, those covering ``area`` if given (admins cover every area)."""
        where = Where()
        if not include_inactive:
            where.add("u.active = 1")
        if area is not None:
            where.add(
                "(u.role = 'admin' OR EXISTS (SELECT 1 FROM staff_user_areas AS a "
                "WHERE a.user_id = u.id AND a.area = ?))",
                area,
            )
        sql = f"{_USER_SELECT}{where.sql} ORDER BY u.email"
        found = await self._read(lambda db: rows(db, sql, where.params))
        return [codec.staff_user(row) for row in found]

    async def update_user(
        self,
        user_id: int,
        *,
        actor: str,
        role: StaffRole | None = None,
        areas: Iterable[str] | None = None,
        active: bool | None = None,
    ) -> StaffUser:
        """Change a user's role, areas or active flag (None leaves a field as it is).

        Deactivation also ends the user's sessions and revokes their API tokens; a change
        that would leave no active admin raises ``ConflictError``.
        """
        new_role = None if role is None else StaffRole(role)
        area_list = None if areas is None else _clean_areas(areas)
        now = self._ts()

        def work(db: sqlite3.Connection) -> StaffUser:
            user = _user(db, user_id)
            wanted: dict[str, Any] = {
                "role": user.role if new_role is None else new_role,
                "active": user.active if active is None else bool(active),
                "areas": list(user.areas) if area_list is None else area_list,
            }
            current: dict[str, Any] = {
                "role": user.role,
                "active": user.active,
                "areas": list(user.areas),
            }
            before = {k: v for k, v in current.items() if wanted[k] != v}
            if not before:
                return user
            was_admin = user.active and user.role is StaffRole.ADMIN
            stays_admin = wanted["active"] and wanted["role"] is StaffRole.ADMIN
            if was_admin and not stays_admin and _other_active_admins(db, user_id) == 0:
                raise ConflictError(
                    f"{user.email} is the last active admin; make another user an admin first")
            after = {k: wanted[k] for k in before}
            db.execute(
                "UPDATE staff_users SET role = ?, active = ?, updated_at = ? WHERE id = ?",
                (wanted["role"], int(wanted["active"]), now, user_id),
            )
            if "areas" in after:
                _set_areas(db, user_id, after["areas"])
            if user.active and not wanted["active"]:
                after["sessions_ended"] = revoke_user_sessions(db, user_id, now, "deactivated")
                after["tokens_revoked"] = _revoke_tokens(db, user_id, now)
            self._audit(db, actor, "update", "staff_user", user_id, before, after, at=now)
            return _user(db, user_id)

        return await self._write(work)

    async def set_user_password(self, user_id: int, password_hash: str, *, actor: str) -> int:
        """Replace a user's password hash and end all their sessions; return how many ended.

        The audit entry does not hold the hash.
        """
        now = self._ts()

        def work(db: sqlite3.Connection) -> int:
            row = first(
                db,
                "UPDATE staff_users SET password_hash = ?, updated_at = ? WHERE id = ? "
                "RETURNING id",
                (password_hash, now, user_id),
            )
            if row is None:
                raise NotFoundError(f"staff user {user_id} not found")
            ended = revoke_user_sessions(db, user_id, now, "password changed")
            after = {"password": "changed", "sessions_ended": ended}
            self._audit(db, actor, "set_password", "staff_user", user_id, after=after, at=now)
            return ended

        return await self._write(work)

    # -- API tokens --------------------------------------------------------------------

    async def create_api_token(
        self, user_id: int, token_hash: str, label: str = "", *, actor: str = "system"
    ) -> ApiToken:
        """Store a token's hash for ``user_id``; the token itself is never stored."""
        now = self._ts()

        def work(db: sqlite3.Connection) -> ApiToken:
            _user(db, user_id)
            try:
                row = returning(
                    db,
                    "INSERT INTO api_tokens (user_id, token_hash, label, created_at) "
                    "VALUES (?, ?, ?, ?) RETURNING *",
                    (user_id, token_hash, label, now),
                )
            except sqlite3.IntegrityError as exc:
                raise ConflictError("this token hash is already stored") from exc
            after = {"user_id": user_id, "label": label}
            self._audit(db, actor, "create", "api_token", row["id"], after=after, at=now)
            return codec.api_token(row)

        return await self._write(work)

    async def get_user_by_token_hash(self, token_hash: str) -> StaffUser | None:
        """Return the active user owning this unrevoked token hash, or None."""
        sql = (
            f"{_USER_SELECT} JOIN api_tokens AS t ON t.user_id = u.id "
            "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.active = 1"
        )
        row = await self._read(lambda db: first(db, sql, (token_hash,)))
        return None if row is None else codec.staff_user(row)

    async def list_api_tokens(self, user_id: int | None = None) -> list[ApiToken]:
        """Return a user's tokens (everyone's with None), revoked ones included, by id."""
        where = Where()
        if user_id is not None:
            where.add("user_id = ?", user_id)
        sql = f"SELECT * FROM api_tokens{where.sql} ORDER BY id"  # noqa: S608
        found = await self._read(lambda db: rows(db, sql, where.params))
        return [codec.api_token(row) for row in found]

    async def get_api_token(self, token_id: int) -> ApiToken | None:
        """Return the token with this id (revoked or not), or None."""
        row = await self._read(
            lambda db: first(db, "SELECT * FROM api_tokens WHERE id = ?", (token_id,))
        )
        return None if row is None else codec.api_token(row)

    async def revoke_token(self, token_id: int, *, actor: str = "system") -> bool:
        """Revoke a token; return False if it does not exist or was already revoked."""
        now = self._ts()

        def work(db: sqlite3.Connection) -> bool:
            row = first(
                db,
                "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL "
                "RETURNING id",
                (now, token_id),
            )
            if row is None:
                return False
            before, after = {"revoked": False}, {"revoked": True}
            self._audit(db, actor, "revoke", "api_token", token_id, before, after, at=now)
            return True

        return await self._write(work)

    # -- corrections -------------------------------------------------------------------

    async def add_correction(
        self,
        feedback_id: int,
        field: CorrectionField,
        value: str,
        previous_value: str | None,
        actor: str,
        created_at: datetime | None = None,
    ) -> Correction:
        """Record a label staff gave an item, whether it changed the value or confirmed it."""
        label, now, created = CorrectionField(field), self._ts(), self._ts(created_at)

        def work(db: sqlite3.Connection) -> Correction:
            try:
                row = returning(
                    db,
                    "INSERT INTO corrections (feedback_id, field, value, previous_value, actor, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                    (feedback_id, label, value, previous_value, actor, created),
                )
            except sqlite3.IntegrityError as exc:  # the foreign key: no such item
                raise NotFoundError(f"feedback {feedback_id} not found") from exc
            before, after = {label.value: previous_value}, {label.value: value}
            self._audit(db, actor, "label", "feedback", feedback_id, before, after, at=now)
            sql = f"{_CORRECTION_SELECT} WHERE c.id = ?"
            return codec.correction(returning(db, sql, (row["id"],)))

        return await self._write(work)

    async def list_corrections(
        self, since: datetime | None = None, *, include_erased: bool = False
    ) -> list[Correction]:
        """Return labels (oldest first) with each item's redacted text, for training."""
        where = Where()
        if since is not None:
            where.add("c.created_at >= ?", codec.ts(since))
        if not include_erased:
            where.add("f.erased_at IS NULL")
        sql = f"{_CORRECTION_SELECT}{where.sql} ORDER BY c.created_at, c.id"
        found = await self._read(lambda db: rows(db, sql, where.params))
        return [codec.correction(row) for row in found]
