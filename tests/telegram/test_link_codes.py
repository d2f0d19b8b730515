"""One-time group link codes: two racing ``/link`` calls, exactly one wins."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.channels.telegram.links import StaffLinks, create_code
from bot.storage import SQLiteStore

SECRET = "k" * 40


async def test_two_concurrent_redeems_of_one_code_link_one_group(tmp_path: Path) -> None:
    async with SQLiteStore(tmp_path / "cv.db") as store:
        code = await create_code(store, ["roads", "waste"], actor="admin:cli")
        links = StaffLinks(store, SECRET)
        results = await asyncio.gather(links.redeem(code, -1001), links.redeem(code, -1002))
        assert sorted(results, key=lambda r: r is None) == [["roads", "waste"], None]
        winner = -1001 if results[0] else -1002
        assert await links.groups_for("roads") == [winner]
        assert await links.redeem(code, -1003) is None  # and never again


async def test_two_workers_racing_on_one_database(tmp_path: Path) -> None:
    path = tmp_path / "cv.db"
    async with SQLiteStore(path) as one, SQLiteStore(path) as two:
        code = await create_code(one, ["parks_trees"])
        results = await asyncio.gather(StaffLinks(one, SECRET).redeem(code, -1),
                                       StaffLinks(two, SECRET).redeem(f" {code} ", -2))
        assert sum(r is not None for r in results) == 1


async def test_expired_unknown_and_oversized_codes(tmp_path: Path) -> None:
    async with SQLiteStore(tmp_path / "cv.db") as store:
        links = StaffLinks(store, SECRET)
        stale = await create_code(store, ["roads"], ttl=timedelta(seconds=-1))
        assert await links.redeem(stale, -1) is None
        assert await links.redeem("no-such-code", -1) is None
        assert await links.redeem("x" * 5000, -1) is None
        assert await links.group_areas(-1) == []
        code = await create_code(store, ["*"])
        assert await links.redeem(code, -1) == ["*"]
        assert await links.groups_for("anything") == [-1]
        audit = await store.list_audit("telegram_group", -1)
        assert [(e.actor, e.action) for e in audit] == [("telegram:group:-1", "link")]


async def test_a_staff_link_ends_with_its_token_or_its_user(tmp_path: Path) -> None:
    from bot.security import hash_token
    from bot.storage import StaffRole

    async with SQLiteStore(tmp_path / "cv.db") as store:
        links = StaffLinks(store, SECRET)
        lead = await store.create_user("lead@city.example", StaffRole.STAFF, ["roads"])
        first = await store.create_api_token(lead.id, hash_token("token-one"))
        await store.create_api_token(lead.id, hash_token("token-two"))
        assert await links.link_user(501, "LEAD@city.example", "token-one") is not None
        assert await links.link_user(502, "lead@city.example", "token-two") is not None
        assert await links.link_user(503, "other@city.example", "token-two") is None
        assert await store.revoke_token(first.id, actor="admin:cli")
        assert await links.staff_user(501) is None  # its token is revoked
        found = await links.staff_user(502)
        assert found is not None and found.id == lead.id
        await store.update_user(lead.id, actor="admin:cli", active=False)
        assert await links.staff_user(502) is None
        # a link stored before links named their token still needs an active user
        await store.update_user(lead.id, actor="admin:cli", active=True)
        await store.set_meta(links._user_key(504), str(lead.id))
        assert await links.staff_user(504) is not None
