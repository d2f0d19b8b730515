"""The values the conversation passes around: its settings, one turn, and what came of it."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.channels.base import InboundMessage, Media
from bot.storage import AttachmentKind, Citizen, FeedbackItem, InboundRecord
from handlers import catalogue

UNSUPPORTED = "unsupported"
"""``InboundMessage.extra`` key a channel sets for content it cannot pass on (a voice note,
a sticker, a contact): e.g. ``extra={"unsupported": "voice"}``."""
FILE_UNDER = "file_under"
"""``InboundMessage.extra`` key of a channel whose every message is one new report, filed
under the area code it holds (Open311 ``POST requests``): no keywords, follow-ups, flood
hold or length check apply (that channel checks its own limits). ``LOCATION_TEXT`` holds
the place in words, if the channel has one."""
LOCATION_TEXT = "location_text"


@dataclass(frozen=True, slots=True)
class ConversationConfig:
    """How the conversation behaves; built once from the settings.

    ``flood_max_reports`` of 0 turns flood control off. ``sms_channels`` are the channels
    whose messages must fit ``max_sms_segments``; staff text to other channels may be up to
    ``max_staff_text_chars``.
    """

    emergency_numbers: str = "911"
    max_message_chars: int = 2000
    flood_window_seconds: float = 60
    flood_max_reports: int = 3
    followup_window_seconds: float = 600
    forget_confirm_seconds: float = 600
    default_language: str = "en"
    fallback_area: str = "other"
    alert_timeout_seconds: float = 10.0
    sms_channels: frozenset[str] = frozenset({"sms"})
    max_sms_segments: int = 2
    max_staff_text_chars: int = 4000
    satisfaction_window_seconds: float = 7 * 24 * 3600

    def __post_init__(self) -> None:
        if not self.emergency_numbers.strip():
            raise ValueError("emergency_numbers must not be empty")
        if self.max_message_chars < 1:
            raise ValueError("max_message_chars must be at least 1")
        for name in ("flood_window_seconds", "followup_window_seconds",
                     "forget_confirm_seconds", "alert_timeout_seconds",
                     "satisfaction_window_seconds"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a number of seconds >= 0")
        if self.flood_max_reports < 0:
            raise ValueError("flood_max_reports must be >= 0 (0 turns flood control off)")

    @property
    def flood_window(self) -> timedelta:
        return timedelta(seconds=self.flood_window_seconds)

    @property
    def followup_window(self) -> timedelta:
        return timedelta(seconds=self.followup_window_seconds)

    @property
    def forget_window(self) -> timedelta:
        return timedelta(seconds=self.forget_confirm_seconds)

    @property
    def satisfaction_window(self) -> timedelta:
        """How long after "Is it fixed?" a bare 1/2/yes/no is taken as the answer."""
        return timedelta(seconds=self.satisfaction_window_seconds)


class Action(StrEnum):
    """What the conversation did with a message (``Outcome.action``)."""

    WELCOME = "welcome"
    HELP = "help"
    FILED = "filed"
    ATTACHED = "attached"
    FLOOD = "flood"
    STATUS = "status"
    MY = "my"
    FORGET_CONFIRM = "forget_confirm"
    FORGOTTEN = "forgotten"
    FORGET_CANCELLED = "forget_cancelled"
    STOPPED = "stopped"
    STARTED = "started"
    LANG_SET = "lang_set"
    LANG_UNKNOWN = "lang_unknown"
    TOO_LONG = "too_long"
    EMPTY = "empty"
    NOT_TEXT = "not_text"
    ERASED = "erased"  # the sender was forgotten before their message was handled
    SATISFIED = "satisfied"  # answered "yes, it is fixed"
    REOPENED = "reopened"  # answered "no, not fixed": the report is open again


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one inbound message; ``reply`` is None when nothing may be sent.

    ``reference``/``area``/``kind``/``urgent`` describe the report the message filed, added
    to or asked about. ``duplicate`` is True for a redelivered message, which changes
    nothing and repeats the first answer.
    """

    inbound_id: int
    reply: str | None
    reference: str | None
    area: str | None
    kind: str | None
    urgent: bool
    duplicate: bool
    action: str

    def to_json(self) -> dict[str, Any]:
        """Return what ``mark_inbound_handled`` keeps to answer a redelivery."""
        return {"action": self.action, "reference": self.reference, "area": self.area,
                "kind": self.kind, "urgent": self.urgent}

    @classmethod
    def from_record(cls, record: InboundRecord) -> Outcome:
        """Rebuild the outcome of a handled message from its stored row."""
        data: dict[str, Any] = json.loads(record.outcome_json) if record.outcome_json else {}
        return cls(
            inbound_id=record.id, reply=record.reply_text, reference=data.get("reference"),
            area=data.get("area"), kind=data.get("kind"), urgent=bool(data.get("urgent")),
            duplicate=True, action=str(data.get("action") or Action.ERASED),
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Turn:
    """One message being handled, with who sent it and when."""

    inbound: InboundRecord
    citizen: Citizen
    text: str = field(repr=False)
    at: datetime
    lang: str
    media: tuple[Media, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    edited: bool = False
    unsupported: str | None = None
    file_under: str | None = None  # an area code: file as a new report there (FILE_UNDER)
    location_text: str | None = field(default=None, repr=False)
    resumed: bool = False  # handled before and interrupted: look for work already done

    @property
    def actor(self) -> str:
        return f"citizen:{self.citizen.id}"

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def location(self) -> str:
        return f"{self.latitude},{self.longitude}"


@dataclass(frozen=True, slots=True)
class Reply:
    """What a handler decided: the action, the text to send, and the report concerned."""

    action: Action
    text: str | None
    item: FeedbackItem | None = None


def aware(moment: datetime) -> datetime:
    """Return ``moment`` with a time zone (a naive one is taken as UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def reply_language(citizen: Citizen, hint: str | None, default: str) -> str:
    """Return the language to answer in: the citizen's choice, the channel's hint, the default."""
    for code in (citizen.language, hint, default):
        found = catalogue.supported_language(code or "")
        if found:
            return found
    return catalogue.DEFAULT_LANGUAGE


def attachment_kind(media: Media) -> AttachmentKind:
    """Return how a channel's media item is stored as an attachment."""
    if media.kind == "photo" or (media.content_type or "").startswith("image/"):
        return AttachmentKind.PHOTO
    return AttachmentKind.MEDIA_URL


def message_payload(message: InboundMessage) -> str | None:
    """Return what ``recover`` needs besides the text, as JSON (no sender address)."""
    data: dict[str, Any] = {}
    if message.media:
        data["media"] = [[m.kind, m.value, m.content_type] for m in message.media]
    if message.latitude is not None and message.longitude is not None:
        data["location"] = [message.latitude, message.longitude]
    if message.language:
        data["language"] = message.language
    if message.edited:
        data["edited"] = True
    for key in (UNSUPPORTED, FILE_UNDER, LOCATION_TEXT):
        if message.extra.get(key):
            data[key] = message.extra[key]
    return json.dumps(data, separators=(",", ":")) if data else None


def payload_fields(payload_json: str | None) -> dict[str, Any]:
    """Return ``Turn`` keyword arguments stored by ``message_payload``."""
    data: dict[str, Any] = json.loads(payload_json) if payload_json else {}
    if not isinstance(data, dict):
        return {}
    fields: dict[str, Any] = {}
    media = data.get("media") or []
    fields["media"] = tuple(Media(str(k), str(v), c) for k, v, c in media)
    location = data.get("location")
    if location:
        fields["latitude"], fields["longitude"] = float(location[0]), float(location[1])
    fields["edited"] = bool(data.get("edited"))
    fields["unsupported"] = data.get(UNSUPPORTED)
    fields["file_under"] = data.get(FILE_UNDER)
    fields["location_text"] = data.get(LOCATION_TEXT)
    fields["language"] = data.get("language")
    return fields


def forget_key(citizen_id: int) -> str:
    """Meta key holding when the citizen sent FORGET (ISO time), empty when none pending."""
    return f"conversation:forget:{citizen_id}"


def flood_key(citizen_id: int) -> str:
    """Meta key holding when the citizen was last told to slow down (ISO time)."""
    return f"conversation:flood:{citizen_id}"


def satisfaction_key(citizen_id: int) -> str:
    """Meta key holding the citizen's pending "Is it fixed?" question (JSON), empty when none."""
    return f"conversation:satisfaction:{citizen_id}"


def meta_time(value: str | None) -> datetime | None:
    """Return the time a meta value holds, or None when empty or unreadable."""
    if not value:
        return None
    try:
        return aware(datetime.fromisoformat(value))
    except ValueError:
        return None
