"""Bounded input: request-body limits per route, and client hang-ups as ordinary events.

Every route refuses a body over its limit with 413 before reading it when
``Content-Length`` says so, and stops reading a chunked body as soon as it passes the limit
(Starlette's ``max_body_size``, set per router here and for the rest of the app from
``MAX_BODY_BYTES``). Memory per request is therefore bounded by the route's limit, whatever
the client sends.

A client that hangs up before sending its whole body is not an error of ours: it is logged
as one short line at most every ``DISCONNECT_LOG_SECONDS``, with how many there were.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, date, datetime

from fastapi import Request, Response
from starlette.requests import ClientDisconnect

logger = logging.getLogger(__name__)

WEB_MESSAGE_BODY = 256_000
"""``POST /api/v1/messages``: a 20,000-character text, escaped, with room to spare."""
TELEGRAM_BODY = 1_000_000
"""``POST /telegram/webhook``: an update with a long caption and every entity."""
TWILIO_BODY = 64_000
"""Twilio's webhooks: a 1,600-character SMS with ten media URLs is far below this."""
OPEN311_BODY = 256_000
"""Open311 ``POST requests``: a description and the spec's fields."""
STAFF_API_BODY = 256_000
"""The staff and admin JSON API: a reply or a note and a few fields."""

DISCONNECT_LOG_SECONDS = 60.0

# Bounds on numbers and dates in queries: past them SQLite's 64-bit integers or Python's
# dates overflow, and nothing a client could want lies there.
MAX_OFFSET = 1_000_000_000
MAX_ID = 2**63 - 1
EARLIEST = date(2000, 1, 1)
LATEST = date(2999, 12, 31)


def check_time(value: datetime | None) -> datetime | None:
    """Return a query's time as aware (UTC if it has no zone), within EARLIEST..LATEST."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    if not EARLIEST <= value.date() <= LATEST:
        raise ValueError(f"must be between {EARLIEST} and {LATEST}")
    return value


class DisconnectLog:
    """Log client hang-ups as one line per interval, counting the ones in between."""

    def __init__(self, interval: float = DISCONNECT_LOG_SECONDS) -> None:
        self.interval = interval
        self._last = float("-inf")
        self._quiet = 0

    def note(self, path: str) -> None:
        now = time.monotonic()
        if now - self._last < self.interval:
            self._quiet += 1
            return
        extra = f" (and {self._quiet} more since the last line)" if self._quiet else ""
        logger.info("a client hung up before its request to %s was read%s", path, extra)
        self._last, self._quiet = now, 0


_disconnects = DisconnectLog()


async def client_disconnected(request: Request, exc: Exception) -> Response:
    """Answer a request whose client has gone (nobody reads this answer)."""
    route = request.scope.get("route")
    _disconnects.note(getattr(route, "path", None) or "an unknown route")
    return Response(status_code=400)


__all__ = ["ClientDisconnect", "client_disconnected"]
