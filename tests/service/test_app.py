"""The whole service through HTTP: web channel, staff API, outbox, logs that keep secrets."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.cli import main as cli
from bot.settings import Settings
from tests.support.browsers import Browsers

PHONE = "+44 7700 900123"


@pytest.fixture
def settings(service_settings: Settings) -> Settings:
    return service_settings


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client
        _BROWSERS.pop(id(test_client), None)


_BROWSERS: dict[int, Browsers] = {}


def _say(client: TestClient, sender: str, text: str, message_id: str | None = None) -> dict:  # type: ignore[type-arg]
    """Send ``text`` from the browser called ``sender`` (its own cookie jar)."""
    browsers = _BROWSERS.setdefault(id(client), Browsers(client))
    response = browsers.say(sender, text, message_id)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_healthz_and_try_page(client: TestClient) -> None:
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["model_version"]
    page = client.get("/try")
    assert page.status_code == 200 and "/api/v1/messages" in page.text
    assert "textContent" in page.text and "innerHTML" not in page.text.split("never")[0]


def test_file_follow_and_retry(client: TestClient) -> None:
    first = _say(client, "alice", "Huge pothole outside 12 Elm Street", "m1")
    assert first["reference"].startswith("CV-") and first["area"] == "roads"
    assert first["reference"] in first["reply"]
    again = _say(client, "alice", "Huge pothole outside 12 Elm Street", "m1")
    assert again["duplicate"] is True and again["reply"] == first["reply"]
    status = _say(client, "alice", f"status {first['reference'].lower()}")
    assert first["reference"] in status["reply"]
    # another sender cannot see it: same answer as for an unknown reference
    theirs = _say(client, "mallory", f"STATUS {first['reference']}")
    unknown = _say(client, "mallory", "STATUS CV-ZZZZZ")
    assert theirs["reply"] == unknown["reply"].replace("CV-ZZZZZ", first["reference"])
    assert "pothole" not in theirs["reply"].lower()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b'{"sender": "a"}', 422),
        (b'{"sender": "", "text": "x"}', 422),
        (b'{"sender": "a", "text": "' + b"x" * 200_000 + b'"}', 422),
        (b"[]", 422),
    ],
)
def test_bad_requests_get_json_4xx(client: TestClient, body: bytes, status: int) -> None:
    response = client.post("/api/v1/messages", content=body,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == status
    assert "detail" in response.json()
    assert client.get("/healthz").status_code == 200


def test_odd_texts_are_answered_politely(client: TestClient) -> None:
    assert _say(client, "bob", "   ")["reference"] is None
    long = _say(client, "bob", "blocked drain " * 400)
    assert long["reference"] is None and "2000" in long["reply"]
    sql = _say(client, "bob", "'); DROP TABLE feedback;-- the bins are full")
    html = _say(client, "bob", "<script>alert(1)</script> broken street lamp")
    assert sql["reference"] and html["reference"]
    assert _say(client, "bob", "MY")["reply"].count("CV-") >= 2


def test_staff_action_reaches_the_citizen(client: TestClient, settings: Settings,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    filed = _say(client, "carol", f"Street light out on Oak Road, call me on {PHONE}", "c1")
    assert cli(["users", "add", "lights@city.example", "--role", "staff",
                "--area", filed["area"]]) == 0
    capsys.readouterr()
    assert cli(["tokens", "create", "lights@city.example"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/v1/feedback", headers=headers).json()
    assert [i["reference"] for i in listed["items"]] == [filed["reference"]]
    assert PHONE not in str(listed) and "[PHONE]" in str(listed)
    patched = client.patch(f"/api/v1/feedback/{filed['reference']}", headers=headers,
                           json={"status": "resolved", "note": "New lamp fitted."})
    assert patched.status_code == 200 and patched.json()["status"] == "resolved"
    inbox: list[dict] = []  # type: ignore[type-arg]
    for _ in range(50):  # the outbox delivers within a second or two
        inbox = _BROWSERS[id(client)].inbox("carol")
        if inbox:
            break
        time.sleep(0.1)
    assert len(inbox) == 1 and filed["reference"] in inbox[0]["text"]
    assert _BROWSERS[id(client)].inbox("dave") == []
    # Naming carol's hint in the query, from another browser, shows nothing.
    assert client.get("/api/v1/messages", params={"sender": "carol"}).json() == []


def test_logs_hold_no_phone_numbers_or_tokens(settings: Settings,
                                              caplog: pytest.LogCaptureFixture,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    with TestClient(create_app(settings)) as client:
        _say(client, PHONE, f"Live wire down and sparking near the school! ring {PHONE}")
        assert cli(["users", "add", "admin@city.example", "--role", "admin"]) == 0
        assert cli(["tokens", "create", "admin@city.example"]) == 0
        token = capsys.readouterr().out.strip().splitlines()[-1]
        client.get("/api/v1/feedback", headers={"Authorization": f"Bearer {token}"})
        client.get("/api/v1/feedback", headers={"Authorization": "Bearer wrong-token"})
    logged = "\n".join(r.getMessage() + str(r.args) for r in caplog.records)
    assert "URGENT" in logged  # the urgent alert was logged ...
    for secret in (PHONE, PHONE.replace(" ", ""), "7700 900123", token, "wrong-token"):
        assert secret not in logged  # ... without the number or any token


def test_openapi_documents_the_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/messages", "/api/v1/feedback", "/api/v1/feedback/{reference}",
                 "/api/v1/feedback/{reference}/replies", "/healthz"):
        assert path in paths
