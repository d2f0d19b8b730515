"""Service areas: the taxonomy, added to at start-up from the model, edited by admins."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

from bot.storage import _codec as codec
from bot.storage._sqlite_core import SQLiteCore, first, rows
from bot.storage.areas import AREA_FIELDS, ServiceArea, check_area_code
from bot.storage.errors import ConflictError, NotFoundError

_COLUMN = {"group": "area_group", "keywords": "keywords_json"}
_SECRET_FIELDS = frozenset({"open311_api_key_encrypted"})


def _area(row: sqlite3.Row) -> ServiceArea:
    return ServiceArea(
        code=row["code"], label=row["label"], description=row["description"],
        group=row["area_group"], keywords=tuple(json.loads(row["keywords_json"])),
        active=bool(row["active"]), moved_to=row["moved_to"],
        requires_confirmation=bool(row["requires_confirmation"]),
        open311_endpoint=row["open311_endpoint"],
        open311_service_code=row["open311_service_code"],
        open311_api_key_encrypted=row["open311_api_key_encrypted"],
        open311_jurisdiction_id=row["open311_jurisdiction_id"],
        created_at=codec.parse_ts(row["created_at"]),
        updated_at=codec.parse_ts(row["updated_at"]),
        retired_at=codec.parse_ts_or_none(row["retired_at"]),
    )


def _get(db: sqlite3.Connection, code: str) -> ServiceArea:
    row = first(db, "SELECT * FROM service_areas WHERE code = ?", (code,))
    if row is None:
        raise NotFoundError(f"service area {code!r} not found")
    return _area(row)


def _db_value(name: str, value: Any) -> Any:
    if name == "keywords":
        return json.dumps(sorted({str(k).strip() for k in value if str(k).strip()}))
    if name == "requires_confirmation":
        return int(bool(value))
    if name == "label":
        label = str(value).strip()
        if not label:
            raise ValueError("an area needs a label")
        return label
    if isinstance(value, str):
        return value.strip() or (None if name.startswith("open311") else "")
    return value


def _audit_view(changes: Mapping[str, Any]) -> dict[str, Any]:
    return {k: ("[set]" if v else None) if k in _SECRET_FIELDS else v
            for k, v in changes.items()}


class AreaMixin(SQLiteCore):
    """``service_areas`` rows of ``SQLiteStore``."""

    async def list_areas(self, include_retired: bool = False) -> list[ServiceArea]:
        """Return the areas (active ones only unless ``include_retired``), by code."""
        sql = "SELECT * FROM service_areas"
        if not include_retired:
            sql += " WHERE active = 1"
        found = await self._read(lambda db: rows(db, sql + " ORDER BY code"))
        return [_area(row) for row in found]

    async def get_area(self, code: str) -> ServiceArea | None:
        """Return the area with this code (active or retired), or None."""
        row = await self._read(
            lambda db: first(db, "SELECT * FROM service_areas WHERE code = ?", (code,)))
        return None if row is None else _area(row)

    async def ensure_areas(self, labels: Mapping[str, str], *, actor: str = "system"
                           ) -> list[str]:
        """Add each ``code -> label`` not yet known (a retired area stays retired).

        Returns the codes added. Start-up calls this with the current model's areas.
        """
        now = self._ts()
        wanted = {check_area_code(code): label for code, label in labels.items()}
        # the service calls this every few seconds: take the write lock only when needed
        known = await self._read(lambda db: {r["code"] for r in rows(
            db, "SELECT code FROM service_areas")})
        if not set(wanted) - known:
            return []

        def work(db: sqlite3.Connection) -> list[str]:
            known = {r["code"] for r in rows(db, "SELECT code FROM service_areas")}
            added = sorted(set(wanted) - known)
            for code in added:
                db.execute(
                    "INSERT INTO service_areas (code, label, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?)", (code, wanted[code] or code, now, now))
                self._audit(db, actor, "create", "service_area", code,
                            after={"label": wanted[code]}, at=now)
            return added

        return await self._write(work)

    async def add_area(self, code: str, label: str, *, actor: str, description: str = "",
                       group: str = "", keywords: Iterable[str] = ()) -> ServiceArea:
        """Add a new area; an existing code (even retired) raises ``ConflictError``."""
        check_area_code(code)
        values = {"label": label, "description": description, "group": group,
                  "keywords": list(keywords)}
        params = {k: _db_value(k, v) for k, v in values.items()}
        now = self._ts()

        def work(db: sqlite3.Connection) -> ServiceArea:
            try:
                db.execute(
                    "INSERT INTO service_areas (code, label, description, area_group,"
                    " keywords_json, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (code, params["label"], params["description"], params["group"],
                     params["keywords"], now, now))
            except sqlite3.IntegrityError as exc:
                raise ConflictError(f"service area {code!r} already exists") from exc
            self._audit(db, actor, "create", "service_area", code, after=values, at=now)
            return _get(db, code)

        return await self._write(work)

    async def update_area(self, code: str, *, actor: str, **changes: Any) -> ServiceArea:
        """Change an area's label, description, group, keywords or Open311 settings."""
        unknown = set(changes) - AREA_FIELDS
        if unknown:
            raise ValueError(f"cannot change {', '.join(sorted(unknown))} of an area")
        params = {k: _db_value(k, v) for k, v in changes.items()}
        now = self._ts()

        def work(db: sqlite3.Connection) -> ServiceArea:
            before = _get(db, code)
            if not params:
                return before
            # column names come from the constant AREA_FIELDS / _COLUMN, never from input
            assignments = ", ".join(f"{_COLUMN.get(k, k)} = ?" for k in params)
            db.execute(f"UPDATE service_areas SET {assignments}, updated_at = ? WHERE code = ?",  # noqa: S608
                       (*params.values(), now, code))
            old = {k: getattr(before, k) for k in changes}
            self._audit(db, actor, "update", "service_area", code,
                        before=_audit_view(old), after=_audit_view(changes), at=now)
            return _get(db, code)

        return await self._write(work)

    async def retire_area(self, code: str, move_to: str, *, actor: str) -> int:
        """Retire ``code``: its reports and staff move to ``move_to``; returns reports moved.

        The row stays (old audit entries name it); predictions of the retired area are
        routed to ``move_to`` until a retrained model no longer makes them.
        """
        if code == move_to:
            raise ValueError("an area cannot be moved to itself")
        now = self._ts()

        def work(db: sqlite3.Connection) -> int:
            area, target = _get(db, code), _get(db, move_to)
            if not area.active:
                raise ConflictError(f"service area {code!r} is already retired")
            if not target.active:
                raise ConflictError(f"service area {move_to!r} is retired")
            moved = rows(db, "SELECT id FROM feedback WHERE area = ?", (code,))
            db.execute("UPDATE feedback SET area = ?, updated_at = ? WHERE area = ?",
                       (move_to, now, code))
            for row in moved:
                self._audit(db, actor, "update", "feedback", row["id"], before={"area": code},
                            after={"area": move_to}, at=now)
            db.execute("INSERT OR IGNORE INTO staff_user_areas (user_id, area) "
                       "SELECT user_id, ? FROM staff_user_areas WHERE area = ?",
                       (move_to, code))
            db.execute("DELETE FROM staff_user_areas WHERE area = ?", (code,))
            db.execute("UPDATE service_areas SET active = 0, moved_to = ?, retired_at = ?, "
                       "updated_at = ? WHERE code = ?", (move_to, now, now, code))
            # an area retired earlier into this one now points at the new home too
            db.execute("UPDATE service_areas SET moved_to = ?, updated_at = ? "
                       "WHERE moved_to = ? AND active = 0", (move_to, now, code))
            self._audit(db, actor, "retire", "service_area", code,
                        before={"active": True},
                        after={"active": False, "moved_to": move_to,
                               "reports_moved": len(moved)}, at=now)
            return len(moved)

        return await self._write(work)
