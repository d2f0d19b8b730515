"""Staff access in the store: sessions, the last admin, sign-in failures, link codes."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage import ConflictError, FeedbackStore, SQLiteStore, StaffRole
from bot.storage.access_records import ThrottleKey, ThrottleScope
from bot.storage.migrations import MIGRATIONS

SOON = timedelta(hours=12)


def later() -> datetime:
    return datetime.now(UTC) + SOON


async def test_sessions_end_on_sign_out_password_change_and_deactivation(
        store: FeedbackStore) -> None:
    ana = await store.create_user("ana@city.example", StaffRole.STAFF, ["roads"])
    await store.create_user("boss@city.example", StaffRole.ADMIN)
    one = await store.create_staff_session(ana.id, "h1", later(), actor="staff:ana")
    two = await store.create_staff_session(ana.id, "h2", later(), actor="staff:ana")
    three = await store.create_staff_session(ana.id, "h3", later(), actor="staff:ana")
    found = await store.get_staff_session("h1")
    assert found is not None and found.id == one.id and found.user_id == ana.id
    assert await store.get_staff_session("nope") is None

    assert await store.revoke_staff_session(one.id, actor="staff:ana", reason="signed out")
    assert not await store.revoke_staff_session(one.id, actor="staff:ana", reason="again")
    assert await store.get_staff_session("h1") is None
    assert await store.revoke_staff_sessions(ana.id, actor="x", reason="r", keep=two.id) == 1
    assert await store.get_staff_session("h2") is not None
    assert await store.get_staff_session("h3") is None and three.id != two.id

    assert await store.set_user_password(ana.id, "new-hash", actor="staff:ana") == 1
    assert await store.get_staff_session("h2") is None

    await store.create_staff_session(ana.id, "h4", later(), actor="staff:ana")
    await store.update_user(ana.id, actor="admin:cli", active=False)
    assert await store.get_staff_session("h4") is None
    await store.update_user(ana.id, actor="admin:cli", active=True)
    assert await store.get_staff_session("h4") is None  # reactivation revives nothing
    assert await store.list_staff_sessions(ana.id) == []

    actions = [e.action for e in await store.list_audit("staff_user", ana.id)]
    assert actions.count("sign_in") == 4 and "sign_out" in actions
    assert "end_sessions" in actions and "set_password" in actions


async def test_an_expired_session_does_not_count(store: FeedbackStore) -> None:
    ana = await store.create_user("ana@city.example", StaffRole.STAFF)
    past = datetime.now(UTC) - timedelta(seconds=1)
    await store.create_staff_session(ana.id, "old", past, actor="staff:ana")
    assert await store.get_staff_session("old") is None
    assert await store.list_staff_sessions() == []


async def test_deactivation_revokes_tokens_and_is_audited(store: FeedbackStore) -> None:
    ana = await store.create_user("ana@city.example", StaffRole.STAFF, ["roads"])
    token = await store.create_api_token(ana.id, "tok-hash", "ci")
    await store.update_user(ana.id, actor="staff:boss@city.example", active=False)
    assert await store.get_user_by_token_hash("tok-hash") is None
    await store.update_user(ana.id, actor="staff:boss@city.example", active=True)
    assert await store.get_user_by_token_hash("tok-hash") is None  # still revoked
    stored = await store.get_api_token(token.id)
    assert stored is not None and stored.revoked
    entry = (await store.list_audit("staff_user", ana.id))[-2]
    assert entry.actor == "staff:boss@city.example"
    assert entry.before == {"active": True}
    assert entry.after == {"active": False, "sessions_ended": 0, "tokens_revoked": [token.id]}
    assert [t.id for t in await store.list_api_tokens()] == [token.id]
    assert await store.get_api_token(token.id + 1) is None


async def test_the_last_active_admin_cannot_be_deactivated_or_demoted(
        store: FeedbackStore) -> None:
    boss = await store.create_user("boss@city.example", StaffRole.ADMIN)
    with pytest.raises(ConflictError, match="last active admin"):
        await store.update_user(boss.id, actor="admin:cli", active=False)
    with pytest.raises(ConflictError, match="last active admin"):
        await store.update_user(boss.id, actor="admin:cli", role=StaffRole.STAFF)
    await store.update_user(boss.id, actor="admin:cli", areas=["roads"])  # no loss of power
    other = await store.create_user("two@city.example", StaffRole.ADMIN)
    await store.update_user(other.id, actor="admin:cli", active=False)
    with pytest.raises(ConflictError):  # an inactive admin does not count
        await store.update_user(boss.id, actor="admin:cli", active=False)
    await store.update_user(other.id, actor="admin:cli", active=True)
    await store.update_user(boss.id, actor="admin:cli", role=StaffRole.STAFF)
    user = await store.get_user(boss.id)
    assert user is not None and user.role is StaffRole.STAFF and user.active


async def test_concurrent_deactivations_keep_one_admin(store: FeedbackStore) -> None:
    one = await store.create_user("one@city.example", StaffRole.ADMIN)
    two = await store.create_user("two@city.example", StaffRole.ADMIN)
    results = await asyncio.gather(
        store.update_user(one.id, actor="a", active=False),
        store.update_user(two.id, actor="b", active=False), return_exceptions=True)
    assert sum(isinstance(r, ConflictError) for r in results) == 1
    assert len([u for u in await store.list_users() if u.role is StaffRole.ADMIN]) == 1


async def test_signin_failures_count_forget_and_clear(store: FeedbackStore) -> None:
    account = ThrottleKey(ThrottleScope.ACCOUNT, "acct")
    address = ThrottleKey(ThrottleScope.ADDRESS, "addr")
    long_ago = datetime.now(UTC) - timedelta(days=1)
    for expected in (1, 2, 3):
        found = await store.add_signin_failure([account, address], forget_before=long_ago)
        assert [(f.key, f.failures) for f in found] == [(account, expected),
                                                       (address, expected)]
    counts = await store.signin_failures([account, address], since=long_ago)
    assert {f.key.scope: f.failures for f in counts} == {"account": 3, "address": 3}
    await store.clear_signin_failures(account)
    assert [f.key for f in await store.signin_failures([account, address],
                                                       since=long_ago)] == [address]
    # a quiet spell: older failures are forgotten and the count starts again
    future = datetime.now(UTC) + timedelta(seconds=5)
    assert await store.signin_failures([address], since=future) == []
    again = await store.add_signin_failure([address], forget_before=future)
    assert again[0].failures == 1


async def test_a_link_code_is_redeemed_once_even_concurrently(store: FeedbackStore) -> None:
    await store.create_link_code("code-hash", ["roads", "waste"], later(), actor="admin:cli")
    results = await asyncio.gather(
        *(store.redeem_link_code("code-hash", -100 - i, actor="tg") for i in range(5)))
    winners = [r for r in results if r is not None]
    assert winners == [["roads", "waste"]]
    assert len(await store.list_telegram_groups()) == 1
    await store.create_link_code("expired", ["parks"], datetime.now(UTC) - SOON, actor="x")
    assert await store.redeem_link_code("expired", -7, actor="tg") is None
    assert await store.redeem_link_code("unknown", -7, actor="tg") is None


async def test_link_codes_race_across_two_connections(tmp_path: Path) -> None:
    path = tmp_path / "cv.db"
    async with SQLiteStore(path) as first, SQLiteStore(path) as second:
        await first.create_link_code("race", ["roads"], later(), actor="admin:cli")
        results = await asyncio.gather(first.redeem_link_code("race", -1, actor="tg"),
                                       second.redeem_link_code("race", -2, actor="tg"))
        assert sorted(r is None for r in results) == [False, True]
        groups = await first.list_telegram_groups()
        assert list(groups.values()) == [["roads"]]
        (entry,) = await first.list_audit("telegram_group")
        assert entry.action == "link" and entry.after == {"areas": ["roads"], "code": 1}


def test_an_old_database_migrates_its_link_codes_and_groups(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
               " applied_at TEXT NOT NULL)")
    for migration in MIGRATIONS[:4]:
        for statement in migration.statements:
            db.execute(statement)
        db.execute("INSERT INTO schema_version VALUES (?, ?, '2026-01-01T00:00:00.000000Z')",
                   (migration.version, migration.name))
    now = "2026-01-01T00:00:00.000000Z"
    expires = (datetime.now(UTC) + SOON).isoformat()
    meta = [("telegram:code:livehash", f'{{"areas": ["roads"], "expires": "{expires}"}}'),
            ("telegram:code:usedhash", ""),
            ("telegram:group:-1001", '{"areas": ["waste", "*"]}'),
            ("telegram:groups", "[-1001]"),
            ("dashboard:login-failures:abc", '{"count": 5, "locked_until": "2099"}'),
            ("digest:last:roads", "kept")]
    db.executemany("INSERT INTO meta VALUES (?, ?, ?)", [(k, v, now) for k, v in meta])
    db.close()

    async def check() -> None:
        async with SQLiteStore(path) as store:
            assert await store.telegram_group_areas(-1001) == ["*", "waste"]
            assert await store.redeem_link_code("usedhash", -5, actor="tg") is None
            assert await store.redeem_link_code("livehash", -5, actor="tg") == ["roads"]
            assert await store.get_meta("telegram:groups") is None
            assert await store.get_meta("dashboard:login-failures:abc") is None
            assert await store.get_meta("digest:last:roads") == "kept"

    asyncio.run(check())
