"""A retrain started from the running service runs in its own process: a burst of citizen
messages during it is stored and answered in full, and a promotion reaches the service."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest

from bot.app import create_app
from bot.retraining import retrain_lock
from bot.settings import Settings
from bot.storage import store_from_url
from nlp.errors import ModelError
from tests.support.browsers import without_cookies
from tests.support.tables import seed_staff_labels, small_base_table


@pytest.fixture
def settings(service_settings: Settings, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("RETRAIN_BASE_TABLE", str(small_base_table(tmp_path / "base.csv")))
    monkeypatch.setenv("WEB_SENDERS_PER_IP_PER_HOUR", "0")  # one address, many citizens
    return Settings(_env_file=None)  # type: ignore[call-arg]


async def test_burst_during_retrain_loses_nothing(settings: Settings) -> None:
    app = create_app(settings)
    sent: list[str] = []
    replies: dict[str, dict[str, object]] = {}
    slowest = 0.0
    async with app.router.lifespan_context(app):
        services = app.state.services
        transport = httpx.ASGITransport(app=app)
        async with without_cookies(httpx.AsyncClient(transport=transport,
                                                     base_url="http://cv")) as client:

            async def say(i: int) -> None:
                nonlocal slowest
                message_id = f"burst-{i}"
                sent.append(message_id)
                start = time.perf_counter()
                response = await client.post("/api/v1/messages", json={
                    "sender": f"citizen-{i}", "message_id": message_id,
                    "text": f"Streetlight {i} on Elm Road has been out for a week"})
                slowest = max(slowest, time.perf_counter() - start)
                assert response.status_code == 200, response.text
                replies[message_id] = response.json()

            seeded = await seed_staff_labels(services.store)
            await services.retrain.start("staff:admin@city.gov")
            with pytest.raises(ModelError, match="already running"):
                await services.retrain.start("staff:other@city.gov")
            i = 0
            deadline = time.monotonic() + 240
            while services.retrain.running() and time.monotonic() < deadline:
                await asyncio.gather(*(say(i + k) for k in range(20)))
                i += 20
            status = services.retrain.status()
            # retry a whole batch: redelivery creates nothing new
            await asyncio.gather(*(say(k) for k in range(20)))
    assert status is not None and status.state in ("promoted", "rejected"), status
    assert status.actor == "staff:admin@city.gov" and status.version
    assert any("scoring candidate" in step for step in status.steps)
    assert i >= 20, "the retrain finished before any message was sent"
    references = {str(r["reference"]) for r in replies.values()}
    assert len(references) == i and all(ref.startswith("CV-") for ref in references)
    async with store_from_url(settings.database_url) as store:
        assert await store.count_feedback() == i + seeded
        audit = await store.list_audit(entity="model", entity_id=status.version)
    assert audit and audit[0].actor == "staff:admin@city.gov"
    print(f"\n{i} messages during the retrain, none lost; slowest reply {slowest:.2f} s")


async def test_launcher_refuses_while_the_cli_holds_the_lock(settings: Settings) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        with retrain_lock(Path(settings.model_dir)), \
                pytest.raises(ModelError, match="already running"):
            await app.state.services.retrain.start("staff:admin@city.gov")
