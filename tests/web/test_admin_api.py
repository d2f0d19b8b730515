"""The admin JSON API on the real app: models, retrain, drift, areas, users and tokens."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.retraining import StatusFile, retrain_lock
from bot.security import hash_token, new_token
from bot.settings import Settings
from bot.storage import FeedbackStore, StaffRole
from models.registry import BUNDLED_DIR
from tests.dashboard.test_admin_models import add_version, retrain_summary


class Api:
    def __init__(self, client: TestClient, model_dir: Path) -> None:
        self.client = client
        self.model_dir = model_dir
        self.store: FeedbackStore = client.app.state.services.store  # type: ignore[attr-defined]
        self.tokens: dict[str, str] = {}

    def run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        async def call() -> Any:
            return await fn(*args, **kwargs)

        return self.client.portal.call(call)  # type: ignore[union-attr]

    def user(self, email: str, role: StaffRole) -> None:
        user = self.run(self.store.create_user, email, role, ["roads"], None)
        self.tokens[email] = new_token()
        self.run(self.store.create_api_token, user.id, hash_token(self.tokens[email]))

    def call(self, method: str, url: str, who: str = "boss@city.gov", **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return self.client.request(method, url, headers=headers, **kw)


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/app.db")
    monkeypatch.setenv("MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    with TestClient(create_app(Settings(_env_file=None))) as client:
        world = Api(client, tmp_path / "models")
        world.user("boss@city.gov", StaffRole.ADMIN)
        world.user("clerk@city.gov", StaffRole.STAFF)
        yield world


ROUTES = [("GET", "/api/v1/admin/models", None), ("POST", "/api/v1/admin/retrain", None),
          ("GET", "/api/v1/admin/retrain", None), ("GET", "/api/v1/admin/drift", None),
          ("POST", "/api/v1/admin/models/rollback", None),
          ("POST", "/api/v1/admin/models/x/promote", None), ("GET", "/api/v1/areas", None),
          ("POST", "/api/v1/areas", {"code": "snow", "label": "Snow"}),
          ("PATCH", "/api/v1/areas/roads", {"label": "Highways"}),
          ("POST", "/api/v1/areas/roads/retire", {"move_to": "waste"})]


def test_admins_only(api: Api) -> None:
    for method, url, body in ROUTES:
        assert api.client.request(method, url, json=body).status_code == 401, url
        response = api.call(method, url, "clerk@city.gov", json=body)
        assert response.status_code == 403, url
    assert api.run(api.store.get_area, "roads").label != "Highways"
    assert StatusFile(api.model_dir).read() is None
    schema = api.client.get("/openapi.json").json()["paths"]
    assert {"/api/v1/admin/models", "/api/v1/areas/{code}/retire"} <= set(schema)


def test_models_promote_and_rollback(api: Api) -> None:
    add_version(api.model_dir, "2030-next", retrain_summary())
    body = api.call("GET", "/api/v1/admin/models").json()
    bundled = body["current"]
    assert body["serving"] == bundled and body["retrain"]["running"] is False
    versions = {v["version"]: v for v in body["versions"]}
    assert versions["2030-next"]["status"] == "candidate"
    assert versions["2030-next"]["retrain"]["candidate"]["macro_f1"] == 0.8123
    matrix = versions[bundled]["confusion_matrix"]
    assert len(matrix["matrix"]) == len(matrix["labels"]) == 13
    assert versions[bundled]["metrics"]["macro_f1"] > 0.5
    promoted = api.call("POST", "/api/v1/admin/models/2030-next/promote")
    assert promoted.status_code == 200 and promoted.json()["current"] == "2030-next"
    assert api.call("GET", "/healthz").json()["model_version"] == "2030-next"
    assert api.call("POST", "/api/v1/admin/models/nope/promote").status_code == 404
    back = api.call("POST", "/api/v1/admin/models/rollback")
    assert back.status_code == 200 and back.json()["current"] == bundled
    assert api.call("POST", "/api/v1/admin/models/rollback").status_code == 409
    audit = api.run(api.store.list_audit, "model")
    assert [(e.action, e.actor) for e in audit] == [("promote", "staff:boss@city.gov"),
                                                    ("rollback", "staff:boss@city.gov")]


def test_retrain_start_status_and_conflict(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    assert api.call("GET", "/api/v1/admin/retrain").json() == {
        "available": True, "running": False, "status": None}
    with retrain_lock(api.model_dir):  # another process is retraining
        busy = api.call("POST", "/api/v1/admin/retrain")
        assert busy.status_code == 409 and "already running" in busy.json()["detail"]
    monkeypatch.setattr("bot.retraining.sys.executable", shutil.which("true"))
    started = api.call("POST", "/api/v1/admin/retrain")
    assert started.status_code == 202, started.text
    state = started.json()
    assert state["running"] and state["status"]["actor"] == "staff:boss@city.gov"
    assert api.call("POST", "/api/v1/admin/retrain").status_code == 409
    files = StatusFile(api.model_dir)
    status = files.read()
    assert status is not None
    files.step(status, "scoring")
    files.finish(status, state="promoted", reason="promoted: better", version="v2",
                 candidate=0.8, current=0.7, labels_from_staff=3)
    done = api.call("GET", "/api/v1/admin/retrain").json()
    assert not done["running"] and done["status"]["steps"] == ["scoring"]
    assert done["status"]["state"] == "promoted" and done["status"]["candidate_macro_f1"] == 0.8


def test_areas_crud(api: Api) -> None:
    listed = {a["code"]: a for a in api.call("GET", "/api/v1/areas").json()}
    trained = json.loads((BUNDLED_DIR / "metadata.json").read_text())["label_counts"]
    assert listed["street_lighting"]["trained_examples"] == trained["street_lighting"] > 100
    assert listed["street_lighting"]["warning"] == ""
    created = api.call("POST", "/api/v1/areas", json={
        "code": "snow_clearing", "label": "Snow clearing", "keywords": ["snow", "ice"]})
    assert created.status_code == 201 and created.json()["active"] is True
    assert api.call("POST", "/api/v1/areas", json={"code": "snow_clearing", "label": "x"}
                    ).status_code == 409
    assert api.call("POST", "/api/v1/areas", json={"code": "Bad!", "label": "x"}
                    ).status_code == 422
    new = {a["code"]: a for a in api.call("GET", "/api/v1/areas").json()}["snow_clearing"]
    assert new["predicted_by_model"] is False and "does not know this area" in new["warning"]
    changed = api.call("PATCH", "/api/v1/areas/snow_clearing",
                       json={"label": "Snow & ice", "group": "Streets"})
    assert changed.json()["label"] == "Snow & ice" and changed.json()["group"] == "Streets"
    assert api.call("PATCH", "/api/v1/areas/nowhere", json={"label": "x"}).status_code == 404
    assert api.call("PATCH", "/api/v1/areas/roads", json={}).status_code == 422
    retired = api.call("POST", "/api/v1/areas/snow_clearing/retire", json={"move_to": "roads"})
    assert retired.json() == {"code": "snow_clearing", "moved_to": "roads", "reports_moved": 0}
    again = api.call("POST", "/api/v1/areas/waste/retire", json={"move_to": "snow_clearing"})
    assert again.status_code == 409 and "is retired" in again.json()["detail"]
    assert api.call("POST", "/api/v1/areas/waste/retire", json={"move_to": "waste"}
                    ).status_code == 400
    audit = api.run(api.store.list_audit, "service_area", "snow_clearing")
    assert [e.action for e in audit] == ["create", "update", "retire"]
    assert {e.actor for e in audit} == {"staff:boss@city.gov"}


def test_drift(api: Api) -> None:
    body = api.call("GET", "/api/v1/admin/drift").json()
    assert body["labelled"] == 0 and body["areas"] == [] and body["confusions"] == []


# -- staff accounts and API tokens ------------------------------------------------------------

USER_ROUTES = [("GET", "/api/v1/admin/users", None), ("GET", "/api/v1/admin/users/1", None),
               ("PATCH", "/api/v1/admin/users/2", {"active": False}),
               ("POST", "/api/v1/admin/users/2/reset-password", None),
               ("GET", "/api/v1/admin/tokens", None),
               ("POST", "/api/v1/admin/tokens/1/revoke", None)]


def test_account_routes_are_admins_only(api: Api) -> None:
    for method, url, body in USER_ROUTES:
        assert api.client.request(method, url, json=body).status_code == 401, url
        response = api.call(method, url, "clerk@city.gov", json=body)
        assert response.status_code == 403, url
        assert response.json() == {"detail": "this needs an admin account"}
    assert api.call("GET", "/api/v1/feedback", "clerk@city.gov").status_code == 200


def test_list_and_change_users(api: Api) -> None:
    listed = {u["email"]: u for u in api.call("GET", "/api/v1/admin/users").json()}
    clerk = listed["clerk@city.gov"]
    assert clerk | {"created_at": None, "updated_at": None} == {
        "id": 2, "email": "clerk@city.gov", "role": "staff", "areas": ["roads"],
        "active": True, "sessions": 0, "tokens": 1, "created_at": None, "updated_at": None}
    url = f"/api/v1/admin/users/{clerk['id']}"
    moved = api.call("PATCH", url, json={"areas": ["waste", "roads"]})
    assert moved.status_code == 200 and moved.json()["areas"] == ["roads", "waste"]
    bad = api.call("PATCH", url, json={"areas": ["roads", "mars"]})
    assert bad.status_code == 400 and "not an active service area: mars" in bad.json()["detail"]
    api.run(api.store.retire_area, "waste", "roads", actor="test")
    assert api.call("PATCH", url, json={"areas": ["waste"]}).status_code == 400
    for body in ({}, {"role": "boss"}, {"active": True, "password": "x"}, {"areas": "roads"},
                 {"active": 0}, {"active": "false"}, {"areas": [""]}):
        refused = api.call("PATCH", url, json=body)
        assert refused.status_code == 422 and isinstance(refused.json()["detail"], str), body
    assert api.call("PATCH", "/api/v1/admin/users/99", json={"active": False}
                    ).status_code == 404
    assert api.call("PATCH", url, json={"role": "admin"}).json()["role"] == "admin"
    assert api.call("PATCH", url, json={"role": "staff"}).json()["role"] == "staff"

    off = api.call("PATCH", url, json={"active": False})
    # retiring waste into roads moved the clerk's waste work to roads and dropped the code
    assert off.status_code == 200 and off.json() | {"updated_at": None} == clerk | {
        "areas": ["roads"], "active": False, "tokens": 0, "updated_at": None}
    assert api.call("GET", "/api/v1/feedback", "clerk@city.gov").status_code == 401
    assert api.call("PATCH", url, json={"active": True}).json()["active"] is True
    assert api.call("GET", "/api/v1/feedback", "clerk@city.gov").status_code == 401

    boss = listed["boss@city.gov"]["id"]
    last = api.call("PATCH", f"/api/v1/admin/users/{boss}", json={"active": False})
    assert last.status_code == 409 and "last active admin" in last.json()["detail"]
    assert api.call("PATCH", f"/api/v1/admin/users/{boss}", json={"role": "staff"}
                    ).status_code == 409
    audit = api.run(api.store.list_audit, "staff_user", clerk["id"])
    assert {e.actor for e in audit if e.action == "update"} == {"staff:boss@city.gov"}


def test_reset_password_ends_sessions_and_is_not_cached(api: Api) -> None:
    from datetime import UTC, datetime, timedelta

    user = api.run(api.store.get_user_by_email, "clerk@city.gov")
    api.run(api.store.create_staff_session, user.id, "sess",
            datetime.now(UTC) + timedelta(hours=1), actor="t")
    response = api.call("POST", f"/api/v1/admin/users/{user.id}/reset-password")
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["email"] == "clerk@city.gov" and body["sessions_ended"] == 1
    assert len(body["password"]) >= 16
    assert api.run(api.store.get_staff_session, "sess") is None
    changed = api.run(api.store.get_user, user.id)
    assert PasswordHasher().verify(changed.password_hash, body["password"])
    (entry,) = [e for e in api.run(api.store.list_audit, "staff_user", user.id)
                if e.action == "set_password"]
    assert entry.actor == "staff:boss@city.gov" and body["password"] not in str(entry.after)
    assert api.call("POST", "/api/v1/admin/users/99/reset-password").status_code == 404


def test_tokens_are_listed_by_id_and_revoked(api: Api) -> None:
    listed = api.call("GET", "/api/v1/admin/tokens").json()
    assert [(t["id"], t["email"], t["active"]) for t in listed] == [
        (1, "boss@city.gov", True), (2, "clerk@city.gov", True)]
    text = json.dumps(listed)
    assert all(token not in text and hash_token(token) not in text
               for token in api.tokens.values())
    mine = api.call("GET", "/api/v1/admin/tokens", params={"user_id": 2}).json()
    assert [t["id"] for t in mine] == [2]
    assert api.call("GET", "/api/v1/admin/tokens", params={"user_id": 99}).status_code == 404
    assert api.call("GET", "/api/v1/admin/tokens", params={"user_id": "x"}).status_code == 422
    revoked = api.call("POST", "/api/v1/admin/tokens/2/revoke")
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    assert api.call("GET", "/api/v1/feedback", "clerk@city.gov").status_code == 401
    again = api.call("POST", "/api/v1/admin/tokens/2/revoke")
    assert again.status_code == 200 and again.json()["revoked_at"] == revoked.json()[
        "revoked_at"]
    missing = api.call("POST", "/api/v1/admin/tokens/99/revoke")
    assert missing.status_code == 404 and "99" in missing.json()["detail"]
    entries = api.run(api.store.list_audit, "api_token", 2)
    assert [(e.actor, e.action) for e in entries][-1] == ("staff:boss@city.gov", "revoke")


def test_the_schema_declares_the_error_bodies_the_routes_send(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    error = {"$ref": "#/components/schemas/ErrorOut"}
    admin = {p: ops for p, ops in schema["paths"].items()
             if p.startswith(("/api/v1/admin", "/api/v1/areas"))}
    assert {"/api/v1/admin/users", "/api/v1/admin/users/{user_id}",
            "/api/v1/admin/users/{user_id}/reset-password", "/api/v1/admin/tokens",
            "/api/v1/admin/tokens/{token_id}/revoke"} <= set(admin)
    for path, operations in admin.items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if code.startswith("4"):
                    content = response["content"]["application/json"]["schema"]
                    assert content == error, (method, path, code)
    patch = admin["/api/v1/admin/users/{user_id}"]["patch"]["responses"]
    assert {"400", "401", "403", "404", "409", "422"} <= set(patch)
    users = admin["/api/v1/admin/users"]["get"]["responses"]["200"]
    assert users["content"]["application/json"]["schema"]["items"] == {
        "$ref": "#/components/schemas/UserOut"}
    assert "password_hash" not in json.dumps(schema["components"]["schemas"]["UserOut"])
