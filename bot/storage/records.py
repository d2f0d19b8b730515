"""Frozen row types returned by every ``FeedbackStore`` and the status vocabularies.

Records are plain values: a store builds them from its rows and nothing writes through them.
Every timestamp is a timezone-aware UTC ``datetime``. Fields holding a citizen's words or
address are left out of ``repr()``, so a record that reaches a log line does not leak them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

ERASED_TEXT = "[erased]"
"""What replaces a citizen's words once they ask to be forgotten."""


class FeedbackStatus(StrEnum):
    """Where a feedback item stands; Open311 maps these to open/closed."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"

    @property
    def is_open(self) -> bool:
        """Return True while staff still have work to do on the item."""
        return self in (
            FeedbackStatus.NEW,
            FeedbackStatus.ACKNOWLEDGED,
            FeedbackStatus.IN_PROGRESS,
        )


OPEN_STATUSES: tuple[FeedbackStatus, ...] = tuple(s for s in FeedbackStatus if s.is_open)
"""The statuses in which staff still have work to do (Open311 ``open``)."""


class OutboundStatus(StrEnum):
    """Life of a message to a citizen (the names follow Twilio's status callbacks)."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    UNDELIVERED = "undelivered"


class InboundState(StrEnum):
    """Processing state of a stored inbound message (``received`` means not yet handled)."""

    RECEIVED = "received"
    HANDLED = "handled"
    FAILED = "failed"


class StaffRole(StrEnum):
    """What a dashboard account may do: staff see their areas, admins see everything."""

    STAFF = "staff"
    ADMIN = "admin"


class AttachmentKind(StrEnum):
    """What a citizen attached to a report after the first text."""

    PHOTO = "photo"
    LOCATION = "location"
    MEDIA_URL = "media_url"


class CorrectionField(StrEnum):
    """The triage outputs staff can label, and training learns from."""

    AREA = "area"
    KIND = "kind"


@dataclass(frozen=True, slots=True)
class Citizen:
    """One sender on one channel, known by a keyed pseudonym of their address.

    ``address_encrypted`` is kept only where replies need the real address; ``consent`` is
    None until the citizen has answered. A forgotten citizen keeps the row (so counts stay
    right) but loses ``address_hash``, ``address_encrypted`` and ``language``.
    """

    id: int
    channel: str
    address_hash: str | None = field(repr=False)
    address_encrypted: str | None = field(repr=False)
    language: str | None
    consent: bool | None
    consent_at: datetime | None
    opted_out: bool
    opted_out_at: datetime | None
    created_at: datetime
    updated_at: datetime
    forgotten_at: datetime | None = None

    @property
    def forgotten(self) -> bool:
        """Return True once the citizen's identity has been erased."""
        return self.forgotten_at is not None


@dataclass(frozen=True, slots=True)
class InboundRecord:
    """A message as received from a channel, stored before anything else happens.

    ``(channel, channel_message_id)`` is unique: Telegram's ``update_id`` or Twilio's
    ``MessageSid``, so a redelivered webhook finds the row it already wrote.
    """

    id: int
    channel: str
    channel_message_id: str
    citizen_id: int | None
    text: str | None = field(repr=False)
    payload_json: str | None = field(repr=False)
    received_at: datetime
    state: InboundState
    handled_at: datetime | None = None
    feedback_id: int | None = None
    outcome_json: str | None = None
    reply_text: str | None = field(default=None, repr=False)
    error: str | None = None


@dataclass(frozen=True, slots=True)
class OutboundRecord:
    """A message to a citizen, queued until a sender claims it.

    ``next_attempt_at`` is when a queued message becomes due; while the message is
    ``sending`` it is the end of the sender's lease, after which another sender may retry.
    """

    id: int
    citizen_id: int | None
    channel: str
    text: str = field(repr=False)
    kind: str
    feedback_id: int | None
    status: OutboundStatus
    attempts: int
    next_attempt_at: datetime
    provider_message_id: str | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None = None
    delivered_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class FeedbackItem:
    """One report or idea, with what triage decided and what staff changed since.

    ``original_text`` may hold personal data and is shown only to staff who may see the
    item; ``redacted_text`` is what training, digests and exports use. ``top_areas`` holds
    ``(area, probability)`` pairs, best first.
    """

    id: int
    reference: str
    citizen_id: int | None
    inbound_id: int | None
    channel: str
    language: str | None
    original_text: str = field(repr=False)
    redacted_text: str = field(repr=False)
    area: str
    area_confidence: float
    top_areas: tuple[tuple[str, float], ...]
    kind: str
    kind_confidence: float | None
    innovation: float
    urgent: bool
    needs_review: bool
    model_version: str | None
    status: FeedbackStatus
    latitude: float | None
    longitude: float | None
    location_text: str | None
    duplicate_of: int | None
    duplicate_of_reference: str | None
    created_at: datetime
    updated_at: datetime
    erased_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A photo id, a location or a media URL a citizen added to a feedback item."""

    id: int
    feedback_id: int
    kind: AttachmentKind
    value: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StaffUser:
    """A dashboard account; ``areas`` limits what a ``staff`` user sees (admins see all)."""

    id: int
    email: str
    role: StaffRole
    areas: tuple[str, ...]
    password_hash: str | None
    active: bool
    created_at: datetime
    updated_at: datetime

    def may_see_area(self, area: str) -> bool:
        """Return True if this user may see items in ``area``."""
        return self.role is StaffRole.ADMIN or area in self.areas


@dataclass(frozen=True, slots=True)
class ApiToken:
    """An API token, kept only as its SHA-256 hash."""

    id: int
    user_id: int
    token_hash: str
    label: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        """Return True once the token no longer authenticates."""
        return self.revoked_at is not None


@dataclass(frozen=True, slots=True)
class Correction:
    """A label staff gave a feedback item (changed or confirmed), joined with its text.

    ``redacted_text`` is the item's current redacted text, so a list of corrections is a
    ready training set; ``feedback_created_at`` is when the item was filed.
    """

    id: int
    feedback_id: int
    feedback_reference: str
    field: CorrectionField
    value: str
    previous_value: str | None
    actor: str
    created_at: datetime
    redacted_text: str
    feedback_created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One change: who (``actor``), what (``action`` on ``entity``/``entity_id``), when,
    and the changed fields before and after. Never holds citizens' words or addresses."""

    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: Mapping[str, Any] | None = field(default=None, hash=False)
    after: Mapping[str, Any] | None = field(default=None, hash=False)


@dataclass(frozen=True, slots=True)
class ForgetResult:
    """What ``forget_citizen`` erased, as counts (the audit log keeps the same numbers)."""

    citizen_id: int
    inbound_erased: int
    outbound_erased: int
    feedback_anonymised: int
    attachments_deleted: int
