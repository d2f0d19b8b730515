"""``POST /telegram/webhook``: authenticate before parsing, store, answer 200, handle after.

The ``X-Telegram-Bot-Api-Secret-Token`` header is compared in constant time before the
body is read: missing -> 401, wrong -> 403, and nothing is stored either way.
"""

from __future__ import annotations

import hmac
import logging

from fastapi import APIRouter, Request, Response

from bot.channels.telegram.runtime import WEBHOOK_PATH, TelegramChannel
from bot.web import jsonbody
from bot.web.limits import TELEGRAM_BODY

router = APIRouter(tags=["channels"], max_body_size=TELEGRAM_BODY)
logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)


@router.post(WEBHOOK_PATH, status_code=200, responses={
    401: {"description": "secret header missing"}, 403: {"description": "secret wrong"},
    503: {"description": "not stored; Telegram will deliver it again"}})
async def telegram_webhook(request: Request) -> Response:
    """Receive one Telegram update."""
    channel: TelegramChannel | None = getattr(request.app.state, "telegram", None)
    if channel is None or channel.polling:
        return Response(status_code=404)  # off, or polling: no webhook to call
    given = request.headers.get(SECRET_HEADER)
    if given is None:
        return Response(status_code=401)
    if not hmac.compare_digest(given.encode(), channel.secret.encode()):
        return Response(status_code=403)
    body = await request.body()  # at most TELEGRAM_BODY bytes: the router refuses more
    try:
        data = jsonbody.loads(body)
    except jsonbody.BadJson:
        return Response(status_code=400)
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        return Response(status_code=400)
    try:
        stored = await channel.accept(data)
    except Exception as exc:  # an update PTB cannot read will not read better next time
        logger.warning("unreadable telegram update (%s)", type(exc).__name__)
        return Response(status_code=200)
    return Response(status_code=200 if stored else 503)
