"""``GET /readyz``: 503 until the lifespan has finished starting, 200 after."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings


def test_not_ready_before_start_up(service_settings: Settings) -> None:
    client = TestClient(create_app(service_settings))  # no `with`: the lifespan never runs
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "not_ready": ["start-up"]}


def test_ready_once_started_and_documented(service_settings: Settings) -> None:
    with TestClient(create_app(service_settings)) as client:
        response = client.get("/readyz")
        assert response.status_code == 200 and response.json() == {"status": "ready"}
        assert response.headers["x-content-type-options"] == "nosniff"
        responses = client.get("/openapi.json").json()["paths"]["/readyz"]["get"]["responses"]
        assert {"200", "503"} <= set(responses)
