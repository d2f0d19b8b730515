"""SQL pieces for feedback items: the filter builder and the checks on values staff change."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from bot.security import normalise_reference
from bot.storage import _codec as codec
from bot.storage._sqlite_core import Where, first
from bot.storage.areas import check_area_code
from bot.storage.base import UPDATABLE_FEEDBACK_FIELDS, StatusFilter, TextFilter
from bot.storage.errors import NotFoundError
from bot.storage.records import FeedbackItem, FeedbackStatus

SELECT = (
    "SELECT f.*, d.reference AS duplicate_of_reference FROM feedback AS f "
    "LEFT JOIN feedback AS d ON d.id = f.duplicate_of"
)
# The only columns a caller may group by, and the SQL each names.
GROUP_COLUMNS: Mapping[str, str] = {"area": "f.area", "status": "f.status", "kind": "f.kind"}
# update_feedback's keys and the column each writes: the only names that reach its SQL.
UPDATE_COLUMNS: Mapping[str, str] = {name: name for name in sorted(UPDATABLE_FEEDBACK_FIELDS)}
# The columns create_feedback writes, in order.
INSERT_COLUMNS = (
    "reference", "citizen_id", "inbound_id", "channel", "language", "original_text",
    "redacted_text", "area", "area_confidence", "top_areas_json", "kind", "kind_confidence",
    "innovation", "urgent", "needs_review", "model_version", "status", "latitude", "longitude",
    "location_text", "duplicate_of", "created_at", "updated_at",
)  # fmt: skip
INSERT_SQL = (
    f"INSERT INTO feedback ({', '.join(INSERT_COLUMNS)}) "  # noqa: S608 - constant names
    f"VALUES ({', '.join('?' * len(INSERT_COLUMNS))}) RETURNING id"
)


def feedback_by(db: sqlite3.Connection, column: str, key: Any) -> FeedbackItem:
    """Return the item whose ``column`` (``"id"`` or ``"reference"``) is ``key``."""
    clause = {"id": "f.id = ?", "reference": "f.reference = ?"}[column]
    row = first(db, f"{SELECT} WHERE {clause}", (key,))
    if row is None:
        raise NotFoundError(f"feedback {key} not found")
    return codec.feedback(row)


def _as_list(value: str | Iterable[str]) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value]


def feedback_where(
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
) -> Where:
    """Build the WHERE clause ``list_feedback`` and ``count_feedback`` share."""
    where = Where()
    if areas is not None:
        where.add_in("f.area", _as_list(areas))
    if status is not None:
        where.add_in("f.status", [FeedbackStatus(s) for s in _as_list(status)])
    if kind is not None:
        where.add_in("f.kind", _as_list(kind))
    if urgent is not None:
        where.add("f.urgent = ?", int(urgent))
    if needs_review is not None:
        where.add("f.needs_review = ?", int(needs_review))
    if since is not None:
        where.add("f.created_at >= ?", codec.ts(since))
    if until is not None:
        where.add("f.created_at < ?", codec.ts(until))
    if citizen_id is not None:
        where.add("f.citizen_id = ?", citizen_id)
    if search is not None and search.strip():
        needle = search.strip()
        where.add(
            "(instr(cv_fold(f.redacted_text), ?) > 0 OR f.reference = ?)",
            needle.casefold(),
            normalise_reference(needle),
        )
    return where


def probability(name: str, value: float) -> float:
    """Return ``value`` as a float in [0, 1], or raise ``ValueError``."""
    number = float(value)
    if math.isnan(number) or not 0.0 <= number <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1")
    return number


def clean_change(db: sqlite3.Connection, item: FeedbackItem, key: str, value: Any) -> Any:
    """Validate one ``update_feedback`` value and return it as the record holds it."""
    if key == "status":
        return FeedbackStatus(value)
    if key in ("urgent", "needs_review"):
        if not isinstance(value, bool):
            raise ValueError(f"{key} must be true or false")
        return value
    if key == "area":
        return active_area(db, value)
    if key == "kind":
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{key} must be a non-empty string")
        return value.strip()
    if key in ("latitude", "longitude"):
        if value is None:
            return None
        number, bound = float(value), 90 if key == "latitude" else 180
        if not math.isfinite(number) or abs(number) > bound:
            raise ValueError(f"{key} must be finite and within ±{bound}")
        return number
    if key == "duplicate_of":
        return _duplicate_target(db, item, value)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{key} must be a string or null")
    return value


def active_area(db: sqlite3.Connection, value: Any) -> str:
    """Return ``value`` if it is the code of an active area in the area table."""
    if not isinstance(value, str):
        raise ValueError("area must be an area code")
    code = check_area_code(value.strip())
    row = db.execute("SELECT active FROM service_areas WHERE code = ?", (code,)).fetchone()
    if row is None or not row[0]:
        raise ValueError(f"{code!r} is not an active service area")
    return code


def _duplicate_target(db: sqlite3.Connection, item: FeedbackItem, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("duplicate_of must be an item id or reference")
    try:
        if isinstance(value, int):
            target = feedback_by(db, "id", value)
        else:
            target = feedback_by(db, "reference", normalise_reference(value))
    except NotFoundError:
        raise ValueError(f"duplicate_of names no feedback item: {value}") from None
    if target.id == item.id:
        raise ValueError("an item cannot duplicate itself")
    return target.id


def db_value(value: Any) -> Any:
    """Return ``value`` as SQLite stores it (booleans as 0/1)."""
    return int(value) if isinstance(value, bool) else value
