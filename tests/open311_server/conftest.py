"""An app with the Open311 and staff routes, a real conversation and the bundled model."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from bot.services import Services
from bot.settings import Settings
from bot.storage import FeedbackItem, SQLiteStore
from bot.web import staff_api
from bot.web.errors import install_error_handlers
from bot.web.open311 import router
from handlers import catalogue
from handlers.conversation import Conversation
from handlers.staff_actions import StaffActions
from handlers.triage import TriageService
from tests.support.staff import staff_tokens

KEY = "k" * 40
BASE = "/open311/v2"
UNUSED: Any = None


@dataclass
class World:
    client: httpx.AsyncClient
    store: SQLiteStore
    tokens: dict[str, str]
    db_path: Path

    async def post(self, fmt: str = "json", *, who: str | None = "admin",
                   **fields: Any) -> httpx.Response:
        data = {"service_code": "roads", "lat": "37.7622", "long": "-122.4651",
                "description": "Huge pothole on Judah Street, two cars damaged"} | fields
        if who is not None and "api_key" not in fields:
            data["api_key"] = self.tokens[who]
        data = {k: v for k, v in data.items() if v is not None}
        return await self.client.post(f"{BASE}/requests.{fmt}", data=data)

    async def get(self, path: str, who: str | None = None, **params: Any) -> httpx.Response:
        if who is not None:
            params["api_key"] = self.tokens[who]
        return await self.client.get(f"{BASE}/{path}", params=params)

    async def staff(self, path: str) -> httpx.Response:
        return await self.client.get(f"/api/v1/{path}",
                                     headers={"Authorization": f"Bearer {self.tokens['admin']}"})

    async def file(self, days_ago: float, area: str = "roads", **fields: Any) -> FeedbackItem:
        """File an item directly, as another channel would have, ``days_ago`` days back."""
        values: dict[str, Any] = {
            "channel": "sms", "original_text": "Lamp out, call Ann", "area": area,
            "redacted_text": "Lamp out, call [NAME]", "area_confidence": 0.9,
            "kind": "complaint", "created_at": datetime.now(UTC) - timedelta(days=days_ago),
        }  # fmt: skip
        return await self.store.create_feedback(**(values | fields))


@pytest.fixture
async def world(tmp_path: Path, triage: TriageService) -> AsyncIterator[World]:
    db_path = tmp_path / "open311.db"
    async with SQLiteStore(str(db_path)) as store:
        await store.ensure_areas({code: catalogue.area_label(code, "en")
                                  for code in triage.triager.area_labels})
        await store.update_area("roads", actor="system", description="Potholes, pavements",
                                group="streets", keywords=["pothole", "pavement"])
        tokens = await staff_tokens(store)
        app = FastAPI()
        install_error_handlers(app)
        app.include_router(router)
        app.include_router(staff_api.router)
        app.state.services = Services(
            settings=Settings(secret_key=KEY, database_url="sqlite://"), store=store,
            registry=UNUSED, triage=triage, conversation=Conversation(store, triage, KEY),
            staff=StaffActions(store, KEY),
        )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield World(client, store, tokens, db_path)
