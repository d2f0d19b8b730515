"""The web channel's sender ids come from the server, and new ones are rationed per address."""

from __future__ import annotations

from collections.abc import Iterator
from ipaddress import ip_network
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings
from bot.web.clients import forwarded_client
from bot.web.web_senders import COOKIE, TooManySenders, WebSenders


@pytest.fixture
def settings(service_settings: Settings) -> Settings:
    return service_settings.model_copy(update={"web_senders_per_ip_per_hour": 5})


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _post(client: TestClient, **body: Any) -> Any:
    return client.post("/api/v1/messages", json={"text": "Bins not emptied on Oak Road",
                                                  **body})


def _reports(client: TestClient) -> int:
    store = client.app.state.services.store  # type: ignore[attr-defined]
    portal = client.portal
    assert portal is not None
    return len(portal.call(lambda: store.list_feedback(limit=1000)))


def test_rotating_the_page_id_does_not_make_new_senders(client: TestClient) -> None:
    first = _post(client, sender="a", message_id="m1")
    assert first.status_code == 200
    cookie = client.cookies.get(COOKIE)
    assert cookie and "httponly" in first.headers["set-cookie"].lower()
    # With the cookie, the page's own id changes nothing: one sender, one flood window.
    replies = [_post(client, sender=f"rotated-{i}").json() for i in range(6)]
    assert all(r["reference"] is None or r["duplicate"] is False for r in replies)
    assert _reports(client) <= 3  # FLOOD_MAX_REPORTS for one sender, not one per id
    mine = _post(client, sender="zzz", text="MY").json()["reply"]
    assert first.json()["reference"] in mine


def test_new_senders_per_address_are_rationed_and_the_excess_not_filed(
        client: TestClient) -> None:
    for i in range(5):
        client.cookies.clear()
        assert _post(client, sender=f"page-{i}").status_code == 200
    filed = _reports(client)
    client.cookies.clear()
    refused = _post(client, sender="page-5", text="Gas smell in the stairwell right now")
    assert refused.status_code == 429
    assert "try again later" in refused.json()["detail"]
    assert COOKIE not in refused.headers.get("set-cookie", "")
    assert _reports(client) == filed  # not filed, not alerted
    # The same page retrying (same id, same address) is not a new sender.
    client.cookies.clear()
    again = _post(client, sender="page-3", message_id="retry-1")
    assert again.status_code == 200


def test_a_forged_cookie_is_a_new_sender(client: TestClient) -> None:
    response = client.post("/api/v1/messages", json={"sender": "p", "text": "hello"},
                           headers={"Cookie": f"{COOKIE}=not-signed-by-us"})
    assert response.status_code == 200
    issued = response.headers["set-cookie"]  # a new id, signed by the server
    assert issued.startswith(f"{COOKIE}=") and "not-signed-by-us" not in issued


def test_polling_needs_the_cookie_not_the_page_id(client: TestClient) -> None:
    assert _post(client, sender="mine").status_code == 200
    assert client.get("/api/v1/messages").status_code == 200
    client.cookies.clear()
    assert client.get("/api/v1/messages", params={"sender": "mine"}).json() == []


def test_zero_means_no_limit() -> None:
    senders = WebSenders("k" * 40, 0, secure=True)
    ids = {senders.issue(f"hint-{i}", "10.0.0.1") for i in range(500)}
    assert len(ids) == 500
    limited = WebSenders("k" * 40, 2, secure=True)
    limited.issue("a", "10.0.0.1")
    limited.issue("b", "10.0.0.1")
    assert limited.issue("a", "10.0.0.1") == limited.issue("a", "10.0.0.1")
    limited.issue("c", "10.0.0.2")  # another address has its own allowance
    with pytest.raises(TooManySenders):
        limited.issue("c", "10.0.0.1")
    # The hint alone does not name a sender: another address gets another id.
    assert limited.issue("a", "10.0.0.2") != limited.issue("a", "10.0.0.1")


def test_forwarded_for_is_believed_only_from_trusted_proxies() -> None:
    proxies = [ip_network("10.0.0.0/8")]
    assert forwarded_client("203.0.113.9", "198.51.100.1", proxies) == "203.0.113.9"
    assert forwarded_client("10.1.2.3", "198.51.100.1", proxies) == "198.51.100.1"
    # A client's own X-Forwarded-For is on the left; the proxy appends the real address.
    assert forwarded_client("10.1.2.3", "1.2.3.4, 198.51.100.1", proxies) == "198.51.100.1"
    assert forwarded_client("10.1.2.3", "198.51.100.1, 10.9.9.9", proxies) == "198.51.100.1"
    assert forwarded_client("10.1.2.3", None, proxies) == "10.1.2.3"
    assert forwarded_client("10.1.2.3", "not-an-ip", proxies) == "unknown"
    assert forwarded_client("10.1.2.3", "198.51.100.1", []) == "10.1.2.3"


def test_trusted_proxies_must_parse() -> None:
    from bot.settings import ConfigError

    assert Settings(_env_file=None, trusted_proxies="10.0.0.0/8, ::1").proxies
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        _ = Settings(_env_file=None, trusted_proxies="10.0.0.0/8,nonsense").proxies
