"""Staff access rows: dashboard sessions, failed sign-ins, Telegram link codes and groups.

Every check that decides access is one statement or one transaction: a session is usable
only if the same SELECT finds it unrevoked, unexpired and its user active; a link code is
redeemed by one ``UPDATE ... WHERE used_at IS NULL`` so two redeems cannot both win.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.storage import _codec as codec
from bot.storage._sqlite_core import SQLiteCore, Where, first, returning, rows
from bot.storage.access_records import SigninFailures, StaffSession, ThrottleKey, ThrottleScope

TOUCH_EVERY = timedelta(minutes=1)
"""``last_seen_at`` is written at most this often per session, not on every request."""
KEEP_ENDED_SESSIONS = timedelta(days=30)
"""Revoked or expired session rows are deleted this long after they ended."""

_USABLE = (
    "SELECT s.* FROM staff_sessions AS s JOIN staff_users AS u ON u.id = s.user_id "
    "WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND u.active = 1"
)


def _session(row: sqlite3.Row) -> StaffSession:
    return StaffSession(
        id=row["id"],
        user_id=row["user_id"],
        created_at=codec.parse_ts(row["created_at"]),
        last_seen_at=codec.parse_ts(row["last_seen_at"]),
        expires_at=codec.parse_ts(row["expires_at"]),
        revoked_at=codec.parse_ts_or_none(row["revoked_at"]),
        revoked_reason=row["revoked_reason"],
    )


def _failures(row: sqlite3.Row) -> SigninFailures:
    return SigninFailures(
        key=ThrottleKey(ThrottleScope(row["scope"]), row["key_hash"]),
        failures=int(row["failures"]),
        first_failure_at=codec.parse_ts(row["first_failure_at"]),
        last_failure_at=codec.parse_ts(row["last_failure_at"]),
    )


def revoke_user_sessions(
    db: sqlite3.Connection, user_id: int, at: str, reason: str, keep: int | None = None
) -> int:
    """Revoke every live session of ``user_id`` but ``keep``; run inside a transaction."""
    found = rows(
        db,
        "UPDATE staff_sessions SET revoked_at = ?, revoked_reason = ? "
        "WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? AND id IS NOT ? "
        "RETURNING id",
        (at, reason, user_id, at, keep),
    )
    return len(found)


class AccessMixin(SQLiteCore):
    """Session, sign-in failure and Telegram link rows of ``SQLiteStore``."""

    # -- dashboard sessions ------------------------------------------------------------

    async def create_staff_session(
        self, user_id: int, token_hash: str, expires_at: datetime, *, actor: str
    ) -> StaffSession:
        """Store a new session (by its id's hash) for ``user_id``, audited as a sign-in."""
        now, until = self._ts(), codec.ts(expires_at)
        forget = codec.ts(self._clock() - KEEP_ENDED_SESSIONS)

        def work(db: sqlite3.Connection) -> StaffSession:
            db.execute(
                "DELETE FROM staff_sessions WHERE expires_at < ? OR revoked_at < ?",
                (forget, forget),
            )
            row = returning(
                db,
                "INSERT INTO staff_sessions (user_id, token_hash, created_at, last_seen_at, "
                "expires_at) VALUES (?, ?, ?, ?, ?) RETURNING *",
                (user_id, token_hash, now, now, until),
            )
            after = {"session": row["id"], "expires_at": until}
            self._audit(db, actor, "sign_in", "staff_user", user_id, after=after, at=now)
            return _session(row)

        return await self._write(work)

    async def get_staff_session(self, token_hash: str) -> StaffSession | None:
        """Return the session with this hash if it is usable now, noting it was seen."""
        now = self._clock()
        at = codec.ts(now)
        row = await self._read(lambda db: first(db, _USABLE, (token_hash, at)))
        if row is None:
            return None
        found = _session(row)
        if now - found.last_seen_at >= TOUCH_EVERY:
            await self._write(lambda db: db.execute(
                "UPDATE staff_sessions SET last_seen_at = ? WHERE id = ?", (at, found.id)))
        return found

    async def list_staff_sessions(self, user_id: int | None = None) -> list[StaffSession]:
        """Return the live (unrevoked, unexpired) sessions, of one user or of everyone."""
        where = Where()
        where.add("revoked_at IS NULL AND expires_at > ?", self._ts())
        if user_id is not None:
            where.add("user_id = ?", user_id)
        sql = f"SELECT * FROM staff_sessions{where.sql} ORDER BY id"  # noqa: S608
        found = await self._read(lambda db: rows(db, sql, where.params))
        return [_session(row) for row in found]

    async def revoke_staff_session(self, session_id: int, *, actor: str, reason: str) -> bool:
        """End one session (a sign-out); return False if it was not live."""
        now = self._ts()

        def work(db: sqlite3.Connection) -> bool:
            row = first(
                db,
                "UPDATE staff_sessions SET revoked_at = ?, revoked_reason = ? "
                "WHERE id = ? AND revoked_at IS NULL RETURNING user_id",
                (now, reason, session_id),
            )
            if row is None:
                return False
            after = {"session": session_id, "reason": reason}
            self._audit(db, actor, "sign_out", "staff_user", row["user_id"], after=after, at=now)
            return True

        return await self._write(work)

    async def revoke_staff_sessions(
        self, user_id: int, *, actor: str, reason: str, keep: int | None = None
    ) -> int:
        """End every live session of ``user_id`` except ``keep``; return how many ended."""
        now = self._ts()

        def work(db: sqlite3.Connection) -> int:
            ended = revoke_user_sessions(db, user_id, now, reason, keep)
            if ended:
                after = {"sessions_ended": ended, "reason": reason}
                self._audit(db, actor, "end_sessions", "staff_user", user_id, after=after,
                            at=now)
            return ended

        return await self._write(work)

    # -- failed sign-ins ---------------------------------------------------------------

    async def signin_failures(
        self, keys: Iterable[ThrottleKey], *, since: datetime
    ) -> list[SigninFailures]:
        """Return the failure counts of ``keys`` whose last failure is at or after ``since``."""
        wanted = list(keys)
        after = codec.ts(since)

        def work(db: sqlite3.Connection) -> list[SigninFailures]:
            found = []
            for key in wanted:
                row = first(
                    db,
                    "SELECT * FROM signin_failures WHERE scope = ? AND key_hash = ? "
                    "AND last_failure_at >= ?",
                    (key.scope, key.key, after),
                )
                if row is not None:
                    found.append(_failures(row))
            return found

        return await self._read(work)

    async def add_signin_failure(
        self, keys: Iterable[ThrottleKey], *, forget_before: datetime,
        at: datetime | None = None,
    ) -> list[SigninFailures]:
        """Count one failed sign-in (at ``at``) against each key; return the new counts.

        A count whose last failure is before ``forget_before`` starts again at 1; rows that
        old are deleted.
        """
        wanted, now, forget = list(keys), self._ts(at), codec.ts(forget_before)

        def work(db: sqlite3.Connection) -> list[SigninFailures]:
            db.execute("DELETE FROM signin_failures WHERE last_failure_at < ?", (forget,))
            return [
                _failures(returning(
                    db,
                    "INSERT INTO signin_failures (scope, key_hash, failures, first_failure_at, "
                    "last_failure_at) VALUES (?, ?, 1, ?, ?) "
                    "ON CONFLICT (scope, key_hash) DO UPDATE SET "
                    "failures = failures + 1, last_failure_at = excluded.last_failure_at "
                    "RETURNING *",
                    (key.scope, key.key, now, now),
                ))
                for key in wanted
            ]

        return await self._write(work)

    async def clear_signin_failures(self, key: ThrottleKey) -> None:
        """Forget the failures counted against ``key`` (after a successful sign-in)."""
        await self._write(lambda db: db.execute(
            "DELETE FROM signin_failures WHERE scope = ? AND key_hash = ?",
            (key.scope, key.key)))

    # -- Telegram staff groups ---------------------------------------------------------

    async def create_link_code(
        self, code_hash: str, areas: Iterable[str], expires_at: datetime, *, actor: str
    ) -> None:
        """Store a one-time group link code (by its hash) for ``areas``, audited."""
        codes, now, until = sorted(set(areas)), self._ts(), codec.ts(expires_at)

        def work(db: sqlite3.Connection) -> None:
            row = returning(
                db,
                "INSERT INTO telegram_link_codes (code_hash, areas_json, created_at, "
                "expires_at) VALUES (?, ?, ?, ?) RETURNING id",
                (code_hash, json.dumps(codes), now, until),
            )
            after = {"areas": codes, "expires_at": until}
            self._audit(db, actor, "create", "telegram_link_code", row["id"], after=after,
                        at=now)

        await self._write(work)

    async def redeem_link_code(
        self, code_hash: str, chat_id: int, *, actor: str
    ) -> list[str] | None:
        """Use a code once: link ``chat_id`` to its areas and return all the group's areas.

        None if the code is unknown, expired or already used. Marking the code used and
        linking the group happen in one transaction behind one guarded UPDATE, so of two
        concurrent redeems exactly one wins.
        """
        now = self._ts()

        def work(db: sqlite3.Connection) -> list[str] | None:
            row = first(
                db,
                "UPDATE telegram_link_codes SET used_at = ?, used_by = ? "
                "WHERE code_hash = ? AND used_at IS NULL AND expires_at > ? "
                "RETURNING id, areas_json",
                (now, chat_id, code_hash, now),
            )
            if row is None:
                return None
            areas = [str(a) for a in json.loads(row["areas_json"])]
            before = _group_areas(db, chat_id)
            db.executemany(
                "INSERT OR IGNORE INTO telegram_group_areas (chat_id, area, linked_at) "
                "VALUES (?, ?, ?)",
                [(chat_id, area, now) for area in areas],
            )
            after = _group_areas(db, chat_id)
            self._audit(db, actor, "link", "telegram_group", chat_id, {"areas": before},
                        {"areas": after, "code": row["id"]}, at=now)
            return after

        return await self._write(work)

    async def telegram_group_areas(self, chat_id: int) -> list[str]:
        """Return the areas a linked group receives (empty if it is not linked)."""
        return await self._read(lambda db: _group_areas(db, chat_id))

    async def list_telegram_groups(self) -> dict[int, list[str]]:
        """Return every linked group chat id with its areas."""
        found = await self._read(lambda db: rows(
            db, "SELECT chat_id, area FROM telegram_group_areas ORDER BY chat_id, area"))
        groups: dict[int, list[str]] = {}
        for row in found:
            groups.setdefault(int(row["chat_id"]), []).append(str(row["area"]))
        return groups


def _group_areas(db: sqlite3.Connection, chat_id: int) -> list[str]:
    found = rows(db, "SELECT area FROM telegram_group_areas WHERE chat_id = ? ORDER BY area",
                 (chat_id,))
    return [str(row["area"]) for row in found]
