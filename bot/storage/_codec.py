"""Conversions between Python values and the TEXT/INTEGER columns SQLite stores."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.storage.records import (
    ApiToken,
    Attachment,
    AttachmentKind,
    AuditEntry,
    Citizen,
    Correction,
    CorrectionField,
    FeedbackItem,
    FeedbackStatus,
    InboundRecord,
    InboundState,
    OutboundRecord,
    OutboundStatus,
    StaffRole,
    StaffUser,
)

_TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def ts(value: datetime) -> str:
    """Return ``value`` as fixed-width ISO-8601 UTC text, so text order is time order."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError("timestamps must be timezone-aware")
    return value.astimezone(UTC).strftime(_TS_FORMAT)


def ts_or_none(value: datetime | None) -> str | None:
    """Return ``ts(value)``, or None for None."""
    return None if value is None else ts(value)


def parse_ts(value: str) -> datetime:
    """Return the aware UTC ``datetime`` stored as ``value``."""
    return datetime.fromisoformat(value).astimezone(UTC)


def parse_ts_or_none(value: str | None) -> datetime | None:
    """Return ``parse_ts(value)``, or None for NULL."""
    return None if value is None else parse_ts(value)


def to_json(value: Mapping[str, Any] | None) -> str | None:
    """Return ``value`` as compact, key-sorted JSON (dates and enums as text)."""
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def from_json(value: str | None) -> dict[str, Any] | None:
    """Return the object stored as JSON text, or None for NULL."""
    return None if value is None else dict(json.loads(value))


def _opt_bool(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def citizen(row: sqlite3.Row) -> Citizen:
    """Build a ``Citizen`` from a ``citizens`` row."""
    return Citizen(
        id=row["id"],
        channel=row["channel"],
        address_hash=row["address_hash"],
        address_encrypted=row["address_encrypted"],
        language=row["language"],
        consent=_opt_bool(row["consent"]),
        consent_at=parse_ts_or_none(row["consent_at"]),
        opted_out=bool(row["opted_out"]),
        opted_out_at=parse_ts_or_none(row["opted_out_at"]),
        created_at=parse_ts(row["created_at"]),
        updated_at=parse_ts(row["updated_at"]),
        forgotten_at=parse_ts_or_none(row["forgotten_at"]),
    )


def inbound(row: sqlite3.Row) -> InboundRecord:
    """Build an ``InboundRecord`` from an ``inbound_messages`` row."""
    return InboundRecord(
        id=row["id"],
        channel=row["channel"],
        channel_message_id=row["channel_message_id"],
        citizen_id=row["citizen_id"],
        text=row["text"],
        payload_json=row["payload_json"],
        received_at=parse_ts(row["received_at"]),
        state=InboundState(row["state"]),
        handled_at=parse_ts_or_none(row["handled_at"]),
        feedback_id=row["feedback_id"],
        outcome_json=row["outcome_json"],
        reply_text=row["reply_text"],
        error=row["error"],
    )


def outbound(row: sqlite3.Row) -> OutboundRecord:
    """Build an ``OutboundRecord`` from an ``outbound_messages`` row."""
    return OutboundRecord(
        id=row["id"],
        citizen_id=row["citizen_id"],
        channel=row["channel"],
        text=row["text"],
        kind=row["kind"],
        feedback_id=row["feedback_id"],
        status=OutboundStatus(row["status"]),
        attempts=row["attempts"],
        next_attempt_at=parse_ts(row["next_attempt_at"]),
        provider_message_id=row["provider_message_id"],
        last_error=row["last_error"],
        created_at=parse_ts(row["created_at"]),
        updated_at=parse_ts(row["updated_at"]),
        sent_at=parse_ts_or_none(row["sent_at"]),
        delivered_at=parse_ts_or_none(row["delivered_at"]),
    )


def feedback(row: sqlite3.Row) -> FeedbackItem:
    """Build a ``FeedbackItem`` from a ``feedback`` row joined with its duplicate's reference."""
    top_areas = tuple((str(area), float(p)) for area, p in json.loads(row["top_areas_json"]))
    return FeedbackItem(
        id=row["id"],
        reference=row["reference"],
        citizen_id=row["citizen_id"],
        inbound_id=row["inbound_id"],
        channel=row["channel"],
        language=row["language"],
        original_text=row["original_text"],
        redacted_text=row["redacted_text"],
        area=row["area"],
        area_confidence=row["area_confidence"],
        top_areas=top_areas,
        kind=row["kind"],
        kind_confidence=row["kind_confidence"],
        innovation=row["innovation"],
        urgent=bool(row["urgent"]),
        needs_review=bool(row["needs_review"]),
        model_version=row["model_version"],
        status=FeedbackStatus(row["status"]),
        latitude=row["latitude"],
        longitude=row["longitude"],
        location_text=row["location_text"],
        duplicate_of=row["duplicate_of"],
        duplicate_of_reference=row["duplicate_of_reference"],
        created_at=parse_ts(row["created_at"]),
        updated_at=parse_ts(row["updated_at"]),
        erased_at=parse_ts_or_none(row["erased_at"]),
    )


def attachment(row: sqlite3.Row) -> Attachment:
    """Build an ``Attachment`` from an ``attachments`` row."""
    return Attachment(
        id=row["id"],
        feedback_id=row["feedback_id"],
        kind=AttachmentKind(row["kind"]),
        value=row["value"],
        created_at=parse_ts(row["created_at"]),
    )


def staff_user(row: sqlite3.Row) -> StaffUser:
    """Build a ``StaffUser`` from a ``staff_users`` row with an ``areas_json`` column."""
    return StaffUser(
        id=row["id"],
        email=row["email"],
        role=StaffRole(row["role"]),
        areas=tuple(sorted(json.loads(row["areas_json"]))),
        password_hash=row["password_hash"],
        active=bool(row["active"]),
        created_at=parse_ts(row["created_at"]),
        updated_at=parse_ts(row["updated_at"]),
    )


def api_token(row: sqlite3.Row) -> ApiToken:
    """Build an ``ApiToken`` from an ``api_tokens`` row."""
    return ApiToken(
        id=row["id"],
        user_id=row["user_id"],
        token_hash=row["token_hash"],
        label=row["label"],
        created_at=parse_ts(row["created_at"]),
        revoked_at=parse_ts_or_none(row["revoked_at"]),
    )


def correction(row: sqlite3.Row) -> Correction:
    """Build a ``Correction`` from a ``corrections`` row joined with its feedback."""
    return Correction(
        id=row["id"],
        feedback_id=row["feedback_id"],
        feedback_reference=row["reference"],
        field=CorrectionField(row["field"]),
        value=row["value"],
        previous_value=row["previous_value"],
        actor=row["actor"],
        created_at=parse_ts(row["created_at"]),
        redacted_text=row["redacted_text"],
        feedback_created_at=parse_ts(row["feedback_created_at"]),
    )


def audit_entry(row: sqlite3.Row) -> AuditEntry:
    """Build an ``AuditEntry`` from an ``audit_log`` row."""
    return AuditEntry(
        id=row["id"],
        at=parse_ts(row["at"]),
        actor=row["actor"],
        action=row["action"],
        entity=row["entity"],
        entity_id=row["entity_id"],
        before=from_json(row["before_json"]),
        after=from_json(row["after_json"]),
    )
