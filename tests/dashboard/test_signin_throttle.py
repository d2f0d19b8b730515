"""Sign-in backoff per client address and per account, instead of an outsider's lock-out."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings
from bot.web.dashboard import throttle
from tests.dashboard.conftest import PASSWORD, Dash

OUTSIDER = "203.0.113.9"


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def wait(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    found = Clock()
    monkeypatch.setattr(throttle, "utcnow", found)
    return found


def from_address(dash: Dash, host: str) -> None:
    dash.client._transport.client = (host, 50000)


def seconds(response: httpx.Response) -> int:
    found = re.search(r"try again in (\d+) seconds?", response.text)
    assert found, response.text
    return int(found.group(1))


def test_backoff_policy() -> None:
    cap = throttle.ACCOUNT_CAP
    assert [throttle.backoff(n, cap).total_seconds() for n in range(1, 11)] == [
        0, 0, 5, 10, 20, 40, 80, 160, 300, 300]
    assert throttle.backoff(12, throttle.ADDRESS_CAP) == timedelta(minutes=15)
    assert throttle.backoff(10**6, throttle.ADDRESS_CAP) == timedelta(minutes=15)


def test_after_three_failures_even_the_right_password_waits(dash: Dash, clock: Clock) -> None:
    assert dash.login("roads@city.gov", "nope").status_code == 401
    second = dash.login("roads@city.gov", "nope")
    assert second.status_code == 401 and "try again" not in second.text
    third = dash.login("roads@city.gov", "nope")
    assert third.status_code == 401 and seconds(third) == 5
    refused = dash.login("roads@city.gov")  # the right password, during the backoff
    assert refused.status_code == 429 and seconds(refused) == 5
    assert refused.headers["retry-after"] == "5"
    clock.wait(3)
    assert seconds(dash.login("roads@city.gov")) == 2  # refused attempts are not counted
    clock.wait(2)
    assert dash.login("roads@city.gov").status_code == 303
    dash.post("/staff/logout", {}, "/staff")
    # the account's count was cleared; the address keeps its three until it goes quiet
    from_address(dash, "198.51.100.2")
    dash.client.cookies.clear()
    first_again = dash.login("roads@city.gov", "nope")
    assert first_again.status_code == 401 and "try again" not in first_again.text


def test_the_wait_doubles_up_to_a_cap(dash: Dash, clock: Clock) -> None:
    waits = []
    for _ in range(12):
        response = dash.login("waste@city.gov", "nope")
        assert response.status_code == 401
        waits.append(seconds(response) if "try again" in response.text else 0)
        clock.wait(waits[-1] - 1)
        assert dash.login("waste@city.gov").status_code in (401, 429)  # not counted
        clock.wait(1)
    # one address: its cap (15 minutes) is the longer one
    assert waits == [0, 0, 5, 10, 20, 40, 80, 160, 320, 640, 900, 900]
    dash.login("waste@city.gov", "nope")
    from_address(dash, "198.51.100.4")  # the account alone waits at most 5 minutes
    assert seconds(dash.login("waste@city.gov")) == 300


def test_an_outsider_cannot_keep_a_colleague_out_of_their_own_browser(
        dash: Dash, clock: Clock) -> None:
    assert dash.login("roads@city.gov").status_code == 303  # this browser is now known
    dash.post("/staff/logout", {}, "/staff")
    mine = dict(dash.client.cookies)
    dash.client.cookies.clear()
    from_address(dash, OUTSIDER)
    for _ in range(12):
        dash.login("roads@city.gov", "guess")
        clock.wait(1)
    assert dash.login("roads@city.gov").status_code == 429  # the outsider's own address
    from_address(dash, "198.51.100.7")  # a new address, but no history on this browser
    assert dash.login("roads@city.gov").status_code == 429  # the account's backoff
    from_address(dash, "testclient")
    for name, value in mine.items():
        dash.client.cookies.set(name, value)
    assert dash.login("roads@city.gov").status_code == 303  # the colleague's own browser


def test_one_address_guessing_at_many_accounts_waits(dash: Dash, clock: Clock) -> None:
    from_address(dash, OUTSIDER)
    for email in ("roads@city.gov", "waste@city.gov", "nobody@city.gov"):
        assert dash.login(email, "guess").status_code == 401
    assert dash.login("admin@city.gov").status_code == 429  # a fourth account, same address
    from_address(dash, "198.51.100.3")
    assert dash.login("admin@city.gov").status_code == 303  # elsewhere, nothing changed


def sign_in(client: TestClient, email: str, password: str = PASSWORD,
            headers: dict[str, str] | None = None) -> httpx.Response:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/staff/login").text)
    assert token
    return client.post("/staff/login", follow_redirects=False, headers=headers, data={
        "email": email, "password": password, "csrf_token": token.group(1)})


def test_counts_survive_a_restart(dash: Dash, clock: Clock) -> None:
    for _ in range(3):
        dash.login("waste@city.gov", "nope")
    with TestClient(create_app(Settings(_env_file=None))) as restarted:
        assert sign_in(restarted, "waste@city.gov").status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_client_counts(
        dash: Dash, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8")
    app = create_app(Settings(_env_file=None))
    with TestClient(app, client=("10.0.0.2", 40000)) as proxied:
        guesser = {"X-Forwarded-For": OUTSIDER}
        for email in ("roads@city.gov", "waste@city.gov", "nobody@city.gov"):
            assert sign_in(proxied, email, "guess", guesser).status_code == 401
        assert sign_in(proxied, "admin@city.gov", headers=guesser).status_code == 429
        colleague = {"X-Forwarded-For": "198.51.100.20"}  # the same proxy, another client
        assert sign_in(proxied, "admin@city.gov", headers=colleague).status_code == 303


def test_the_password_page_is_throttled_too(dash: Dash, clock: Clock) -> None:
    dash.login("roads@city.gov")
    for _ in range(3):
        response = dash.post("/staff/account/password",
                             {"current": "wrong", "new": "x" * 14, "again": "x" * 14},
                             "/staff/account/password")
        assert response.status_code == 401
    right = dash.post("/staff/account/password",
                      {"current": PASSWORD, "new": "x" * 14, "again": "x" * 14},
                      "/staff/account/password")
    assert right.status_code == 429 and seconds(right) == 5


def test_the_log_names_no_address_or_account(dash: Dash, clock: Clock,
                                             caplog: pytest.LogCaptureFixture) -> None:
    from_address(dash, OUTSIDER)
    with caplog.at_level(logging.DEBUG):
        dash.login("roads@city.gov", "guess")
    assert "failed dashboard sign-in" in caplog.text
    assert OUTSIDER not in caplog.text and "roads@city.gov" not in caplog.text
