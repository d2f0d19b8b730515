"""A store with one citizen and a roads area forwarding to the city stand-in, on a test clock."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from bot.open311 import Forwarder, GeoReportClient, Open311Config, StatusSync
from bot.security import AddressCipher
from bot.storage import Citizen, FeedbackItem, FeedbackStore, SQLiteStore
from tests.open311_client.fake_city import API_KEY, SERVICE_CODE, FakeCity

SECRET = "open311-test-secret-" + "x" * 24
START = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


class Clock:
    """A settable clock shared by the store and the workers."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class City:
    """Everything a test needs: the stand-in, the store, the workers and the clock."""

    server: FakeCity
    store: FeedbackStore
    clock: Clock
    forwarder: Forwarder
    sync: StatusSync
    citizen: Citizen
    config: Open311Config

    async def report(self, text: str = "Pothole outside number 12 on Elm St", *,
                     area: str = "roads", **extra: Any) -> FeedbackItem:
        values: dict[str, Any] = {"latitude": 52.52, "longitude": 13.405,
                                  "location_text": "Elm St 12", **extra}
        return await self.store.create_feedback(
            channel="web", original_text=text + " call me on +15551234567",
            redacted_text=text + " call me on [phone]", area=area, area_confidence=0.9,
            kind="complaint", citizen_id=self.citizen.id, **values)

    async def configure(self, area: str = "roads", **changes: Any) -> None:
        values: dict[str, Any] = {
            "open311_endpoint": self.server.endpoint, "open311_service_code": SERVICE_CODE,
            "open311_api_key_encrypted": AddressCipher(SECRET).encrypt(API_KEY), **changes,
        }
        await self.store.update_area(area, actor="test", **values)

    async def run(self, **advance: float) -> int:
        """Move the clock (if asked) and run one forwarder pass."""
        if advance:
            self.clock.advance(**advance)
        return await self.forwarder.run_once()


@pytest.fixture
def city_server() -> Iterator[FakeCity]:
    server = FakeCity().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def city(city_server: FakeCity) -> AsyncIterator[City]:
    clock = Clock()
    config = Open311Config(delay=timedelta(0), timeout=2.0, retry=timedelta(seconds=60),
                           max_attempts=4)
    async with SQLiteStore(":memory:", clock=clock) as store, httpx.AsyncClient(
        timeout=config.timeout
    ) as http:
        await store.ensure_areas({"roads": "Roads", "waste": "Waste"})
        client = GeoReportClient(http)
        citizen = await store.get_or_create_citizen(
            "web", "hash-1", AddressCipher(SECRET).encrypt("web-user-1"), language="en")
        forwarder = Forwarder(store, client, SECRET, config, now=clock, rng=random.Random(7))
        sync = StatusSync(store, client, now=clock)
        state = City(city_server, store, clock, forwarder, sync, citizen, config)
        await state.configure()
        yield state
