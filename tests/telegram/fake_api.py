"""A Bot API stand-in on 127.0.0.1 that the real python-telegram-bot client talks to.

It runs aiohttp in a thread of its own (so it serves both ``TestClient`` apps and async
tests), records every call, and can be told to refuse: ``blocked`` chats get 403 "bot was
blocked by the user", ``rate_limited`` chats get one 429 with ``retry_after``, and while
``down`` every call gets 502 Bad Gateway (an outage).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.support.threaded_server import ThreadedServer

TOKEN = "123456:TEST-token-abcdefghijklmnop"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "CivicVoice",
            "username": "civicvoice_test_bot", "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False}


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    token: str = ""


def _decode(value: str) -> Any:
    if value in ("true", "false"):
        return value == "true"
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeBotApi(ThreadedServer):
    """Serves ``/bot<token>/<method>``; see the module docstring."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.blocked: set[int] = set()
        self.rate_limited: dict[int, int] = {}
        self.down = False
        self._ids = itertools.count(1000)

    # -- life --------------------------------------------------------------------------

    def routes(self, app: web.Application) -> None:
        app.router.add_route("POST", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/file/bot{token}/{path:.*}", self._file)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # -- what tests use ----------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> None:
        with self._lock:
            self.updates.append(update)

    def of(self, method: str, chat_id: int | None = None) -> list[dict[str, Any]]:
        with self._lock:
            found = [c.params for c in self.calls if c.method == method]
        if chat_id is not None:
            found = [p for p in found if str(p.get("chat_id")) == str(chat_id)]
        return found

    def wait(self, method: str, count: int = 1, chat_id: int | None = None,
             timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.of(method, chat_id)
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.02)

    def texts(self, chat_id: int) -> list[str]:
        return [str(p["text"]) for p in self.of("sendMessage", chat_id)]

    # -- the Bot API -------------------------------------------------------------------

    PHOTO_BYTES = b"\xff\xd8\xff\xe0 not really a jpeg \xff\xd9"

    async def _file(self, request: web.Request) -> web.Response:
        with self._lock:
            self.calls.append(Call("file", {"path": request.match_info["path"]}))
        return web.Response(body=self.PHOTO_BYTES, content_type="image/jpeg")

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.content_type == "application/json":
            params = await request.json()
        else:
            params = {k: _decode(str(v)) for k, v in (await request.post()).items()}
        with self._lock:
            self.calls.append(Call(method, params, request.match_info["token"]))
        if self.down:
            return self._error(502, "Bad Gateway")
        if request.match_info["token"] != TOKEN:
            return self._error(401, "Unauthorized")
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return self._error(404, "Not Found: method not found")
        result = await handler(params)
        if isinstance(result, web.Response):
            return result
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def _error(code: int, description: str, **parameters: Any) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=code)

    def _message(self, chat_id: Any, text: str, markup: Any = None) -> dict[str, Any]:
        chat = int(chat_id)
        message: dict[str, Any] = {
            "message_id": next(self._ids), "date": int(time.time()), "from": BOT_USER,
            "chat": {"id": chat, "type": "private" if chat > 0 else "supergroup"},
            "text": text,
        }
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message

    async def _api_getMe(self, _: dict[str, Any]) -> Any:
        return BOT_USER

    async def _api_setWebhook(self, _: dict[str, Any]) -> Any:
        return True

    async def _api_deleteWebhook(self, _: dict[str, Any]) -> Any:
        return True

    async def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        for _ in range(10):
            with self._lock:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                if self.updates:
                    return list(self.updates)
            await asyncio.sleep(0.02)
        return []

    async def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        chat = int(params["chat_id"])
        if chat in self.blocked:
            return self._error(403, "Forbidden: bot was blocked by the user")
        if chat in self.rate_limited:
            wait = self.rate_limited.pop(chat)
            return self._error(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        return self._message(chat, str(params["text"]), params.get("reply_markup"))

    async def _api_answerCallbackQuery(self, _: dict[str, Any]) -> Any:
        return True

    async def _api_editMessageText(self, params: dict[str, Any]) -> Any:
        return self._message(params.get("chat_id") or 1, str(params["text"]),
                             params.get("reply_markup"))

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        return self._message(params.get("chat_id") or 1, "", params.get("reply_markup"))

    async def _api_getFile(self, params: dict[str, Any]) -> Any:
        return {"file_id": params["file_id"], "file_unique_id": "u1", "file_size": 1234,
                "file_path": "photos/file_1.jpg"}
