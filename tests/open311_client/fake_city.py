"""A city's GeoReport v2 (Open311) endpoint on 127.0.0.1 that the real client talks to.

It serves ``POST requests.json`` (checking the API key), ``GET tokens/{token}.json`` and
``GET requests.json`` (by ids, or by service code and start date), records every request
it receives, and can be told to misbehave: ``fail(status, ...)`` queues error answers
before the next success, ``use_tokens`` answers posts with a token whose id appears only
after ``release_tokens()``, and ``stall`` seconds of silence after storing a post make
the client time out although the city has the report.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.threaded_server import ThreadedServer

API_KEY = "city-api-key-0123456789"
SERVICE_CODE = "POTHOLE"


@dataclass
class CityRequest:
    """A service request as the city keeps it."""

    service_request_id: str
    form: dict[str, str]
    status: str = "open"
    status_notes: str | None = None
    token: str | None = None
    released: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "service_request_id": self.service_request_id, "status": self.status,
            "status_notes": self.status_notes, "service_code": self.form.get("service_code"),
            "description": self.form.get("description"), "lat": self.form.get("lat"),
            "long": self.form.get("long"), "address": self.form.get("address_string"),
            "requested_datetime": "2024-05-01T10:00:00Z", "updated_datetime": None,
        }  # fmt: skip


class FakeCity(ThreadedServer):
    """The stand-in; ``endpoint`` is the base URL to configure on an area."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[CityRequest] = []
        self.posts = 0
        self.gets: list[str] = []
        self.failures: list[tuple[int, str, dict[str, str]]] = []
        self.use_tokens = False
        self.stall = 0.0
        self._ids = itertools.count(1001)

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/open311/v2/requests.json", self._create)
        app.router.add_get("/open311/v2/requests.json", self._list)
        app.router.add_get("/open311/v2/tokens/{token}.json", self._token)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/open311/v2/"

    def fail(self, status: int, description: str = "server error",
             headers: dict[str, str] | None = None) -> None:
        with self._lock:
            self.failures.append((status, description, headers or {}))

    def release_tokens(self) -> None:
        with self._lock:
            for request in self.requests:
                request.released = True

    def close(self, request_id: str, notes: str | None) -> None:
        with self._lock:
            for request in self.requests:
                if request.service_request_id == request_id:
                    request.status, request.status_notes = "closed", notes

    def received(self) -> list[CityRequest]:
        with self._lock:
            return list(self.requests)

    def _failure(self) -> web.Response | None:
        with self._lock:
            failure = self.failures.pop(0) if self.failures else None
        if failure is None:
            return None
        status, description, headers = failure
        return web.json_response([{"code": status, "description": description}],
                                 status=status, headers=headers)

    async def _create(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        with self._lock:
            self.posts += 1
        failure = self._failure()
        if failure is not None:
            return failure
        if form.get("api_key") != API_KEY:
            return web.json_response([{"code": 403, "description": "invalid api_key"}],
                                     status=403)
        if form.get("service_code") != SERVICE_CODE:
            return web.json_response([{"code": 400, "description": "unknown service_code"}],
                                     status=400)
        with self._lock:
            stored = CityRequest(str(next(self._ids)), form)
            if self.use_tokens:
                stored.token, stored.released = f"tok-{stored.service_request_id}", False
            self.requests.append(stored)
        if self.stall:
            await asyncio.sleep(self.stall)
        answer = ({"token": stored.token} if stored.token
                  else {"service_request_id": stored.service_request_id, "service_notice": ""})
        return web.json_response([answer], status=201)

    async def _token(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        with self._lock:
            self.gets.append(f"tokens/{token}")
            found = next((r for r in self.requests if r.token == token), None)
        if found is None:
            return web.json_response([{"code": 404, "description": "no such token"}],
                                     status=404)
        request_id = found.service_request_id if found.released else None
        return web.json_response([{"token": token, "service_request_id": request_id}])

    async def _list(self, request: web.Request) -> web.Response:
        failure = self._failure()
        if failure is not None:
            return failure
        ids = request.query.get("service_request_id")
        with self._lock:
            self.gets.append(f"requests?{request.query_string}")
            if ids:
                wanted = set(ids.split(","))
                found = [r for r in self.requests if r.service_request_id in wanted]
            else:
                code = request.query.get("service_code")
                found = [r for r in self.requests if code in (None, r.form["service_code"])]
            return web.json_response([r.as_json() for r in found if r.released])
