"""The libraries the stored artefacts depend on are the versions they were checked against.

``model.skops`` is read by scikit-learn and skops, and the compiled view
(``inference.npz``) reproduces scikit-learn's ``HashingVectorizer`` with mmh3: a new release
of any of them can change what a stored model predicts without an error. pyproject.toml
bounds them and records, under ``[tool.civicvoice.checked-versions]``, the versions these
tests passed with; the lock files pin one of those.
"""

from __future__ import annotations

import csv
import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from models.artifact import MODEL_FILE, load_bundle
from models.compiled import Featurizer, load_compiled, predict_proba
from models.registry import BUNDLED_DIR
from nlp.heads import head_input
from nlp.prep import Preparer, feature_rows

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CHECKED: dict[str, list[str]] = PYPROJECT["tool"]["civicvoice"]["checked-versions"]
REQUIREMENTS = {Requirement(line).name: Requirement(line)
                for line in PYPROJECT["project"]["dependencies"]}
HOW_TO_MOVE_ON = ("install it, run `pytest tests/models`, then add the version to "
                  "[tool.civicvoice.checked-versions] in pyproject.toml, widen the bound "
                  "and run `make lock`")


def locked(lock: str, name: str) -> set[str]:
    """The versions ``lock`` pins for ``name`` (one per environment marker)."""
    text = (ROOT / lock).read_text(encoding="utf-8")
    return set(re.findall(rf"^{re.escape(name)}==([^\s;\\]+)", text, re.M | re.I))


def test_every_guarded_library_has_a_record_and_an_upper_bound() -> None:
    assert set(CHECKED) == {"scikit-learn", "mmh3", "skops"}
    for name, versions in CHECKED.items():
        specifier = REQUIREMENTS[name].specifier
        assert any(spec.operator in {"<", "<=", "=="} for spec in specifier), (
            f"{name} needs an upper bound in pyproject.toml")
        admitted = [v for v in versions if specifier.contains(Version(v))]
        assert admitted == versions, (
            f"{name}{specifier} leaves out checked versions {set(versions) - set(admitted)}")


@pytest.mark.parametrize("name", sorted(CHECKED))
def test_installed_version_was_checked(name: str) -> None:
    installed = version(name)
    assert installed in CHECKED[name], (
        f"{name} {installed} is installed; the stored models were checked against "
        f"{', '.join(CHECKED[name])}: {HOW_TO_MOVE_ON}")


@pytest.mark.parametrize("lock", ["requirements.txt", "requirements-dev.txt"])
@pytest.mark.parametrize("name", sorted(CHECKED))
def test_lock_pins_a_checked_version(name: str, lock: str) -> None:
    pins = locked(lock, name)
    assert pins, f"{lock} does not pin {name}"
    assert pins <= set(CHECKED[name]), (
        f"{lock} pins {name} {', '.join(sorted(pins))}, not a checked version: {HOW_TO_MOVE_ON}")


def test_bundled_model_was_made_with_a_checked_scikit_learn() -> None:
    made_with = load_bundle(BUNDLED_DIR).metadata["libraries"]["scikit-learn"]
    assert made_with in CHECKED["scikit-learn"]


def test_stored_compiled_view_predicts_what_the_installed_scikit_learn_does() -> None:
    """The shipped ``inference.npz`` against ``model.skops`` read by today's libraries, on
    real rows of the training table (a few hundred, every area) and awkward strings."""
    with (ROOT / "models" / "training" / "default_table.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    texts = [row["text"] for row in rows[::40]] + [
        "", "a", "x " * 2000, "Straße kaputt, café ñandú 🙂", "tab\there\n\nnew  line",
        "no\u00a0break\u2003em space", "GAS SMELL!!! pls come asap"]
    bundle = load_bundle(BUNDLED_DIR)
    compiled = load_compiled(BUNDLED_DIR, BUNDLED_DIR / MODEL_FILE)
    assert compiled is not None, "the bundled model's compiled view is missing or stale"
    assert set(compiled) == set(bundle.heads)
    prepared = Preparer(bundle.lang).prepare_many(texts)
    featurizer = Featurizer(feature_rows(prepared))
    model_rows = head_input(prepared)
    for name, head in compiled.items():
        expected = np.asarray(bundle.heads[name].predict_proba(model_rows))
        np.testing.assert_allclose(predict_proba(head, featurizer), expected,
                                   rtol=1e-4, atol=1e-5, err_msg=name)
        assert list(head.classes) == [str(c) for c in bundle.heads[name].classes_]
