"""Digest settings, the schedule and ``civicvoice digest send``."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.digests import DigestScheduler, build_service, digest_config, watermark_key
from bot.digests.config import ConfigError, parse_recipients, parse_schedules, parse_targets
from bot.storage import SQLiteStore, StaffRole
from tests.digests.conftest import Inbox, make_settings


def test_recipients_both_forms() -> None:
    short = parse_recipients("roads:a@x.org, b@x.org;*:c@x.org")
    assert short == {"roads": ("a@x.org", "b@x.org"), "*": ("c@x.org",)}
    assert parse_recipients('{"roads": ["a@x.org", "b@x.org"], "*": "c@x.org"}') == short
    with pytest.raises(ConfigError):
        parse_recipients("roads:not-an-address")


def test_schedules_and_targets() -> None:
    found = parse_schedules("roads=mon-fri 07:30")
    assert (found["roads"].day_of_week, found["roads"].hour, found["roads"].minute) == (
        "mon-fri", 7, 30)
    assert (found["*"].day_of_week, found["*"].hour) == ("*", 8)
    with pytest.raises(ConfigError):
        parse_schedules("roads=sometimes")
    default, per_area = parse_targets("default=7;roads=3")
    assert default == timedelta(days=7) and per_area == {"roads": timedelta(days=3)}


async def test_scheduler_starts_one_job_per_schedule() -> None:
    settings = make_settings(1, digest_schedule="roads=mon-fri 07:30;*=daily 08:00")
    async with SQLiteStore(":memory:") as store:
        scheduler = DigestScheduler(build_service(settings, store), digest_config(settings))
        scheduler.start()
        try:
            assert len(scheduler.next_runs()) == 2
        finally:
            scheduler.stop()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp: tuple[Inbox, int]) -> Path:
    path = tmp_path / "cv.db"
    for key, value in {"DATABASE_URL": f"sqlite:///{path}", "DATA_DIR": str(tmp_path),
                       "SECRET_KEY": "s" * 40, "SMTP_HOST": "127.0.0.1",
                       "SMTP_PORT": str(smtp[1]), "SMTP_STARTTLS": "false",
                       "DIGEST_RETRY_SECONDS": "0",
                       "PUBLIC_BASE_URL": "https://cv.example"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)

    async def seed() -> None:
        async with SQLiteStore(path) as store:
            await store.create_user("roads@cv.example", StaffRole.STAFF, ["roads"])
            await store.create_feedback(channel="web", original_text="Pothole on Elm St",
                                        redacted_text="Pothole on Elm St", area="roads",
                                        area_confidence=0.9, kind="complaint")

    asyncio.run(seed())
    return path


def _watermark(path: Path) -> str | None:
    async def read() -> str | None:
        async with SQLiteStore(path) as store:
            return await store.get_meta(watermark_key("roads", ""))

    return asyncio.run(read())


def test_cli_dry_run_prints_and_sends_nothing(
        db: Path, smtp: tuple[Inbox, int], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["digest", "send", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "roads by email: dry run" in out and "Pothole on Elm St" in out
    assert "roads@cv.example" in out
    assert smtp[0].messages == [] and _watermark(db) is None


def test_cli_send_then_nothing_new(
        db: Path, smtp: tuple[Inbox, int], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["digest", "send", "--area", "roads"]) == 0
    assert "roads by email: sent" in capsys.readouterr().out
    assert len(smtp[0].messages) == 1 and _watermark(db) is not None
    assert main(["digest", "send"]) == 0
    assert "nothing new" in capsys.readouterr().out
    assert len(smtp[0].messages) == 1


def test_cli_failure_exits_1(db: Path, smtp: tuple[Inbox, int],
                             capsys: pytest.CaptureFixture[str]) -> None:
    smtp[0].fail = 10
    assert main(["digest", "send"]) == 1
    assert "failed" in capsys.readouterr().err and _watermark(db) is None
