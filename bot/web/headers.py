"""Security headers on every response: no framing, no sniffing, no referrer, HSTS on https.

``X-Frame-Options: DENY`` and CSP ``frame-ancestors 'none'`` keep the dashboard out of
other sites' frames (clickjacking); ``nosniff`` stops a browser from reading a JSON or text
answer as a script; ``Referrer-Policy: no-referrer`` keeps report references and tokens in
URLs from leaking to sites the dashboard links to; HSTS, sent only when ``PUBLIC_BASE_URL``
is https, tells browsers never to come back over plain http.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

BASE_HEADERS = {
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeaders:
    """ASGI middleware adding ``BASE_HEADERS`` (and HSTS under https) to every response."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.headers = BASE_HEADERS | ({"strict-transport-security": HSTS} if https else {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
