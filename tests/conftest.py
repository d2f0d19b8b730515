"""Fixtures shared by every test package."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The team's shared labelled data sets (beside the clone, as in CI)."""
    if not (SHARED_DATA / "bengaluru-civic").is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def triager():  # type: ignore[no-untyped-def]
    """The bundled default model, loaded once."""
    from models.registry import BUNDLED_DIR
    from nlp.triage import Triager

    return Triager.from_folder(BUNDLED_DIR)


@pytest.fixture
def service_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Settings for a whole service in ``tmp_path`` (database, models, keys); the same values
    are in the environment, so CLI commands run in the test see the same data."""
    from bot.settings import Settings

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/app.db")
    monkeypatch.setenv("MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    return Settings(_env_file=None)


@pytest.fixture
async def triage(triager):  # type: ignore[no-untyped-def]
    """An async triage service over the bundled model, stopped after the test."""
    from handlers.triage import TriageService

    service = TriageService(triager)
    yield service
    await service.stop()
