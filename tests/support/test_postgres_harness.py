"""The throwaway PostgreSQL harness: a reachable server, a database per test, nothing left."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support import postgres
from tests.support.postgres import (
    ClusterError,
    PostgresCluster,
    reap_stale,
    sqlalchemy_url,
    start_cluster,
    throwaway_cluster,
)

ROOT_RUN = os.geteuid() == 0


async def scalar(url: str, sql: str) -> object:
    engine = create_async_engine(sqlalchemy_url(url))
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text(sql))).scalar_one()
    finally:
        await engine.dispose()


def server_uid(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return int(next(line for line in status if line.startswith("Uid:")).split()[1])


@contextmanager
def open_folder() -> Iterator[Path]:
    """A temporary folder the server's unprivileged user can enter (pytest's is root-only)."""
    folder = Path(tempfile.mkdtemp(prefix="civicvoice-harness-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


# -- the session's server ---------------------------------------------------------------


async def test_the_session_server_answers_through_sqlalchemy(postgres_url: str) -> None:
    assert str(await scalar(postgres_url, "SELECT version()")).startswith("PostgreSQL ")
    assert await scalar(postgres_url, "SELECT current_database()") == "civicvoice_test"
    assert await scalar(postgres_url, "SHOW server_encoding") == "UTF8"


def test_the_server_runs_as_an_unprivileged_user(postgres_cluster: PostgresCluster) -> None:
    pid = postgres_cluster.server_pid()
    assert pid is not None
    uid = server_uid(pid)
    if ROOT_RUN:
        assert uid == pwd.getpwnam(postgres.TEST_USER).pw_uid != 0
    else:
        assert uid == os.geteuid()
    assert postgres_cluster.data_dir.stat().st_uid == uid


SEEN: list[str] = []


@pytest.mark.parametrize("turn", [1, 2])
async def test_each_test_gets_an_empty_database_of_its_own(
        fresh_postgres_url: str, postgres_url: str, turn: int) -> None:
    assert fresh_postgres_url != postgres_url
    assert fresh_postgres_url not in SEEN
    SEEN.append(fresh_postgres_url)
    engine = create_async_engine(sqlalchemy_url(fresh_postgres_url))
    try:
        async with engine.begin() as conn:
            tables = await conn.execute(text("SELECT count(*) FROM pg_tables "
                                             "WHERE schemaname = 'public'"))
            assert tables.scalar_one() == 0  # nothing from the other turn
            await conn.execute(text("CREATE TABLE mark (turn int)"))
            await conn.execute(text("INSERT INTO mark VALUES (:turn)"), {"turn": turn})
    finally:
        await engine.dispose()


async def test_a_database_is_dropped_after_its_test_even_with_a_connection_left_open(
        postgres_cluster: PostgresCluster) -> None:
    with postgres_cluster.database() as url:
        name = url.rsplit("/", 1)[1]
        leaked = await asyncpg.connect(url)
    admin = await asyncpg.connect(postgres_cluster.url())
    try:
        assert await admin.fetchval("SELECT count(*) FROM pg_database WHERE datname = $1",
                                    name) == 0
    finally:
        await admin.close()
        leaked.terminate()


async def test_a_database_can_start_as_a_copy_of_a_template(
        postgres_cluster: PostgresCluster) -> None:
    # e.g. migrate once into a template, then copy it per test
    with postgres_cluster.database() as template_url:
        template = template_url.rsplit("/", 1)[1]
        postgres_cluster.psql("CREATE TABLE schema_mark (id int)", template)
        with postgres_cluster.database(template=template) as url:
            assert await scalar(url, "SELECT to_regclass('schema_mark') IS NOT NULL") is True


# -- starting and stopping clusters of their own ----------------------------------------


def test_stop_ends_the_server_and_removes_its_folder() -> None:
    cluster = start_cluster()
    try:
        base, pid = cluster.base, cluster.server_pid()
        assert pid is not None
        assert (cluster.data_dir / "PG_VERSION").is_file()
        assert cluster.psql("SELECT 1", postgres.DATABASE) == "1"
    finally:
        cluster.stop()
    assert not base.exists()
    assert not postgres._alive(pid)
    cluster.stop()  # a second stop does nothing


def test_a_with_block_cleans_up_after_keyboard_interrupt() -> None:
    with pytest.raises(KeyboardInterrupt), throwaway_cluster() as cluster:
        base, pid = cluster.base, cluster.server_pid()
        raise KeyboardInterrupt
    assert not base.exists()
    assert pid is not None
    assert not postgres._alive(pid)


def test_a_failed_start_says_why_and_leaves_nothing_behind() -> None:
    with open_folder() as bindir, open_folder() as parent:
        for tool in postgres.TOOLS:
            (bindir / tool).write_text("#!/bin/sh\necho 'initdb: error: disk on fire' >&2\n"
                                       "exit 1\n")
            (bindir / tool).chmod(0o755)
        with pytest.raises(ClusterError, match="disk on fire"):
            start_cluster(parent, bindir=bindir)
        assert list(parent.iterdir()) == []


def test_a_missing_server_names_the_package_to_install(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(postgres, "DEBIAN_BINDIRS", tmp_path)
    with pytest.raises(postgres.PostgresUnavailable, match="apt-get install postgresql"):
        postgres.find_bindir()


def test_a_cluster_left_by_a_killed_run_is_reaped_by_the_next(
        postgres_cluster: PostgresCluster) -> None:
    with open_folder() as parent:
        stale = start_cluster(parent)
        pid = stale.server_pid()
        try:
            dead = subprocess.Popen(["true"])  # its pid stands for the killed run's
            dead.wait()
            (stale.base / postgres.OWNER_FILE).write_text(f"{dead.pid}\n")
            assert reap_stale(parent) == [stale.base]
        finally:
            stale.stop()
        assert pid is not None
        assert not postgres._alive(pid)
    # the session's own cluster has a live owner: left alone
    assert postgres_cluster.base not in reap_stale(postgres_cluster.base.parent)
    assert postgres_cluster.server_pid() is not None


def runs(python: str, as_user: dict[str, Any]) -> bool:
    try:
        return subprocess.run([python, "-c", "pass"], cwd="/", check=False,
                              capture_output=True, **as_user).returncode == 0
    except OSError:  # e.g. the venv's interpreter lies under root's home
        return False


def test_the_harness_works_for_a_user_who_is_not_root() -> None:
    """Run this module as the unprivileged user (as a developer who is not root would): it
    then runs initdb and the server as itself."""
    account = postgres.ensure_test_user() if ROOT_RUN else None
    as_user: dict[str, Any] = {} if account is None else {
        "user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
    python = next((candidate for candidate in (sys.executable, "/usr/bin/python3")
                   if runs(candidate, as_user)), None)
    if python is None:
        pytest.fail("no Python interpreter the unprivileged user can run", pytrace=False)
    script = ("import postgres\n"
              "with postgres.throwaway_cluster() as c:\n"
              "    print(c.account is None, c.psql('SELECT current_user'), c.base)\n"
              "print(c.base.exists())\n")
    with open_folder() as folder:
        shutil.copy(postgres.__file__, folder / "postgres.py")
        result = subprocess.run([python, "-c", script], cwd=folder, check=False,
                                capture_output=True, text=True, timeout=120,
                                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
                                **as_user)
    assert result.returncode == 0, result.stderr
    first, last = result.stdout.splitlines()
    assert first.startswith("True postgres /")
    assert last == "False"
