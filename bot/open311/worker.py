"""The background task that runs the forwarder and the status sync on their timers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable
from typing import TYPE_CHECKING

import httpx

from bot.open311.client import GeoReportClient
from bot.open311.config import Open311Config
from bot.open311.forwarder import Forwarder
from bot.open311.sync import StatusSync
from handlers.tasks import cancel_and_wait

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.storage import FeedbackStore
    from handlers.turns import ConversationConfig

logger = logging.getLogger(__name__)

USER_AGENT = "CivicVoice Open311 client"


def http_client(config: Open311Config) -> httpx.AsyncClient:
    """Return the HTTP client the Open311 calls share (timeouts from the config)."""
    return httpx.AsyncClient(timeout=config.timeout, headers={"User-Agent": USER_AGENT})


@contextlib.asynccontextmanager
async def open311_parts(settings: Settings, store: FeedbackStore,
                        conversation: ConversationConfig | None = None
                        ) -> AsyncIterator[tuple[Forwarder, StatusSync]]:
    """Yield a forwarder and a status sync sharing one HTTP client (closed on exit)."""
    config = Open311Config.from_settings(settings)
    async with http_client(config) as http:
        client = GeoReportClient(http)
        yield (Forwarder(store, client, settings.secret, config),
               StatusSync(store, client, conversation))


class Open311Worker:
    """Runs ``Forwarder.run_once`` every ``poll`` seconds and ``StatusSync`` every ``sync``."""

    def __init__(self, settings: Settings, store: FeedbackStore,
                 conversation: ConversationConfig | None = None) -> None:
        self._settings = settings
        self._store = store
        self._conversation = conversation
        self._config = Open311Config.from_settings(settings)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="open311")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def _run(self) -> None:
        async with open311_parts(self._settings, self._store, self._conversation) as parts:
            forwarder, sync = parts
            last_sync = float("-inf")
            while True:
                await self._guard("forward", forwarder.run_once())
                if time.monotonic() - last_sync >= self._config.sync:
                    last_sync = time.monotonic()
                    await self._guard("status sync", sync.run_once())
                await asyncio.sleep(self._config.poll)

    @staticmethod
    async def _guard(what: str, work: Awaitable[int]) -> None:
        try:
            await work
        except Exception as exc:  # keep the loop alive; the rows stay due
            logger.error("open311 %s pass failed", what, exc_info=exc)


def start_open311(settings: Settings, store: FeedbackStore,
                  conversation: ConversationConfig | None = None) -> Open311Worker:
    """Start forwarding and status sync (they do nothing until an area has an endpoint)."""
    worker = Open311Worker(settings, store, conversation)
    worker.start()
    return worker


async def stop_open311(worker: Open311Worker | None) -> None:
    """Stop what ``start_open311`` started."""
    if worker is not None:
        await worker.stop()
