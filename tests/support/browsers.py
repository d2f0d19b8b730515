"""Several browsers on one test client: each name keeps its own ``cv_web`` cookie."""

from __future__ import annotations

from http.cookiejar import DefaultCookiePolicy
from typing import Any, TypeVar

import httpx
from fastapi.testclient import TestClient

C = TypeVar("C", httpx.Client, httpx.AsyncClient)


def without_cookies(client: C) -> C:
    """Make ``client`` keep no cookie: every request is a browser without one, known by its
    page's id (the hint) -- how load tests play thousands of citizens."""
    client.cookies.jar.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    return client


class Browsers:
    """Send web-channel requests as named browsers, each with a cookie jar of its own."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self._jars: dict[str, httpx.Cookies] = {}

    def request(self, name: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        self.client.cookies = self._jars.get(name, httpx.Cookies())
        try:
            return self.client.request(method, url, **kwargs)
        finally:
            self._jars[name] = httpx.Cookies(self.client.cookies)
            self.client.cookies = httpx.Cookies()

    def say(self, name: str, text: str, message_id: str | None = None) -> httpx.Response:
        body: dict[str, str] = {"sender": name, "text": text}
        if message_id:
            body["message_id"] = message_id
        return self.request(name, "POST", "/api/v1/messages", json=body)

    def inbox(self, name: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.request(name, "GET", "/api/v1/messages").json()
        return found
