"""``users list/deactivate/reactivate/set-areas/set-role/reset-password``; tokens list/revoke."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from bot.security import hash_token
from bot.storage import FeedbackStore
from tests.cli.test_admin_cli import on, run_cli

Capsys = pytest.CaptureFixture[str]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "var" / "civicvoice.db"
    path.parent.mkdir()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.chdir(tmp_path)
    return path


def add(capsys: Capsys, email: str, role: str = "staff", *areas: str) -> str:
    args = ["users", "add", email, "--role", role]
    for area in areas:
        args += ["--area", area]
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    return next(line for line in out.splitlines() if "password:" in line).split()[-1]


def token_for(capsys: Capsys, email: str, label: str = "") -> str:
    code, out, _ = run_cli(capsys, "tokens", "create", email, "--label", label)
    assert code == 0
    return out.splitlines()[-1]


def session_for(db: Path, email: str) -> str:
    async def work(store: FeedbackStore) -> str:
        user = await store.get_user_by_email(email)
        assert user is not None
        await store.create_staff_session(user.id, f"session-of-{email}",
                                         datetime.now(UTC) + timedelta(hours=1), actor="t")
        return f"session-of-{email}"

    return on(db, work)


def live(db: Path, session_hash: str) -> bool:
    return on(db, lambda store: store.get_staff_session(session_hash)) is not None


def works(db: Path, token: str) -> bool:
    return on(db, lambda store: store.get_user_by_token_hash(hash_token(token))) is not None


def audit(db: Path) -> list[tuple[str, str, str]]:
    entries = on(db, lambda store: store.list_audit("staff_user"))
    return [(e.actor, e.action, e.entity_id) for e in entries]


def test_deactivate_ends_sessions_and_tokens_and_reactivate_revives_neither(
        db: Path, capsys: Capsys) -> None:
    add(capsys, "boss@city.example", "admin")
    add(capsys, "ana@city.example", "staff", "roads")
    token = token_for(capsys, "ana@city.example")
    session = session_for(db, "ana@city.example")
    code, out, _ = run_cli(capsys, "users", "deactivate", "ANA@city.example")
    assert code == 0 and out.strip() == (
        "deactivated ana@city.example: 1 session ended, 1 API token revoked")
    assert not works(db, token) and not live(db, session)
    code, out, _ = run_cli(capsys, "users", "deactivate", "ana@city.example")
    assert code == 0 and "already deactivated" in out

    code, out, _ = run_cli(capsys, "users", "list", "--json")
    listed = {u["email"]: u for u in json.loads(out)}
    assert listed["ana@city.example"]["active"] is False
    assert listed["ana@city.example"]["tokens"] == 0
    code, out, _ = run_cli(capsys, "users", "list")
    assert "DEACTIVATED" in next(line for line in out.splitlines() if "ana@" in line)

    code, out, _ = run_cli(capsys, "users", "reactivate", "ana@city.example")
    assert code == 0 and "reactivated ana@city.example" in out and "tokens create" in out
    assert not works(db, token) and not live(db, session)
    assert works(db, token_for(capsys, "ana@city.example"))
    actions = [(actor, action) for actor, action, _ in audit(db)]
    assert actions.count(("admin:cli", "update")) == 2


def test_the_last_active_admin_stays(db: Path, capsys: Capsys) -> None:
    add(capsys, "boss@city.example", "admin")
    for args in (["users", "deactivate", "boss@city.example"],
                 ["users", "set-role", "boss@city.example", "staff"]):
        code, out, err = run_cli(capsys, *args)
        assert code == 2 and out == "" and "last active admin" in err
        assert len(err.strip().splitlines()) == 1
    add(capsys, "deputy@city.example", "admin")
    assert run_cli(capsys, "users", "set-role", "boss@city.example", "staff")[0] == 0
    code, _, err = run_cli(capsys, "users", "deactivate", "deputy@city.example")
    assert code == 2 and "last active admin" in err


def test_set_areas_takes_only_active_areas(db: Path, capsys: Capsys) -> None:
    add(capsys, "boss@city.example", "admin")
    add(capsys, "ana@city.example", "staff", "roads")
    code, out, _ = run_cli(capsys, "users", "set-areas", "ana@city.example", "waste",
                           "parks_trees", "waste")
    assert code == 0 and out.strip() == (
        "ana@city.example now works on parks_trees, waste (was roads)")
    user = on(db, lambda store: store.get_user_by_email("ana@city.example"))
    assert user is not None and user.areas == ("parks_trees", "waste")
    code, _, err = run_cli(capsys, "users", "set-areas", "ana@city.example", "roads", "mars")
    assert code == 2 and "not an active service area: mars" in err
    assert run_cli(capsys, "areas", "retire", "parks_trees", "--move-to", "roads")[0] == 0
    code, _, err = run_cli(capsys, "users", "set-areas", "ana@city.example", "parks_trees")
    assert code == 2 and "parks_trees" in err
    code, out, _ = run_cli(capsys, "users", "set-areas", "boss@city.example", "roads")
    assert code == 0 and "still see every area" in out
    assert run_cli(capsys, "users", "set-areas", "ana@city.example")[0] == 2  # AREA needed
    code, _, err = run_cli(capsys, "users", "set-areas", "nobody@city.example", "roads")
    assert code == 2 and "nobody@city.example" in err
    code, _, err = run_cli(capsys, "users", "add", "x@city.example", "--role", "staff",
                           "--area", "mars")
    assert code == 2 and "mars" in err
    entry = on(db, lambda store: store.list_audit("staff_user", user.id))[-1]
    assert entry.actor == "admin:cli" and entry.after == {"areas": ["parks_trees", "waste"]}


def test_set_role(db: Path, capsys: Capsys) -> None:
    add(capsys, "boss@city.example", "admin")
    add(capsys, "ana@city.example")
    code, out, _ = run_cli(capsys, "users", "set-role", "ana@city.example", "admin")
    assert code == 0 and out.strip() == "ana@city.example is now admin (was staff)"
    code, out, _ = run_cli(capsys, "users", "set-role", "ana@city.example", "admin")
    assert code == 0 and "already admin" in out
    code, out, _ = run_cli(capsys, "users", "set-role", "ana@city.example", "staff")
    assert code == 0 and "no areas yet" in out
    assert run_cli(capsys, "users", "set-role", "ana@city.example", "boss")[0] == 2


def test_reset_password_prints_a_new_one_and_ends_sessions(db: Path, capsys: Capsys) -> None:
    old = add(capsys, "ana@city.example", "staff", "roads")
    session = session_for(db, "ana@city.example")
    token = token_for(capsys, "ana@city.example")
    code, out, _ = run_cli(capsys, "users", "reset-password", "ana@city.example")
    assert code == 0 and "1 session ended" in out and "not shown again" in out
    new = next(line for line in out.splitlines() if "one-time password:" in line).split()[-1]
    user = on(db, lambda store: store.get_user_by_email("ana@city.example"))
    assert user is not None and user.password_hash is not None
    assert PasswordHasher().verify(user.password_hash, new) and new != old
    assert not live(db, session)
    assert works(db, token)  # API tokens are separate credentials: 'tokens revoke' ends them
    (entry,) = [e for e in on(db, lambda store: store.list_audit("staff_user", user.id))
                if e.action == "set_password"]
    assert entry.actor == "admin:cli" and entry.after == {"password": "changed",
                                                          "sessions_ended": 1}
    assert new not in db.read_bytes().decode("latin-1")


def test_tokens_list_shows_ids_never_tokens(db: Path, capsys: Capsys) -> None:
    add(capsys, "boss@city.example", "admin")
    add(capsys, "ana@city.example", "staff", "roads")
    ci = token_for(capsys, "boss@city.example", "ci")
    open311 = token_for(capsys, "ana@city.example", "open311")
    code, out, _ = run_cli(capsys, "tokens", "list", "--json")
    assert code == 0 and ci not in out and open311 not in out
    assert hash_token(ci) not in out
    listed = json.loads(out)
    assert [(t["id"], t["email"], t["label"], t["active"]) for t in listed] == [
        (1, "boss@city.example", "ci", True), (2, "ana@city.example", "open311", True)]
    assert set(listed[0]) == {"id", "user_id", "email", "label", "created_at", "revoked_at",
                              "active"}
    code, out, _ = run_cli(capsys, "tokens", "list", "ana@city.example")
    assert code == 0 and len(out.strip().splitlines()) == 1 and "open311" in out
    assert run_cli(capsys, "tokens", "list", "nobody@city.example")[0] == 2


def test_tokens_revoke_by_id(db: Path, capsys: Capsys) -> None:
    add(capsys, "ana@city.example", "staff", "roads")
    token = token_for(capsys, "ana@city.example", "script")
    code, out, _ = run_cli(capsys, "tokens", "revoke", "1")
    assert code == 0 and out.strip() == "revoked token 1 of ana@city.example (script)"
    assert not works(db, token)
    code, out, _ = run_cli(capsys, "tokens", "revoke", "1")
    assert code == 0 and "already revoked" in out
    code, out, err = run_cli(capsys, "tokens", "revoke", "99")
    assert code == 2 and "99" in err
    assert run_cli(capsys, "tokens", "revoke", "abc")[0] == 2
    listed = json.loads(run_cli(capsys, "tokens", "list", "--json")[1])
    assert listed[0]["active"] is False and listed[0]["revoked_at"]
    entries = on(db, lambda store: store.list_audit("api_token", 1))
    assert [(e.actor, e.action) for e in entries] == [("admin:cli", "create"),
                                                      ("admin:cli", "revoke")]


def test_an_unknown_user_exits_2(db: Path, capsys: Capsys) -> None:
    for command in ("deactivate", "reactivate", "reset-password"):
        code, out, err = run_cli(capsys, "users", command, "nobody@city.example")
        assert code == 2 and out == "" and "nobody@city.example" in err, command

