"""A running app with two staff accounts, an admin and a few reports, driven over HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings
from bot.storage import FeedbackItem, FeedbackStore, StaffRole
from tests.support.browser import server  # noqa: F401 - a fixture for the browser tests

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Dash:
    client: TestClient
    store: FeedbackStore
    citizen_id: int

    def run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        async def call() -> Any:
            return await fn(*args, **kwargs)

        return self.client.portal.call(call)  # type: ignore[union-attr]

    def csrf(self, url: str = "/staff/login") -> str:
        match = CSRF.search(self.client.get(url).text)
        assert match, url
        return match.group(1)

    def login(self, email: str, password: str = PASSWORD) -> Any:
        token = self.csrf()
        return self.client.post("/staff/login", data={"email": email, "password": password,
                                                      "csrf_token": token},
                                follow_redirects=False)

    def file(self, text: str = "Pothole on the high street", **fields: Any) -> FeedbackItem:
        values: dict[str, Any] = {
            "channel": "web", "original_text": text + " at 12 Elm Street",
            "redacted_text": text, "area": "roads", "area_confidence": 0.9,
            "kind": "complaint", "citizen_id": self.citizen_id,
            "top_areas": [("roads", 0.9), ("waste", 0.06), ("other", 0.04)],
        }  # fmt: skip
        values.update(fields)
        item: FeedbackItem = self.run(self.store.create_feedback, **values)
        return item

    def post(self, url: str, data: dict[str, str], page: str | None = None) -> Any:
        token = self.csrf(page or url.rsplit("/", 1)[0])
        return self.client.post(url, data=data | {"csrf_token": token},
                                follow_redirects=False)


@pytest.fixture
def dash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Dash]:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/app.db")
    monkeypatch.setenv("MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    settings = Settings(_env_file=None)
    with TestClient(create_app(settings)) as client:
        store: FeedbackStore = client.app.state.services.store  # type: ignore[attr-defined]
        hashed = PasswordHasher().hash(PASSWORD)
        world = Dash(client, store, 0)
        world.run(store.create_user, "roads@city.gov", StaffRole.STAFF, ["roads"], hashed)
        world.run(store.create_user, "waste@city.gov", StaffRole.STAFF, ["waste"], hashed)
        world.run(store.create_user, "admin@city.gov", StaffRole.ADMIN, [], hashed)
        citizen = world.run(store.get_or_create_citizen, "web", "hash-of-alice", None, "en")
        world.citizen_id = citizen.id
        yield world
