"""``civicvoice areas``: list, add, rename and retire against a SQLite file, in process."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.storage import SQLiteStore, StaffRole


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cv.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.chdir(tmp_path)
    return path


def _areas(capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, object]]:
    capsys.readouterr()
    assert main(["areas", "list", "--json"]) == 0
    return {row["code"]: row for row in json.loads(capsys.readouterr().out)}


def test_list_shows_the_models_areas(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    areas = _areas(capsys)
    assert {"roads", "waste", "other"} <= set(areas)
    assert areas["roads"]["active"] is True and int(str(areas["roads"]["trained_examples"])) > 100
    assert main(["areas", "list"]) == 0
    assert "Street lighting" in capsys.readouterr().out


def test_add_rename_retire(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["areas", "add", "snow_clearing", "Snow clearing", "--keyword", "ice"]) == 0
    assert "retrain" in capsys.readouterr().out
    assert main(["areas", "rename", "snow_clearing", "Winter service"]) == 0
    areas = _areas(capsys)
    assert areas["snow_clearing"]["label"] == "Winter service"
    assert areas["snow_clearing"]["too_few"] is True

    async def seed() -> str:
        async with SQLiteStore(db) as store:
            await store.create_user("sam@city.gov", StaffRole.STAFF, areas=["snow_clearing"])
            item = await store.create_feedback(
                channel="web", original_text="icy path", redacted_text="icy path",
                area="snow_clearing", area_confidence=0.5, kind="complaint")
            return item.reference

    reference = asyncio.run(seed())
    assert main(["areas", "retire", "snow_clearing", "--move-to", "roads"]) == 0
    assert "1 report(s) moved to roads" in capsys.readouterr().out
    areas = _areas(capsys)
    assert areas["snow_clearing"]["active"] is False
    assert areas["snow_clearing"]["moved_to"] == "roads"

    async def check() -> tuple[str, tuple[str, ...]]:
        async with SQLiteStore(db) as store:
            item = await store.get_feedback(reference)
            user = await store.get_user_by_email("sam@city.gov")
            assert item is not None and user is not None
            return item.area, user.areas

    area, staff_areas = asyncio.run(check())
    assert area == "roads" and "roads" in staff_areas


@pytest.mark.parametrize(("argv", "message"), [
    (["areas", "add", "Bad Code", "X"], "area code"),
    (["areas", "add", "roads", "Roads again"], "already exists"),
    (["areas", "rename", "nowhere", "X"], "not found"),
    (["areas", "retire", "roads", "--move-to", "roads"], "itself"),
    (["areas", "retire", "roads", "--move-to", "nowhere"], "not found"),
])
def test_bad_input_is_one_line_and_exit_2(db: Path, capsys: pytest.CaptureFixture[str],
                                          argv: list[str], message: str) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
