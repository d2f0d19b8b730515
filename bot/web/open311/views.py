"""CivicVoice records as GeoReport v2 values: services, service requests, status and notes.

Statuses: ``new``, ``acknowledged`` and ``in_progress`` are ``open``; ``resolved``,
``closed``, ``duplicate`` and ``rejected`` are ``closed``. ``status_notes`` says our status
in words, with the staff note given when the report was moved into it. A request never
carries the contact details a client sent, nor anything of the citizen's identity.

``detailed`` views (callers with an API key who may see the item's area) add the redacted
description, the place (address, lat, long) and a media URL. Everyone else can follow a
request's status and dates: CivicVoice's channels are private conversations, so citizens'
words and locations are not published to anonymous callers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.storage import (
    Attachment,
    AttachmentKind,
    AuditEntry,
    FeedbackItem,
    FeedbackStatus,
    ServiceArea,
)
from bot.web.open311.params import ADDRESS_ID_PREFIX
from handlers import catalogue

SERVICE_TYPE = "realtime"
"""Every service files a report at once and returns its id (no tokens)."""


def open311_status(status: FeedbackStatus) -> str:
    """Return ``open`` while staff still have work to do, else ``closed``."""
    return "open" if status.is_open else "closed"


def service(area: ServiceArea) -> dict[str, Any]:
    """Return an area as a GeoReport v2 service (no area has attributes: metadata false)."""
    return {
        "service_code": area.code,
        "service_name": area.label,
        "description": area.description or None,
        "metadata": False,
        "type": SERVICE_TYPE,
        "keywords": ", ".join(area.keywords) or None,
        "group": area.group or None,
    }


def service_definition(area: ServiceArea) -> dict[str, Any]:
    """Return an area's service definition: its code and (today no) attributes."""
    return {"service_code": area.code, "attributes": []}


def status_notes(item: FeedbackItem, history: Sequence[AuditEntry], *, with_note: bool
                 ) -> str:
    """Return the status in words, and the staff note given when it was set."""
    words = catalogue.status_label(item.status, "en")
    words = words[:1].upper() + words[1:]
    if item.status is FeedbackStatus.DUPLICATE and item.duplicate_of_reference:
        words += f" ({item.duplicate_of_reference})"
    if not with_note:
        return words
    for entry in reversed(history):
        after = entry.after or {}
        if entry.action == "update" and str(after.get("status", "")) == item.status.value:
            note = after.get("note")
            return f"{words}: {note}" if isinstance(note, str) and note.strip() else words
    return words


def _media_url(attachments: Sequence[Attachment]) -> str | None:
    for attachment in attachments:
        value = attachment.value
        if attachment.kind is AttachmentKind.MEDIA_URL and value.startswith(("http://",
                                                                             "https://")):
            return value
    return None


def _address(item: FeedbackItem) -> tuple[str | None, str | None]:
    text = item.location_text
    if text and text.startswith(ADDRESS_ID_PREFIX):
        return None, text[len(ADDRESS_ID_PREFIX):]
    return text or None, None


@dataclass(frozen=True, slots=True)
class RequestContext:
    """What a request view needs besides the item (fetched per item by the route)."""

    history: Sequence[AuditEntry]
    attachments: Sequence[Attachment]
    detailed: bool


def service_request(item: FeedbackItem, context: RequestContext,
                    areas: Mapping[str, ServiceArea], targets: Mapping[str, timedelta],
                    default_target: timedelta) -> dict[str, Any]:
    """Return one item as a GeoReport v2 service request, in the spec's element order."""
    area = areas.get(item.area)
    detailed = context.detailed and item.erased_at is None
    expected = None
    if item.status.is_open:
        expected = item.created_at + targets.get(item.area, default_target)
    address, address_id = _address(item) if detailed else (None, None)
    return {
        "service_request_id": item.reference,
        "status": open311_status(item.status),
        "status_notes": status_notes(item, context.history, with_note=detailed),
        "service_name": area.label if area else catalogue.area_label(item.area, "en"),
        "service_code": item.area,
        "description": (item.redacted_text or None) if detailed else None,
        "agency_responsible": None,
        "service_notice": None,
        "requested_datetime": item.created_at,
        "updated_datetime": item.updated_at,
        "expected_datetime": expected,
        "address": address,
        "address_id": address_id,
        "zipcode": None,
        "lat": item.latitude if detailed else None,
        "long": item.longitude if detailed else None,
        "media_url": _media_url(context.attachments) if detailed else None,
    }
