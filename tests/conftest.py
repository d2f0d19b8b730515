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
