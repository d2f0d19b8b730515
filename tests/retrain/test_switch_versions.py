"""``models promote`` and ``rollback`` switch what ``classify`` and the running service use,
without a restart."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from bot.app import create_app
from bot.cli import main as cli
from bot.settings import Settings
from models.artifact import load_bundle
from models.registry import BUNDLED_DIR, ModelRegistry


@pytest.fixture
def settings(service_settings: Settings, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setattr("bot.app.MODEL_CHECK_SECONDS", 0.1)
    return Settings(_env_file=None)  # type: ignore[call-arg]


async def _version_seen(client: httpx.AsyncClient, wanted: str) -> str:
    for _ in range(100):
        reply = (await client.post("/api/v1/messages", json={
            "sender": "ann", "text": "Broken streetlight on Elm Road"})).json()
        health = (await client.get("/healthz")).json()
        if health["model_version"] == wanted:
            return str(reply.get("area"))
        await asyncio.sleep(0.1)
    raise AssertionError(f"the service never switched to {wanted}")


async def test_promote_and_rollback_reach_classify_and_the_service(
        settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    registry = ModelRegistry(settings.model_dir)
    bundled = registry.current_version()
    bundle = await asyncio.to_thread(load_bundle, BUNDLED_DIR)
    bundle.metadata["version"] = "city-2"
    await asyncio.to_thread(registry.register, bundle, "# card\n")
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://cv") as client:
            assert (await client.get("/healthz")).json()["model_version"] == bundled
            assert await asyncio.to_thread(cli, ["models", "promote", "city-2"]) == 0
            await _version_seen(client, "city-2")
            capsys.readouterr()
            assert await asyncio.to_thread(cli, ["classify", "bins not emptied"]) == 0
            assert json.loads(capsys.readouterr().out)["model_version"] == "city-2"
            assert await asyncio.to_thread(cli, ["models", "rollback"]) == 0
            await _version_seen(client, bundled)
            capsys.readouterr()
            assert await asyncio.to_thread(cli, ["classify", "bins not emptied"]) == 0
            assert json.loads(capsys.readouterr().out)["model_version"] == bundled
