"""An area added by an admin is learnt from staff labels by the next retrain."""

from __future__ import annotations

import asyncio
import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.storage import CorrectionField, store_from_url
from models.registry import BUNDLED_DIR, ModelRegistry
from nlp.table import read_table
from nlp.training import TrainConfig, train_bundle
from tests.support.tables import small_base_table

WHAT = ["Snow has not been cleared from", "Thick ice all over", "Nobody gritted",
        "The snow plough skipped", "Slipped on the frozen snow on",
        "Please clear the snow and ice from"]
WHERE = ["the pavement on Elm Road", "the footpath by the school", "our cul-de-sac",
         "the steps to the station", "the bus stop on Hill Street",
         "the hill near the church", "the cycle lane"]


def test_a_new_area_is_learnt_from_staff_labels(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    base = small_base_table(tmp_path / "base.csv")
    registry = ModelRegistry(tmp_path / "models")
    current = train_bundle(read_table(base, ("text",), "area"), TrainConfig(),
                           base=registry.load(str(BUNDLED_DIR)), version="city-1")
    registry.register(current, status="current", reason="test setup")
    assert main(["areas", "add", "snow_clearing", "Snow and ice clearing"]) == 0
    texts = [f"{a} {b}" for a, b in itertools.product(WHAT, WHERE)]

    async def label() -> None:
        now = datetime.now(UTC)
        async with store_from_url(f"sqlite:///{tmp_path / 'cv.db'}") as store:
            for i, text in enumerate(texts):
                item = await store.create_feedback(
                    channel="sms", original_text=text, redacted_text=text, area="roads",
                    area_confidence=0.5, kind="complaint")
                await store.add_correction(item.id, CorrectionField.AREA, "snow_clearing",
                                           "roads", "staff:sam@city.gov",
                                           created_at=now - timedelta(minutes=len(texts) - i))

    asyncio.run(label())
    capsys.readouterr()
    assert main(["retrain", "--base-table", str(base), "--actor", "staff:boss@city.gov"]) == 0
    out = capsys.readouterr().out
    assert "PROMOTED" in out, out
    assert main(["classify", "The pavement outside the library is covered in ice and snow "
                 "and nobody has gritted it"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["area"] == "snow_clearing" and result["model_version"] != "city-1"
    assert main(["areas", "list", "--json"]) == 0
    snow = next(a for a in json.loads(capsys.readouterr().out) if a["code"] == "snow_clearing")
    assert snow["trained_examples"] >= 30
