"""Send SMS through the real ``twilio`` client, off the event loop, at a polite pace.

``TwilioSender.send_text`` cleans the text for GSM-7, waits for its turn (at most
``rate_per_second`` messages per second from our number), then runs the blocking
``client.messages.create`` in a thread with a ``StatusCallback`` to record delivery.
Twilio's errors become ``SendError`` for the outbox: 21610 (the citizen replied STOP) is
permanent and opts them out; throttling (HTTP 429, error 63018) and 5xx are retried after
Twilio's ``Retry-After`` or the outbox's backoff; other 4xx are permanent. A daily cap per
citizen (``SMS_DAILY_CAP``) holds further messages until the next UTC day.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from bot.channels.base import SendError
from bot.channels.sms.inbound import CHANNEL
from bot.channels.sms.text import clean_for_sms

logger = logging.getLogger(__name__)

OPTED_OUT = 21610  # "Attempt to send to unsubscribed recipient"
THROTTLED = frozenset({63018, 20429, 429})
TIMEOUT_SECONDS = 15.0


class _HttpClient(TwilioHttpClient):
    """Twilio's HTTP client, remembering the last ``Retry-After`` per thread."""

    def __init__(self, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self._local = threading.local()

    def request(self, *args: Any, **kwargs: Any) -> Response:
        self._local.retry_after = None
        response = super().request(*args, **kwargs)
        headers = response.headers or {}
        self._local.retry_after = headers.get("Retry-After")
        return response

    def retry_after(self) -> float | None:
        value = getattr(self._local, "retry_after", None)
        try:
            return max(float(value), 0.0) if value is not None else None
        except ValueError:
            return None


def build_client(account_sid: str, auth_token: str, api_base_url: str = "") -> Client:
    """Return a Twilio client; ``api_base_url`` (e.g. a test stand-in) replaces api.twilio.com."""
    client = Client(account_sid, auth_token, http_client=_HttpClient(TIMEOUT_SECONDS))
    if api_base_url:
        client.api.base_url = api_base_url.rstrip("/")
    return client


class SendPacer:
    """At most ``rate`` sends per second from one number; callers wait their turn."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = 1.0 / rate if rate > 0 else 0.0
        self._clock = clock
        self._lock = asyncio.Lock()
        self._next = 0.0

    async def wait(self) -> None:
        async with self._lock:
            delay = self._next - self._clock()
            if delay > 0:
                await asyncio.sleep(delay)
            self._next = max(self._clock(), self._next) + self._interval


class DailyCounter:
    """REST sends per address today (UTC); a backstop against a chatty flow's costs."""

    def __init__(self, cap: int, now: Callable[[], datetime]) -> None:
        self.cap = cap
        self._now = now
        self._day = now().date()
        self._counts: dict[str, int] = {}

    def take(self, key: str) -> float | None:
        """Count one send; return seconds until tomorrow if the cap is already reached."""
        now = self._now()
        if now.date() != self._day:
            self._day, self._counts = now.date(), {}
        if self.cap <= 0:
            return None
        if self._counts.get(key, 0) >= self.cap:
            tomorrow = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
            return max((tomorrow - now).total_seconds(), 1.0)
        self._counts[key] = self._counts.get(key, 0) + 1
        return None


    def give_back(self, key: str) -> None:
        """Uncount a send that did not go out."""
        if self._counts.get(key, 0) > 0:
            self._counts[key] -= 1


class TwilioSender:
    """The SMS ``ChannelSender``."""

    channel = CHANNEL

    def __init__(self, client: Client, *, from_number: str = "",
                 messaging_service_sid: str = "", status_callback: str = "",
                 rate_per_second: float = 1.0, daily_cap: int = 10,
                 address_key: Callable[[str], str] = lambda address: address,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        if not (from_number or messaging_service_sid):
            raise ValueError("TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID is needed")
        self._client = client
        self._from = from_number
        self._service = messaging_service_sid
        self._callback = status_callback
        self._pacer = SendPacer(rate_per_second)
        self._today = DailyCounter(daily_cap, now)
        self._key = address_key  # a pseudonym: the counter never holds phone numbers

    async def send_text(self, address: str, text: str) -> str | None:
        """Send ``text`` (cleaned for GSM-7) to ``address``; return Twilio's MessageSid."""
        wait = self._today.take(self._key(address))
        if wait is not None:
            raise SendError("daily SMS cap reached for this citizen", retry_after=wait)
        await self._pacer.wait()
        try:
            return await asyncio.to_thread(self._create, address, clean_for_sms(text))
        except SendError:
            self._today.give_back(self._key(address))
            raise

    def _create(self, address: str, body: str) -> str | None:
        """Run in a worker thread: the twilio client blocks on HTTP."""
        params: dict[str, Any] = {"to": address, "body": body}
        if self._service:
            params["messaging_service_sid"] = self._service
        else:
            params["from_"] = self._from
        if self._callback:
            params["status_callback"] = self._callback
        try:
            message = self._client.messages.create(**params)
        except TwilioRestException as exc:
            raise self._error(exc) from None
        except TwilioException as exc:  # connection errors and timeouts: try again later
            raise SendError(f"twilio transport error: {type(exc).__name__}") from None
        sid = message.sid
        return str(sid) if sid else None

    def _error(self, exc: TwilioRestException) -> SendError:
        code = int(exc.code) if isinstance(exc.code, int) else 0
        status = int(exc.status or 0)
        reason = f"twilio error {code or status}"
        if code == OPTED_OUT:
            return SendError(reason, permanent=True, opted_out=True)
        http = self._client.http_client
        retry_after = http.retry_after() if isinstance(http, _HttpClient) else None
        if status == 429 or code in THROTTLED or status >= 500:
            return SendError(reason, retry_after=retry_after)
        return SendError(reason, permanent=True)
