from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio

from models.artifact import MODEL_FILE, load_bundle
from models.registry import BUNDLED_DIR, ModelRegistry
from nlp.errors import ModelError


def _copy_version(registry: ModelRegistry, name: str, macro_f1: float) -> None:
    folder = registry.model_dir / "versions" / name
    shutil.copytree(BUNDLED_DIR, folder)
    meta = json.loads((folder / "metadata.json").read_text())
    meta["version"] = name
    meta["created_at"] = f"2030-01-0{len(name) % 9 + 1}T00:00:00+00:00"
    meta["metrics"]["area"]["macro_f1"] = macro_f1
    (folder / "metadata.json").write_text(json.dumps(meta))


def test_skops_round_trip(tmp_path: Path) -> None:
    bundle = load_bundle(BUNDLED_DIR)
    registry = ModelRegistry(tmp_path)
    bundle.metadata["version"] = "copy-1"
    folder = registry.register(bundle, "# card\n")
    again = load_bundle(folder)
    assert again.version == "copy-1"
    rows = np.array([["bin overflow", "F_BOS F_X", ""], ["pothole", "F_BOS F_X", ""]],
                    dtype=object)
    assert (again.heads["area"].predict_proba(rows) ==
            bundle.heads["area"].predict_proba(rows)).all()
    assert (folder / "MODEL_CARD.md").read_text() == "# card\n"


def test_untrusted_types_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "evil"
    shutil.copytree(BUNDLED_DIR, folder)
    # A model file that holds a non-sklearn object must not load.
    sio.dump({"area": Path("x")}, folder / MODEL_FILE)
    with pytest.raises(ModelError, match="untrusted"):
        load_bundle(folder)


def test_promote_and_rollback(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    bundled = registry.current_version()
    _copy_version(registry, "v-a", 0.5)
    _copy_version(registry, "v-bb", 0.6)
    registry.promote("v-a")
    registry.promote("v-bb")
    assert registry.current_version() == "v-bb"
    statuses = {i.version: i.status for i in registry.list()}
    assert statuses == {bundled: "previous", "v-a": "previous", "v-bb": "current"}
    assert registry.rollback() == "v-a"
    assert registry.current_version() == "v-a"
    assert {i.version: i.status for i in registry.list()}["v-bb"] == "rolled_back"
    assert registry.rollback() == bundled
    with pytest.raises(ModelError, match="nothing to roll back"):
        registry.rollback()


def test_list_fields(tmp_path: Path) -> None:
    infos = [i.to_json() for i in ModelRegistry(tmp_path).list()]
    assert len(infos) == 1
    entry = infos[0]
    assert entry["current"] is True and entry["status"] == "current"
    for key in ("version", "created_at", "reason", "labels_from_staff", "metrics"):
        assert key in entry
    assert entry["metrics"]["macro_f1"] > 0.6 and entry["metrics"]["accuracy"] > 0.7


def test_unknown_version(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no model version"):
        ModelRegistry(tmp_path).promote("nope")
