"""Server-side sessions: sign-out, a password change and deactivation end them at once."""

from __future__ import annotations

import pytest

from bot.cli import main as cli
from bot.web.dashboard.session import COOKIE
from tests.dashboard.conftest import PASSWORD, Dash

NEW_PASSWORD = "a much longer passphrase"


def cookie(dash: Dash) -> str:
    value = dash.client.cookies.get(COOKIE)
    assert value
    return value


def use(dash: Dash, value: str) -> None:
    dash.client.cookies.set(COOKIE, value)


def signed_in(dash: Dash) -> bool:
    return dash.client.get("/staff", follow_redirects=False).status_code == 200


def test_a_cookie_copied_before_sign_out_opens_nothing(dash: Dash) -> None:
    assert dash.login("roads@city.gov").status_code == 303
    copied = cookie(dash)
    assert dash.post("/staff/logout", {}, "/staff").status_code == 303
    assert not signed_in(dash)
    use(dash, copied)
    assert not signed_in(dash)
    response = dash.client.get("/staff", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/staff/login"
    audit = dash.run(dash.store.list_audit, "staff_user")
    assert [e.action for e in audit if e.action.startswith("sign")] == ["sign_in", "sign_out"]


def test_signing_in_starts_a_new_session_each_time(dash: Dash) -> None:
    dash.login("roads@city.gov")
    first = cookie(dash)
    dash.login("roads@city.gov")
    assert cookie(dash) != first
    assert signed_in(dash)
    use(dash, first)
    assert signed_in(dash)  # another browser's session is its own until it signs out


def test_changing_ones_password_ends_every_other_session(dash: Dash) -> None:
    dash.login("roads@city.gov")
    laptop = cookie(dash)
    dash.client.cookies.clear()
    dash.login("roads@city.gov")
    phone_before = cookie(dash)
    page = dash.client.get("/staff/account/password")
    assert page.status_code == 200 and "Change your password" in page.text
    changed = dash.post("/staff/account/password", {
        "current": PASSWORD, "new": NEW_PASSWORD, "again": NEW_PASSWORD},
        "/staff/account/password")
    assert changed.status_code == 303
    assert "Password changed" in dash.client.get("/staff").text
    phone_after = cookie(dash)
    use(dash, laptop)
    assert not signed_in(dash)
    use(dash, phone_before)  # the session is re-issued: the old cookie is dead too
    assert not signed_in(dash)
    use(dash, phone_after)
    assert signed_in(dash)
    dash.client.cookies.clear()
    assert dash.login("roads@city.gov", PASSWORD).status_code == 401
    assert dash.login("roads@city.gov", NEW_PASSWORD).status_code == 303
    entry = [e for e in dash.run(dash.store.list_audit, "staff_user")
             if e.action == "set_password"][-1]
    assert entry.actor == "staff:roads@city.gov" and entry.after is not None
    assert entry.after["sessions_ended"] == 2 and NEW_PASSWORD not in str(entry.after)


@pytest.mark.parametrize(("form", "status", "message"), [
    ({"current": "wrong", "new": NEW_PASSWORD, "again": NEW_PASSWORD}, 401, "not right"),
    ({"current": PASSWORD, "new": "short", "again": "short"}, 400, "at least 12"),
    ({"current": PASSWORD, "new": NEW_PASSWORD, "again": NEW_PASSWORD + "x"}, 400, "differ"),
    ({"current": PASSWORD, "new": PASSWORD, "again": PASSWORD}, 400, "the same"),
    ({"current": PASSWORD, "new": "roads@city.gov", "again": "roads@city.gov"}, 400,
     "e-mail"),
])
def test_a_refused_password_change_changes_nothing(dash: Dash, form: dict[str, str],
                                                   status: int, message: str) -> None:
    dash.login("roads@city.gov")
    before = cookie(dash)
    response = dash.post("/staff/account/password", form, "/staff/account/password")
    assert response.status_code == status and message in response.text
    use(dash, before)
    assert signed_in(dash)
    assert not [e for e in dash.run(dash.store.list_audit, "staff_user")
                if e.action == "set_password"]


def test_the_password_page_needs_a_session_and_csrf(dash: Dash) -> None:
    response = dash.client.get("/staff/account/password", follow_redirects=False)
    assert response.status_code == 303
    dash.login("roads@city.gov")
    response = dash.client.post("/staff/account/password", data={
        "current": PASSWORD, "new": NEW_PASSWORD, "again": NEW_PASSWORD})
    assert response.status_code == 403


def test_deactivation_ends_sessions_on_the_next_request(
        dash: Dash, capsys: pytest.CaptureFixture[str]) -> None:
    dash.login("waste@city.gov")
    assert signed_in(dash)
    assert cli(["users", "deactivate", "waste@city.gov"]) == 0
    assert not signed_in(dash)
    assert cli(["users", "reactivate", "waste@city.gov"]) == 0
    assert not signed_in(dash)  # reactivation does not bring old sessions back
    assert dash.login("waste@city.gov").status_code == 303
    capsys.readouterr()


def test_a_password_reset_ends_sessions(dash: Dash, capsys: pytest.CaptureFixture[str]) -> None:
    dash.login("waste@city.gov")
    assert cli(["users", "reset-password", "waste@city.gov"]) == 0
    assert not signed_in(dash)
    out = capsys.readouterr().out
    password = next(line for line in out.splitlines() if "password:" in line).split()[-1]
    assert dash.login("waste@city.gov", PASSWORD).status_code == 401
    assert dash.login("waste@city.gov", password).status_code == 303
