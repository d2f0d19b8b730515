"""A Twilio REST stand-in on 127.0.0.1 that the real ``twilio`` client posts to.

It runs aiohttp in a thread of its own, checks HTTP Basic auth, records every message the
client creates, and can be told to refuse: ``failures`` is a queue of ``(status, code,
headers)`` answers given before the next success (a 429 with ``Retry-After``, a 500, a
21610 for an unsubscribed recipient). It also serves MMS media for download tests.
"""

from __future__ import annotations

import base64
import itertools
import time
from typing import Any

from aiohttp import web

from tests.support.threaded_server import ThreadedServer

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "twilio-test-token-0123456789"


class FakeTwilio(ThreadedServer):
    """Serves ``POST /2010-04-01/Accounts/{sid}/Messages.json`` and ``GET /media/{n}``."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[dict[str, str]] = []
        self.attempts = 0
        self.failures: list[tuple[int, int, dict[str, str]]] = []
        self.media: dict[str, bytes] = {}
        self._ids = itertools.count(1)

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self._create)
        app.router.add_get("/media/{name}", self._media)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail(self, status: int, code: int, headers: dict[str, str] | None = None) -> None:
        with self._lock:
            self.failures.append((status, code, headers or {}))

    def sent(self, to: str | None = None) -> list[dict[str, str]]:
        with self._lock:
            return [m for m in self.messages if to is None or m["To"] == to]

    def wait(self, count: int = 1, to: str | None = None,
             timeout: float = 10.0) -> list[dict[str, str]]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.sent(to)
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.02)

    async def _create(self, request: web.Request) -> web.Response:
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if request.headers.get("Authorization") != expected:
            return self._error(401, 20003, {})
        form = {k: str(v) for k, v in (await request.post()).items()}
        with self._lock:
            self.attempts += 1
            failure = self.failures.pop(0) if self.failures else None
            if failure is None:
                sid = f"SM{next(self._ids):032d}"
                self.messages.append(form | {"Sid": sid})
        if failure is not None:
            return self._error(*failure)
        payload: dict[str, Any] = {
            "sid": sid, "account_sid": request.match_info["sid"], "to": form.get("To"),
            "from": form.get("From"), "body": form.get("Body"), "status": "queued",
            "num_segments": "1", "direction": "outbound-api", "api_version": "2010-04-01",
            "date_created": "Mon, 01 Jan 2024 00:00:00 +0000",
            "messaging_service_sid": form.get("MessagingServiceSid"),
        }  # fmt: skip
        return web.json_response(payload, status=201)

    async def _media(self, request: web.Request) -> web.Response:
        data = self.media.get(request.match_info["name"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="image/jpeg")

    @staticmethod
    def _error(status: int, code: int, headers: dict[str, str]) -> web.Response:
        body = {"code": code, "message": f"error {code}", "status": status,
                "more_info": f"https://www.twilio.com/docs/errors/{code}"}
        return web.json_response(body, status=status, headers=headers)
