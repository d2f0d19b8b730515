"""``civicvoice open311 configure/status/sync/retry`` against the city stand-in."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.security import AddressCipher
from bot.storage import SQLiteStore
from tests.open311_client.fake_city import API_KEY, SERVICE_CODE, FakeCity

SECRET = "c" * 40


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cv.db"
    for key, value in {"DATABASE_URL": f"sqlite:///{path}", "DATA_DIR": str(tmp_path),
                       "SECRET_KEY": SECRET, "OPEN311_DELAY_SECONDS": "0"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)

    async def seed() -> None:
        async with SQLiteStore(path) as store:
            await store.ensure_areas({"roads": "Roads"})
            await store.create_feedback(channel="web", original_text="Pothole on Elm St",
                                        redacted_text="Pothole on Elm St", area="roads",
                                        area_confidence=0.9, kind="complaint")

    asyncio.run(seed())
    return path


def _configure(monkeypatch: pytest.MonkeyPatch, endpoint: str, code: str = SERVICE_CODE) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(API_KEY + "\n"))
    return main(["open311", "configure", "roads", "--endpoint", endpoint, "--service-code",
                 code, "--api-key-stdin", "--jurisdiction", "city.example"])


def test_configure_sync_status_and_off(db: Path, city_server: FakeCity,
                                       monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert _configure(monkeypatch, city_server.endpoint.rstrip("/")) == 0
    out = capsys.readouterr().out
    assert f"forwarded to {city_server.endpoint} as service code POTHOLE" in out
    assert "API key set" in out and API_KEY not in out

    async def area_key() -> str | None:
        async with SQLiteStore(db) as store:
            area = await store.get_area("roads")
            return area.open311_api_key_encrypted if area else None

    stored = asyncio.run(area_key())
    assert stored is not None and API_KEY not in stored
    assert AddressCipher(SECRET).decrypt(stored) == API_KEY

    assert main(["open311", "sync"]) == 0
    assert "worked on 1 forward(s)" in capsys.readouterr().out
    [sent] = city_server.received()
    assert sent.form["jurisdiction_id"] == "city.example"

    assert main(["open311", "status", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    [row] = shown["forwards"]
    assert (row["state"], row["service_request_id"], row["city_status"]) == (
        "sent", "1001", "open")
    assert main(["open311", "status", "--failed"]) == 0
    assert "CV-" not in capsys.readouterr().out

    assert main(["open311", "configure", "roads", "--off"]) == 0
    assert "roads: not forwarded" in capsys.readouterr().out
    assert asyncio.run(area_key()) is None


def test_a_failure_is_listed_and_retried(db: Path, city_server: FakeCity,
                                         monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert _configure(monkeypatch, city_server.endpoint, code="WRONG") == 0
    assert main(["open311", "sync"]) == 0
    capsys.readouterr()
    assert main(["open311", "status", "--failed"]) == 0
    out = capsys.readouterr().out
    assert "failed_permanent" in out and "400 unknown service_code" in out
    reference = out.split("\n")[1].split()[0]
    assert _configure(monkeypatch, city_server.endpoint) == 0
    assert main(["open311", "retry", reference.lower()]) == 0
    assert main(["open311", "sync"]) == 0
    assert len(city_server.received()) == 1


@pytest.mark.parametrize("endpoint", ["http://city.example/open311/v2/", "ftp://x/",
                                      "https://city.example/v2/requests.json"])
def test_unsafe_or_wrong_endpoints_are_refused(db: Path, endpoint: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["open311", "configure", "roads", "--endpoint", endpoint]) == 2
    assert "--endpoint" in capsys.readouterr().err


def test_an_unknown_area_is_a_usage_error(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["open311", "configure", "nowhere", "--service-code", "X"]) == 2
    assert "no service area 'nowhere'" in capsys.readouterr().err
