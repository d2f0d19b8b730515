"""A running app with the Telegram channel on, talking to the Bot API stand-in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.channels.telegram.adapter import CHANNEL
from bot.security import pseudonymise
from bot.services import Services
from bot.settings import Settings
from bot.storage import Citizen
from tests.telegram.fake_api import TOKEN, FakeBotApi

SECRET = "webhook-secret_42"
T = TypeVar("T")


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    fake = FakeBotApi().start()
    yield fake
    fake.stop()


def make_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, api: FakeBotApi,
                  **overrides: Any) -> Settings:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/app.db")
    monkeypatch.setenv("MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    values: dict[str, Any] = {
        "telegram_bot_token": TOKEN, "telegram_api_base_url": api.base_url,
        "telegram_webhook_secret": SECRET, "public_base_url": "https://cv.example",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@dataclass
class Harness:
    client: TestClient
    api: FakeBotApi
    settings: Settings

    @property
    def services(self) -> Services:
        services: Services = self.client.app.state.services  # type: ignore[attr-defined]
        return services

    def post(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
        return self.client.post("/telegram/webhook", json=update, headers=headers).status_code

    def run(self, work: Callable[[], Awaitable[T]]) -> T:
        portal = self.client.portal
        assert portal is not None
        return portal.call(work)

    def citizen(self, chat_id: int) -> Citizen | None:
        store = self.services.store
        hashed = pseudonymise(self.settings.secret, CHANNEL, str(chat_id))
        return self.run(lambda: store.find_citizen(CHANNEL, hashed))


@pytest.fixture
def tg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, api: FakeBotApi) -> Iterator[Harness]:
    settings = make_settings(tmp_path, monkeypatch, api)
    with TestClient(create_app(settings)) as client:
        yield Harness(client, api, settings)
