"""Citizen-facing web routes: ``POST /api/v1/messages``, polling, and the ``/try`` page.

The web sender id is the server's, in a signed HttpOnly cookie (``bot.web.web_senders``);
the page's own ``sender`` is only a hint for the first message. It is a pseudonymous
handle that only ever shows what that same sender filed (STATUS and MY are scoped to it by
the conversation; polling returns only its own messages).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict, Field

from bot.channels.base import InboundMessage
from bot.channels.web import CHANNEL
from bot.security import pseudonymise
from bot.services import Services
from bot.storage import OutboundStatus
from bot.web.clients import client_address
from bot.web.errors import ErrorOut
from bot.web.limits import MAX_ID, WEB_MESSAGE_BODY
from bot.web.web_senders import COOKIE, TooManySenders, WebSenders

router = APIRouter(tags=["citizens"], max_body_size=WEB_MESSAGE_BODY)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

MAX_TEXT = 20_000  # longer bodies are refused with 422; up to this, the reply explains limits


class MessageIn(BaseModel):
    """A citizen's message from a web page or form."""

    model_config = ConfigDict(allow_inf_nan=False, strict=True)

    sender: str | None = Field(
        default=None, min_length=1, max_length=128,
        description="the page's own id: a hint for the first message only; the server "
        "issues the sender id in the cv_web cookie, which a browser sends back")
    text: str = Field(max_length=MAX_TEXT)
    message_id: str | None = Field(
        default=None, min_length=1, max_length=128,
        description="client-chosen id; a retry with the same id files nothing twice")
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class MessageOut(BaseModel):
    """What the bot answered."""

    reply: str | None
    reference: str | None
    area: str | None
    kind: str | None
    urgent: bool
    duplicate: bool
    message_id: str


class InboxMessage(BaseModel):
    id: int
    text: str
    created_at: datetime


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _senders(services: Services) -> WebSenders:
    if services.web_senders is None:
        raise RuntimeError("the web channel needs Services.web_senders")
    return services.web_senders


@router.post("/api/v1/messages", response_model=MessageOut, responses={
    429: {"model": ErrorOut, "description": "Too many new conversations from this address "
          "in the last hour (WEB_SENDERS_PER_IP_PER_HOUR); nothing was filed"}})
async def post_message(body: MessageIn, request: Request, response: Response) -> MessageOut:
    """File or answer one web message; a retried ``message_id`` returns the first answer."""
    services = _services(request)
    senders = _senders(services)
    sender = senders.from_cookie(request.cookies.get(COOKIE))
    if sender is None:
        try:
            sender = senders.issue(body.sender, client_address(request))
        except TooManySenders:
            raise HTTPException(
                status.HTTP_429_TOO_MANY_REQUESTS,
                "Too many new conversations from your network in the last hour, so this "
                "message was not filed. Please try again later, or keep your browser's "
                "cookie so that your messages stay in one conversation.",
                headers={"Retry-After": "3600"}) from None
        senders.set_cookie(response, sender)
    message_id = body.message_id or uuid.uuid4().hex
    outcome = await services.conversation.receive(InboundMessage(
        channel=CHANNEL, sender=sender, channel_message_id=message_id, text=body.text,
        received_at=datetime.now(UTC), latitude=body.latitude, longitude=body.longitude,
    ))
    return MessageOut(reply=outcome.reply, reference=outcome.reference, area=outcome.area,
                      kind=outcome.kind, urgent=outcome.urgent, duplicate=outcome.duplicate,
                      message_id=message_id)


@router.get("/api/v1/messages", response_model=list[InboxMessage])
async def poll_messages(
    request: Request,
    after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[InboxMessage]:
    """Messages staff sent to this browser (its ``cv_web`` cookie) since message ``after``."""
    services = _services(request)
    sender = _senders(services).from_cookie(request.cookies.get(COOKIE))
    if sender is None:
        return []
    citizen = await services.store.find_citizen(
        CHANNEL, pseudonymise(services.settings.secret, CHANNEL, sender))
    if citizen is None:
        return []
    delivered = {OutboundStatus.SENT, OutboundStatus.DELIVERED}
    records = await services.store.list_outbound(citizen_id=citizen.id)
    return [InboxMessage(id=r.id, text=r.text, created_at=r.created_at)
            for r in sorted(records, key=lambda r: r.id)
            if r.id > after and r.channel == CHANNEL and r.status in delivered]


@router.get("/try", response_class=HTMLResponse, include_in_schema=False)
async def try_page(request: Request) -> HTMLResponse:
    """A page to talk to the bot in a browser, on the same pipeline as the other channels."""
    return templates.TemplateResponse(request, "try.html", {"max_text": MAX_TEXT})
