"""The Open311 endpoint in the whole service: the real app, then a real server and client.

The second test reads through ``georeport`` (a generic third-party GeoReport v2 client from
PyPI) against ``civicvoice serve`` on 127.0.0.1; it is skipped where that package is not
installed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.cli import main as cli
from bot.settings import Settings
from bot.storage import OutboundRecord, OutboundStatus
from tests.support.serve import serving

BASE = "/open311/v2"
FORM = {"service_code": "roads", "lat": "37.762221815", "long": "-122.4651145",
        "description": "Large pothole at 8th Ave and Judah St", "email": "kim@mail.example"}


@pytest.fixture
def settings(service_settings: Settings) -> Settings:
    return service_settings


def _token(capsys: pytest.CaptureFixture[str], email: str) -> str:
    assert cli(["users", "add", email, "--role", "admin"]) == 0
    capsys.readouterr()
    assert cli(["tokens", "create", email]) == 0
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_the_service_files_and_never_queues_a_push(settings: Settings,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    with TestClient(create_app(settings)) as client:
        token = _token(capsys, "integrator@city.example")
        codes = {s["service_code"] for s in client.get(f"{BASE}/services.json").json()}
        assert {"roads", "waste", "street_lighting"} <= codes  # areas synced at start-up
        created = client.post(f"{BASE}/requests.json", data=FORM | {"api_key": token})
        assert created.status_code == 200, created.text
        reference = created.json()[0]["service_request_id"]
        headers = {"Authorization": f"Bearer {token}"}
        item = client.get(f"/api/v1/feedback/{reference}", headers=headers).json()
        assert item["channel"] == "open311" and item["area"] == "roads"
        changed = client.patch(f"/api/v1/feedback/{reference}", headers=headers,
                               json={"status": "in_progress", "note": "Crew booked."})
        assert changed.status_code == 200
        services = client.app.state.services  # type: ignore[attr-defined]
        outbound: list[OutboundRecord] = []
        for _ in range(50):  # the outbox tries within a second or two, and gives up
            outbound = client.portal.call(services.store.list_outbound)  # type: ignore[union-attr]
            if outbound and outbound[0].status is OutboundStatus.FAILED:
                break
            time.sleep(0.1)
        assert [m.status for m in outbound] == [OutboundStatus.FAILED]
        assert "cannot be messaged" in (outbound[0].last_error or "")
        got = client.get(f"{BASE}/requests/{reference}.json", params={"api_key": token})
        assert got.json()[0]["status_notes"] == "Being worked on: Crew booked."
        assert "kim" not in got.text


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    pytest.importorskip("georeport")  # before paying for a server start
    with serving(tmp_path) as running:
        yield running


def test_a_generic_open311_client_reads_the_endpoint(
        server: tuple[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    georeport = pytest.importorskip("georeport")
    base, env = server
    for name in ("DATABASE_URL", "MODEL_DIR", "DATA_DIR", "SECRET_KEY"):
        monkeypatch.setenv(name, env[name])  # the CLI works on the server's database
    token = _token(capsys, "app@city.example")
    created = httpx.post(f"{base}{BASE}/requests.xml", data=FORM | {"api_key": token})
    assert created.status_code == 200 and "<service_request_id>CV-" in created.text
    reference = created.text.split("<service_request_id>")[1].split("<")[0]
    for fmt in ("json", "xml"):
        client = georeport.GeoReport(base + BASE, jurisdiction="city.example",
                                     output_format=fmt)
        services = client.get_service_list()
        assert "roads" in {s["service_code"] for s in services}
        assert client.get_service_definition("roads")["service_code"] == "roads"
        requests = client.get_service_requests(status="open")
        one = requests if isinstance(requests, dict) else requests[0]  # xmltodict: one = dict
        assert one["service_request_id"] == reference and one["status"] == "open"
        assert client.get_service_request(reference)["service_code"] == "roads"
        everything = str(client.get_service_requests(service_request_id=reference))
        assert "kim@mail.example" not in everything and "pothole" not in everything.lower()
