"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.postgres import PostgresCluster, PostgresUnavailable, start_cluster

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


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL server for the session, started when a test first asks for it;
    without the server binaries every such test fails, saying what to install."""
    try:
        cluster = start_cluster()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_cluster: PostgresCluster) -> str:
    """``postgresql://postgres@127.0.0.1:PORT/civicvoice_test``, shared by the session."""
    return postgres_cluster.url()


@pytest.fixture
def fresh_postgres_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """The URL of a new empty database on the session's server, for this test alone."""
    with postgres_cluster.database() as url:
        yield url
