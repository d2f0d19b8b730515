"""A running app with the SMS channel on, its Twilio client pointed at the stand-in."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx
import pytest
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator

from bot.app import create_app
from bot.channels.sms.inbound import CHANNEL
from bot.security import pseudonymise
from bot.services import Services
from bot.settings import Settings
from bot.storage import Citizen
from tests.sms.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

PUBLIC = "https://feedback.example.gov"
OUR_NUMBER = "+15005550006"
T = TypeVar("T")
Form = Mapping[str, str] | Sequence[tuple[str, str]]


def sign(url: str, form: Form, token: str = AUTH_TOKEN) -> str:
    """Return the X-Twilio-Signature Twilio would send for ``form`` posted to ``url``."""
    pairs = list(form.items()) if isinstance(form, Mapping) else list(form)
    params: dict[str, list[str]] = {}
    for key, value in pairs:
        params.setdefault(key, []).append(value)

    class _Multi(dict[str, list[str]]):
        def getlist(self, key: str) -> list[str]:
            return self[key]

    return str(RequestValidator(token).compute_signature(url, _Multi(params)))


@pytest.fixture
def twilio_api() -> Iterator[FakeTwilio]:
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


def make_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, api: FakeTwilio,
                  **overrides: Any) -> Settings:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/app.db")
    monkeypatch.setenv("MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "q" * 40)
    values: dict[str, Any] = {
        "twilio_account_sid": ACCOUNT_SID, "twilio_auth_token": AUTH_TOKEN,
        "twilio_from_number": OUR_NUMBER, "twilio_api_base_url": api.base_url,
        "public_base_url": PUBLIC, "sms_send_rate_per_second": 100.0,
        "sms_join_seconds": 0.5,
    }  # fmt: skip
    values.update(overrides)
    return Settings(_env_file=None, **values)


@dataclass
class Harness:
    client: TestClient
    api: FakeTwilio
    settings: Settings
    _sids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def services(self) -> Services:
        services: Services = self.client.app.state.services  # type: ignore[attr-defined]
        return services

    def run(self, work: Callable[[], Awaitable[T]]) -> T:
        portal = self.client.portal
        assert portal is not None
        return portal.call(work)

    def post(self, form: Form, path: str = "/sms/twilio", signature: str | None = "",
             query: str = "") -> httpx.Response:
        """Post ``form`` signed as Twilio would (``signature=None``: unsigned)."""
        pairs = list(form.items()) if isinstance(form, Mapping) else list(form)
        url = PUBLIC + path + (f"?{query}" if query else "")
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signature is not None:
            headers["X-Twilio-Signature"] = signature or sign(url, pairs)
        target = path + (f"?{query}" if query else "")
        return self.client.post(target, content=urlencode(pairs), headers=headers)

    def sms(self, sender: str, text: str, sid: str | None = None,
            **extra: str) -> httpx.Response:
        """Send an inbound SMS from ``sender``; return the webhook's answer."""
        form = {"MessageSid": sid or f"SMin{next(self._sids):030d}", "AccountSid": ACCOUNT_SID,
                "From": sender, "To": OUR_NUMBER, "Body": text, "NumMedia": "0"} | extra
        response = self.post(form)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/xml")
        return response

    def citizen(self, number: str) -> Citizen | None:
        store = self.services.store
        hashed = pseudonymise(self.settings.secret, CHANNEL, number)
        return self.run(lambda: store.find_citizen(CHANNEL, hashed))


def reply_of(response: httpx.Response) -> str | None:
    """Return the text of the TwiML ``<Message>``, or None for an empty answer."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(response.text)  # noqa: S314
    message = root.find("Message")
    return None if message is None else (message.text or "")


@pytest.fixture
def sms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        twilio_api: FakeTwilio) -> Iterator[Harness]:
    settings = make_settings(tmp_path, monkeypatch, twilio_api)
    with TestClient(create_app(settings)) as client:
        yield Harness(client, twilio_api, settings)
