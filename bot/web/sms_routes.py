"""``POST /sms/twilio`` and ``POST /sms/twilio/status``: Twilio's webhooks.

Both are authenticated before anything reads them as a message: no ``X-Twilio-Signature``
or a wrong one -> 403, and nothing is stored. The raw body is read (up to a limit), its
signature checked against ``PUBLIC_BASE_URL`` + path + query string, and only then parsed.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.datastructures import ImmutableMultiDict

from bot.channels.sms import STATUS_PATH, SmsChannel
from bot.channels.sms.inbound import BadForm
from bot.channels.sms.signature import (
    SETTINGS_HEADER,
    SIGNATURE_HEADER,
    is_valid,
    parse_form,
    public_url,
)
from bot.channels.sms.twiml import CONTENT_TYPE
from bot.web.limits import TWILIO_BODY

router = APIRouter(tags=["channels"], max_body_size=TWILIO_BODY)
logger = logging.getLogger(__name__)

INBOUND_PATH = "/sms/twilio"
_REFUSED: dict[int | str, dict[str, Any]] = {
    403: {"description": "X-Twilio-Signature missing or wrong; nothing stored"}}
_TWIML: dict[int | str, dict[str, Any]] = {200: {"content": {CONTENT_TYPE: {}}}}


Verified = tuple[SmsChannel, ImmutableMultiDict[str, str]]


async def _verified(request: Request) -> Verified | Response:
    """Return the channel and the signed form, or the refusal to send."""
    channel: SmsChannel | None = getattr(request.app.state, "sms", None)
    if channel is None:
        return Response(status_code=404)
    signature = request.headers.get(SIGNATURE_HEADER)
    if not signature:
        return Response(status_code=403)
    body = await request.body()  # at most TWILIO_BODY bytes: the router refuses more
    form = parse_form(body)
    base = channel.options.public_base_url or str(request.base_url).rstrip("/")
    url = public_url(base, request.url.path, request.url.query)
    if not is_valid(channel.options.auth_token, url, form, signature,
                    request.headers.get(SETTINGS_HEADER)):
        logger.warning("refused a Twilio webhook with a bad signature")
        return Response(status_code=403)
    return channel, form


@router.post(INBOUND_PATH, responses=_TWIML | _REFUSED)
async def twilio_inbound(request: Request) -> Response:
    """Receive one SMS or MMS from a citizen; answer in TwiML."""
    checked = await _verified(request)
    if isinstance(checked, Response):
        return checked
    channel, form = checked
    try:
        return await channel.receive(form)
    except BadForm:
        return Response(status_code=400)


@router.post(STATUS_PATH, status_code=204, responses=_REFUSED)
async def twilio_status(request: Request) -> Response:
    """Record a delivery-status callback for a message we sent."""
    checked = await _verified(request)
    if isinstance(checked, Response):
        return checked
    channel, form = checked
    await channel.status(form)
    return Response(status_code=204)
