"""The admins' Users page: deactivate, role, areas, password reset and tokens, with CSRF."""

from __future__ import annotations

import re

from argon2 import PasswordHasher

from bot.security import hash_token, new_token
from tests.dashboard.conftest import Dash

PAGE = "/staff/admin/users"


def ids(dash: Dash) -> dict[str, int]:
    users = dash.run(dash.store.list_users, include_inactive=True)
    return {u.email: u.id for u in users}


def flash(dash: Dash) -> str:
    page = dash.client.get(PAGE).text
    found = re.findall(r'<p class="flash" role="status">([^<]*)</p>', page)
    return " ".join(found)


def test_only_admins_see_the_users_page(dash: Dash) -> None:
    assert dash.client.get(PAGE, follow_redirects=False).status_code == 303
    dash.login("roads@city.gov")
    assert "/staff/admin/users" not in dash.client.get("/staff").text
    assert "/staff/account/password" in dash.client.get("/staff").text
    assert dash.client.get(PAGE).status_code == 403
    waste = ids(dash)["waste@city.gov"]
    token = dash.csrf("/staff")
    refused = dash.client.post(f"{PAGE}/{waste}/active",
                               data={"active": "no", "confirm": "yes", "csrf_token": token})
    assert refused.status_code == 403
    assert dash.run(dash.store.get_user, waste).active


def test_an_admin_deactivates_and_reactivates_a_colleague(dash: Dash) -> None:
    who = ids(dash)
    user = dash.run(dash.store.get_user, who["waste@city.gov"])
    secret = new_token()
    dash.run(dash.store.create_api_token, user.id, hash_token(secret), "ci")
    dash.login("admin@city.gov")
    page = dash.client.get(PAGE).text
    assert "waste@city.gov" in page and secret not in page and hash_token(secret) not in page
    assert "/staff/admin/users" in dash.client.get("/staff").text  # in the nav
    url = f"{PAGE}/{user.id}/active"
    assert dash.post(url, {"active": "no"}, PAGE).status_code == 303  # no confirmation
    assert "Not deactivated" in flash(dash)
    assert dash.client.post(url, data={"active": "no", "confirm": "yes"}).status_code == 403
    assert dash.post(url, {"active": "no", "confirm": "yes"}, PAGE).status_code == 303
    assert "1 API token(s) revoked" in flash(dash)
    assert dash.run(dash.store.get_user_by_token_hash, hash_token(secret)) is None
    assert "deactivated" in dash.client.get(PAGE).text
    assert dash.post(url, {"active": "yes"}, PAGE).status_code == 303
    assert "reactivated" in flash(dash)
    entries = dash.run(dash.store.list_audit, "staff_user", user.id)
    assert [e.actor for e in entries if e.action == "update"] == ["staff:admin@city.gov"] * 2


def test_the_last_admin_cannot_leave(dash: Dash) -> None:
    me = ids(dash)["admin@city.gov"]
    dash.login("admin@city.gov")
    dash.post(f"{PAGE}/{me}/active", {"active": "no", "confirm": "yes"}, PAGE)
    assert "last active admin" in flash(dash)
    dash.post(f"{PAGE}/{me}/role", {"role": "staff"}, PAGE)
    assert "last active admin" in flash(dash)
    user = dash.run(dash.store.get_user, me)
    assert user.active and user.role == "admin"


def test_role_and_areas(dash: Dash) -> None:
    roads = ids(dash)["roads@city.gov"]
    dash.login("admin@city.gov")
    dash.post(f"{PAGE}/{roads}/areas", {"area": "waste"}, PAGE)
    token = dash.csrf(PAGE)
    response = dash.client.post(f"{PAGE}/{roads}/areas", follow_redirects=False, data={
        "csrf_token": token, "area": ["roads", "street_lighting"]})
    assert response.status_code == 303
    assert "now works on roads, street_lighting" in flash(dash)
    dash.post(f"{PAGE}/{roads}/areas", {"area": "atlantis"}, PAGE)
    assert "not an active service area: atlantis" in flash(dash)
    assert dash.run(dash.store.get_user, roads).areas == ("roads", "street_lighting")
    dash.post(f"{PAGE}/{roads}/role", {"role": "admin"}, PAGE)
    assert "is now admin" in flash(dash)
    dash.post(f"{PAGE}/{roads}/role", {"role": "boss"}, PAGE)
    assert "Not changed" in flash(dash)
    demoted = dash.post(f"{PAGE}/{ids(dash)['admin@city.gov']}/role", {"role": "staff"}, PAGE)
    assert demoted.headers["location"] == "/staff"  # roads@ is an admin now
    assert "admin@city.gov is now staff" in dash.client.get("/staff").text
    assert dash.client.get(PAGE).status_code == 403


def test_a_reset_password_is_shown_once_and_ends_sessions(dash: Dash) -> None:
    waste = ids(dash)["waste@city.gov"]
    dash.login("waste@city.gov")
    victim_cookie = dash.client.cookies.get("cv_staff")
    dash.client.cookies.clear()
    dash.login("admin@city.gov")
    refused = dash.post(f"{PAGE}/{waste}/reset-password", {}, PAGE)
    assert refused.status_code == 303 and "Not reset" in flash(dash)
    shown = dash.post(f"{PAGE}/{waste}/reset-password", {"confirm": "yes"}, PAGE)
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    found = re.search(r'<code id="password">([^<]+)</code>', shown.text)
    assert found and "1 session(s) of theirs ended" in shown.text
    password = found.group(1)
    assert password not in (shown.headers.get("set-cookie") or "")
    user = dash.run(dash.store.get_user, waste)
    assert PasswordHasher().verify(user.password_hash, password)
    admin_cookie = dash.client.cookies.get("cv_staff")
    dash.client.cookies.set("cv_staff", victim_cookie)
    assert dash.client.get("/staff", follow_redirects=False).status_code == 303
    dash.client.cookies.set("cv_staff", admin_cookie)
    assert dash.client.get("/staff", follow_redirects=False).status_code == 200


def test_tokens_are_revoked_by_number(dash: Dash) -> None:
    roads = dash.run(dash.store.get_user_by_email, "roads@city.gov")
    secret = new_token()
    token = dash.run(dash.store.create_api_token, roads.id, hash_token(secret), "open311")
    dash.login("admin@city.gov")
    page = dash.client.get(PAGE).text
    assert f'id="token-{token.id}"' in page and "open311" in page
    dash.post(f"/staff/admin/tokens/{token.id}/revoke", {}, PAGE)
    assert f"Token {token.id} of roads@city.gov revoked" in flash(dash)
    assert dash.run(dash.store.get_user_by_token_hash, hash_token(secret)) is None
    dash.post(f"/staff/admin/tokens/{token.id}/revoke", {}, PAGE)
    assert "already revoked" in flash(dash)
    dash.post("/staff/admin/tokens/999/revoke", {}, PAGE)
    assert "Not revoked" in flash(dash)
    (entry,) = [e for e in dash.run(dash.store.list_audit, "api_token", token.id)
                if e.action == "revoke"]
    assert entry.actor == "staff:admin@city.gov"
