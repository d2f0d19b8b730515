"""Production mode refuses what would leak sign-ins, and every page carries its headers."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from bot.app import create_app
from bot.settings import ConfigError, Settings

PRODUCTION = {"environment": "production", "secret_key": SecretStr("p" * 40)}


def _production(settings: Settings, **values: object) -> Settings:
    return settings.model_copy(update=PRODUCTION | values)


def test_production_refuses_a_plain_http_address(service_settings: Settings) -> None:
    with pytest.raises(ConfigError, match="https"):
        create_app(_production(service_settings, public_base_url="http://cv.example"))


def test_allow_insecure_http_is_explicit_and_logged(service_settings: Settings,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    create_app(_production(service_settings, public_base_url="http://cv.example",
                           allow_insecure_http=True))
    assert any("ALLOW_INSECURE_HTTP" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("path", ["/staff/login", "/try", "/healthz", "/api/v1/feedback",
                                  "/open311/v2/services.json", "/no/such/page"])
def test_every_response_has_the_security_headers(service_settings: Settings,
                                                 path: str) -> None:
    settings = _production(service_settings, public_base_url="https://cv.example")
    with TestClient(create_app(settings), base_url="https://cv.example") as client:
        response = client.get(path)
    headers = response.headers
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["strict-transport-security"].startswith("max-age=")


def test_no_hsts_over_plain_http_in_development(service_settings: Settings) -> None:
    with TestClient(create_app(service_settings)) as client:
        response = client.get("/staff/login")
    assert "strict-transport-security" not in response.headers
    assert response.headers["x-frame-options"] == "DENY"


def test_the_session_cookie_is_secure_under_https(service_settings: Settings) -> None:
    settings = _production(service_settings, public_base_url="https://cv.example")
    with TestClient(create_app(settings), base_url="https://cv.example") as client:
        response = client.get("/staff/login")  # even the sign-in page's session
    cookie = response.headers.get("set-cookie", "")
    assert re.search(r"cv_staff=", cookie) and "Secure" in cookie and "HttpOnly" in cookie
