"""Nothing reaches the city twice: repeated passes, two workers, a restart, a lost answer."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot.open311 import Forwarder, GeoReportClient, Open311Config
from bot.security import AddressCipher
from bot.storage import Open311State, SQLiteStore
from tests.open311_client.conftest import SECRET, City, Clock
from tests.open311_client.fake_city import API_KEY, SERVICE_CODE, FakeCity


async def test_two_workers_and_repeated_passes_post_once(city: City) -> None:
    await city.report()
    await city.report("Second pothole")
    other = Forwarder(city.store, city.forwarder._client, SECRET, city.config, now=city.clock)
    claimed = await asyncio.gather(city.forwarder.run_once(), other.run_once())
    assert sum(claimed) == 2
    for _ in range(3):
        await city.run(hours=1)
        await other.run_once()
    assert city.server.posts == 2 and len(city.server.received()) == 2


async def test_a_restart_does_not_post_again(city_server: FakeCity, tmp_path: Path) -> None:
    clock = Clock()
    config = Open311Config(delay=timedelta(0))
    path = tmp_path / "cv.db"

    async def one_run() -> None:
        async with SQLiteStore(path, clock=clock) as store, httpx.AsyncClient() as http:
            forwarder = Forwarder(store, GeoReportClient(http), SECRET, config, now=clock)
            await forwarder.run_once()

    async with SQLiteStore(path, clock=clock) as store:
        await store.ensure_areas({"roads": "Roads"})
        await store.update_area(
            "roads", actor="test", open311_endpoint=city_server.endpoint,
            open311_service_code=SERVICE_CODE,
            open311_api_key_encrypted=AddressCipher(SECRET).encrypt(API_KEY))
        await store.create_feedback(channel="web", original_text="pothole",
                                    redacted_text="pothole", area="roads",
                                    area_confidence=0.9, kind="complaint")
    await one_run()
    clock.advance(hours=1)
    await one_run()
    assert city_server.posts == 1


async def test_a_lost_answer_is_found_at_the_city_not_posted_again(
    city: City, city_server: FakeCity
) -> None:
    item = await city.report()
    city_server.stall = 1.0
    async with httpx.AsyncClient(timeout=0.3) as http:
        hasty = Forwarder(city.store, GeoReportClient(http), SECRET, city.config,
                          now=city.clock, rng=random.Random(1))
        await hasty.run_once()
    forward = await city.store.get_open311_forward(item.id)
    assert forward is not None and forward.state is Open311State.PENDING
    assert forward.uncertain and "no answer in time" in (forward.last_error or "")
    assert len(city_server.received()) == 1  # the city has it although we did not hear
    city_server.stall = 0.0
    await city.run(minutes=5)
    forward = await city.store.get_open311_forward(item.id)
    assert forward is not None
    assert (forward.state, forward.external_id, forward.uncertain) == (
        Open311State.SENT, "1001", False)
    assert city_server.posts == 1


async def test_a_worker_dying_mid_post_leaves_it_for_another_after_the_lease(
    city: City,
) -> None:
    item = await city.report()
    await city.forwarder.queue()
    [taken] = await city.store.claim_due_open311(now=city.clock.now,
                                                 lease=timedelta(minutes=5))
    assert taken.state is Open311State.SENDING
    assert await city.run(minutes=4) == 0  # still leased by the dead worker
    assert await city.run(minutes=2) == 1  # lease over: checked at the city, then posted
    forward = await city.store.get_open311_forward(item.id)
    assert forward is not None and forward.state is Open311State.SENT
    assert city.server.posts == 1
    assert any(g.startswith("requests?service_code=POTHOLE") for g in city.server.gets)


async def test_the_api_key_never_reaches_logs_or_reprs(
    city: City, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    city.server.fail(500)
    await city.report()
    await city.run()
    await city.run(hours=1)
    area = await city.store.get_area("roads")
    assert area is not None and area.open311_api_key_encrypted
    forwards = await city.store.list_open311_forwards()
    for text in (caplog.text, repr(area), repr(forwards)):
        assert API_KEY not in text
        assert area.open311_api_key_encrypted not in text
    assert "Pothole" not in caplog.text and "Pothole" not in repr(forwards)
