"""Web-channel sender ids: issued by the server in a signed cookie, rationed per address.

Flood control, STATUS and MY count per sender, so a browser must not choose its own: a
client that rotated ids filed as many reports as it had ids. The id is therefore the
server's: a signed, HttpOnly cookie (``cv_web``). Without one, a new id is derived from the
page's own id (a hint) and the client's address, keyed by ``SECRET_KEY`` -- so a retry of a
first message whose answer was lost gets the same id, and nobody can reach another
browser's id by naming its hint -- and it counts against ``WEB_SENDERS_PER_IP_PER_HOUR``
new ids per client address (``0``: no limit, for load tests). Over the limit, the message
is refused with 429 and not filed.

The counts are kept in this process's memory for the last hour, for at most
``MAX_ADDRESSES`` addresses (the oldest are forgotten first).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Response
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "cv_web"
COOKIE_SECONDS = 365 * 24 * 3600
WINDOW_SECONDS = 3600.0
MAX_ADDRESSES = 100_000


class TooManySenders(Exception):
    """This address started more conversations in the last hour than it may."""


@dataclass
class _Issued:
    ids: deque[tuple[float, str]]


class WebSenders:
    """Reads, issues and rations web sender ids."""

    def __init__(self, secret: str, per_address_per_hour: int, *, secure: bool,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._key = secret.encode()
        self._signer = URLSafeSerializer(secret, salt="cv-web-sender")
        self.limit = per_address_per_hour
        self.secure = secure
        self._clock = clock
        self._issued: OrderedDict[str, _Issued] = OrderedDict()

    def from_cookie(self, value: str | None) -> str | None:
        """Return the sender id a request's cookie carries, if it is one we signed."""
        if not value:
            return None
        try:
            sender = self._signer.loads(value)
        except BadSignature:
            return None
        return sender if isinstance(sender, str) and sender else None

    def issue(self, hint: str | None, address: str) -> str:
        """Return a new sender id for a request without a cookie, or raise ``TooManySenders``."""
        seed = hint or secrets.token_urlsafe(16)
        digest = hmac.new(self._key, f"web-sender\x1f{address}\x1f{seed}".encode(),
                          hashlib.sha256).hexdigest()
        sender = f"w-{digest[:32]}"
        if self.limit:
            self._ration(address, sender)
        return sender

    def _ration(self, address: str, sender: str) -> None:
        now = self._clock()
        entry = self._issued.pop(address, None) or _Issued(deque())
        self._issued[address] = entry  # now the most recently used
        while entry.ids and entry.ids[0][0] <= now - WINDOW_SECONDS:
            entry.ids.popleft()
        if any(known == sender for _, known in entry.ids):
            return  # the same page retrying: not a new id
        if len(entry.ids) >= self.limit:
            raise TooManySenders(address)
        entry.ids.append((now, sender))
        while len(self._issued) > MAX_ADDRESSES:
            self._issued.popitem(last=False)

    def set_cookie(self, response: Response, sender: str) -> None:
        """Give the browser its sender id (HttpOnly; Secure under https)."""
        response.set_cookie(COOKIE, self._signer.dumps(sender), max_age=COOKIE_SECONDS,
                            httponly=True, samesite="lax", secure=self.secure,
                            path="/api/v1/messages")
