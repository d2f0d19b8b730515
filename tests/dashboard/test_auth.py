"""Sign-in, CSRF and who sees what (backoff: test_signin_throttle.py)."""

from __future__ import annotations

import re

import pytest

from bot.cli import main as cli
from tests.dashboard.conftest import Dash


def test_login_success_and_failure(dash: Dash) -> None:
    assert dash.client.get("/staff", follow_redirects=False).status_code == 303
    bad = dash.login("roads@city.gov", "wrong")
    assert bad.status_code == 401 and "not recognised" in bad.text
    good = dash.login("roads@city.gov")
    assert good.status_code == 303 and good.headers["location"] == "/staff"
    cookie = good.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "roads@city.gov" in dash.client.get("/staff").text


def test_cli_user_can_sign_in(dash: Dash, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["users", "add", "new@city.gov", "--role", "staff", "--area", "waste"]) == 0
    password = re.search(r"one-time password: (\S+)", capsys.readouterr().out)
    assert password
    assert dash.login("new@city.gov", password.group(1)).status_code == 303


@pytest.mark.parametrize("token", [None, "forged"])
def test_csrf_missing_or_wrong(dash: Dash, token: str | None) -> None:
    data = {"email": "roads@city.gov", "password": "correct horse battery"}
    dash.csrf()
    if token:
        data["csrf_token"] = token
    assert dash.client.post("/staff/login", data=data).status_code == 403
    assert dash.login("roads@city.gov").status_code == 303
    item = dash.file()
    response = dash.client.post(f"/staff/feedback/{item.reference}/note",
                                data={"note": "x", **({"csrf_token": token} if token else {})})
    assert response.status_code == 403
    assert dash.client.post("/staff/logout").status_code == 403


def test_staff_see_only_their_areas(dash: Dash) -> None:
    roads, bins = dash.file("Pothole"), dash.file("Bins not emptied", area="waste")
    dash.login("roads@city.gov")
    queue = dash.client.get("/staff").text
    assert roads.reference in queue and bins.reference not in queue
    assert dash.client.get(f"/staff/feedback/{bins.reference}").status_code == 404
    assert dash.client.get("/staff?area=waste").text.count(bins.reference) == 0
    dash.post("/staff/logout", {}, "/staff")
    dash.login("admin@city.gov")
    assert bins.reference in dash.client.get("/staff").text


def test_filters_search_and_escaping(dash: Dash) -> None:
    urgent = dash.file("Gas smell <script>alert(1)</script>", urgent=True)
    idea = dash.file("Add benches to the square", kind="idea", needs_review=True)
    dash.login("roads@city.gov")
    page = dash.client.get("/staff?urgent=yes").text
    assert urgent.reference in page and idea.reference not in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "12 Elm Street" not in page  # never the original text
    page = dash.client.get("/staff?kind=idea&review=yes").text
    assert idea.reference in page and urgent.reference not in page
    page = dash.client.get("/staff", params={"q": "benches"}).text
    assert idea.reference in page and urgent.reference not in page
    page = dash.client.get("/staff", params={"from": "2000-01-01", "to": "2000-01-02"}).text
    assert idea.reference not in page and "No reports match" in page
    report = dash.client.get(f"/staff/feedback/{urgent.reference}").text
    assert "<script>alert(1)</script>" not in report and "12 Elm Street" not in report
