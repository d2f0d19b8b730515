"""``POST requests``: an Open311 service request becomes a report on the common pipeline.

The request enters ``Conversation.receive`` as an ``InboundMessage`` on channel ``open311``
with ``extra[FILE_UNDER] = service_code``: it is stored first, filed exactly once under the
service the caller chose, and triaged like every other channel's message. When triage
prefers another area the report is flagged for review, its ranking stays in ``top_areas``
and an ``open311_request`` audit entry records both.

Idempotency: the spec has no client request id, so the channel message id is an HMAC (keyed
by ``SECRET_KEY``) of the API-key user and every submitted field. Posting the same request
again returns the first ``service_request_id`` and files nothing.

Contact details (``email``, ``phone``, names, ``device_id``, ``account_id``) go into that
HMAC and nowhere else: they are not stored, logged or shown. Each request's sender is the
pseudonymous ``open311:<user id>:<digest>``, so one request is one citizen and erasing one
report (``civicvoice forget``) erases nothing else. Open311 has no way to push a message,
so ``Open311Sender`` refuses anything queued to this channel at once, and clients read
status and notes with ``GET requests``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

from bot.channels.base import InboundMessage, Media, SendError
from bot.services import Services
from bot.storage import StaffUser
from bot.web.open311.params import NewRequest
from bot.web.open311.render import Open311Error
from handlers.turns import FILE_UNDER, LOCATION_TEXT

CHANNEL = "open311"


class Open311Sender:
    """Outbound for Open311: there is no address to push to, so every message fails at once.

    Staff replies and status changes stay visible to clients through ``status_notes``.
    """

    channel = CHANNEL

    async def send_text(self, address: str, text: str) -> str | None:
        raise SendError("open311 requesters cannot be messaged; they read GET requests",
                        permanent=True)


def request_digest(secret_key: str, user_id: int, request: NewRequest) -> str:
    """Return the keyed digest that identifies one submission by one API-key user."""
    fields = [user_id, request.service_code, request.description, request.latitude,
              request.longitude, request.address_string, request.address_id,
              request.media_url, sorted(request.contact)]
    message = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()
    return hmac.new(secret_key.encode(), b"open311\x1f" + message, hashlib.sha256).hexdigest()


def inbound_message(secret_key: str, user: StaffUser, request: NewRequest,
                    received_at: datetime) -> InboundMessage:
    """Return the request as the message every channel hands the conversation."""
    digest = request_digest(secret_key, user.id, request)
    extra = {FILE_UNDER: request.service_code}
    if request.location_text:
        extra[LOCATION_TEXT] = request.location_text
    media = (Media("media_url", request.media_url),) if request.media_url else ()
    return InboundMessage(
        channel=CHANNEL, sender=f"{CHANNEL}:{user.id}:{digest[:32]}",
        channel_message_id=f"o311-{digest[:40]}", text=request.description,
        received_at=received_at, media=media, latitude=request.latitude,
        longitude=request.longitude, extra=extra,
    )


async def file_request(services: Services, user: StaffUser, request: NewRequest,
                       jurisdiction_id: str | None) -> str:
    """File ``request`` (once, however often it is posted); return its reference."""
    area = await services.store.get_area(request.service_code)
    if area is None or not area.active:
        raise Open311Error(400, "service_code is not a current service (see services.json)")
    message = inbound_message(services.settings.secret, user, request, datetime.now(UTC))
    outcome = await services.conversation.receive(message)
    if outcome.reference is None:  # posted again after its report was erased
        raise Open311Error(400, "this request was filed before and has since been erased")
    if not outcome.duplicate:
        item = await services.store.get_feedback(outcome.reference)
        if item is not None:
            suggested = item.top_areas[0] if item.top_areas else None
            await services.store.add_audit(
                f"open311:{user.id}", "open311_request", "feedback", item.id, after={
                    "service_code": request.service_code,
                    "triage_area": suggested[0] if suggested else None,
                    "triage_confidence": round(suggested[1], 4) if suggested else None,
                    "jurisdiction_id": jurisdiction_id,
                })  # fmt: skip
    return outcome.reference
