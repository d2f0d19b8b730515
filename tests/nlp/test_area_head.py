"""The area head: out-of-fold calibration, class offsets, and what the compiled view serves."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.datasets import make_classification
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC

from models.compiled import Featurizer, compile_heads, predict_proba
from nlp.heads import (
    OFFSET_GRID,
    calibrated_log_odds,
    calibration_folds,
    class_offsets,
    head_input,
    log_odds_proba,
    partial_balance,
    sigmoid_calibration,
)
from nlp.metrics import classification_report
from nlp.prep import Preparer, feature_rows
from nlp.table import LabelledTable
from nlp.training import TrainConfig, _Trainer

TABLE = Path(__file__).resolve().parents[2] / "models" / "training" / "default_table.csv"


def _table(sizes: dict[str, int]) -> LabelledTable:
    """The first rows of some areas of the bundled table, as many as ``sizes`` says."""
    with TABLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    taken: dict[str, int] = defaultdict(int)
    texts, labels = [], []
    for row in rows:
        area = row["area"]
        if area in sizes and taken[area] < sizes[area]:
            taken[area] += 1
            texts.append(row["text"])
            labels.append(area)
    return LabelledTable(texts=texts, labels=labels)


@pytest.mark.parametrize("n_classes", [2, 4])
def test_calibration_matches_calibrated_classifier_cv(n_classes: int) -> None:
    x, y = make_classification(400, 20, n_informative=8, n_classes=n_classes,
                               weights=[0.6] + [0.4 / (n_classes - 1)] * (n_classes - 1),
                               random_state=0)
    weights = np.where(y == 0, 1.0, 2.0)
    reference = CalibratedClassifierCV(LinearSVC(C=0.1), cv=3, method="sigmoid",
                                       ensemble=False).fit(x, y, sample_weight=weights)
    decision = cross_val_predict(LinearSVC(C=0.1), x, y, cv=StratifiedKFold(3),
                                 method="decision_function", params={"sample_weight": weights})
    columns = [decision] if n_classes == 2 else list(decision.T)
    positives = [y == 1] if n_classes == 2 else [y == k for k in range(n_classes)]
    ours = [sigmoid_calibration(c, p, weights) for c, p in zip(columns, positives, strict=True)]
    theirs = [(c.a_, c.b_) for c in reference.calibrated_classifiers_[0].calibrators]
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)
    scores = reference.calibrated_classifiers_[0].estimator.decision_function(x[:50])
    proba = log_odds_proba(calibrated_log_odds(scores, np.asarray(theirs)))
    np.testing.assert_allclose(proba, reference.predict_proba(x[:50]), rtol=1e-6, atol=1e-9)


def _objective(log_odds: np.ndarray, truth: np.ndarray) -> float:
    predicted = np.argmax(log_odds, axis=1)
    report = classification_report(truth.tolist(), predicted.tolist())
    return float(report["macro_f1"] + 2.0 * report["accuracy"])


def test_offsets_bring_back_an_under_predicted_class() -> None:
    rng = np.random.default_rng(3)
    truth = np.repeat([0, 1, 2], [600, 300, 60])
    log_odds = rng.normal(size=(len(truth), 3))
    log_odds[np.arange(len(truth)), truth] += 2.0
    log_odds[:, 2] -= 1.5  # the rare class is rarely predicted
    offsets = class_offsets(log_odds, truth, bags=1)
    assert offsets[2] - offsets[:2].max() >= 0.5
    assert all(np.isclose(OFFSET_GRID, d).any() for d in offsets)  # steps of the grid
    assert _objective(log_odds + offsets, truth) > _objective(log_odds, truth) + 0.05
    bagged = class_offsets(log_odds, truth)  # an average over resamples, still a gain
    assert _objective(log_odds + bagged, truth) > _objective(log_odds, truth) + 0.03


def test_no_offsets_where_nothing_is_to_gain() -> None:
    truth = np.repeat([0, 1, 2], 50)
    log_odds = np.full((150, 3), -2.0)
    log_odds[np.arange(150), truth] = 2.0
    np.testing.assert_array_equal(class_offsets(log_odds, truth, bags=1), np.zeros(3))


@pytest.fixture(scope="module")
def preparer() -> Preparer:
    return Preparer("en")


@pytest.mark.parametrize("sizes", [
    {"waste": 120, "roads": 60, "street_lighting": 30, "noise_nuisance": 15},
    {"waste": 60, "roads": 25},
])
def test_trained_head_serves_its_offsets_exactly(sizes: dict[str, int],
                                                 preparer: Preparer) -> None:
    table = _table(sizes)
    prepared = preparer.prepare_many(table.texts)
    model, report, threshold = _Trainer(TrainConfig(n_jobs=1), None).area(prepared, table)
    setting = report["setting"]
    assert setting["C"] in setting["chosen_from"]
    assert sorted(setting["class_offsets"]) == sorted(sizes) == list(model.classes_)
    assert report["n"] == sum(round(n * 0.15) for n in sizes.values())
    assert 0.0 < threshold <= 1.0
    # the offsets are in the calibrators: sklearn and the compiled view agree with them
    texts = ["Street light flickering on Elm Rd", "", "garbage dumped near the school",
             "loud music all night from the pub", "pothole on the main road"]
    fresh = preparer.prepare_many(texts)
    rows = head_input(fresh)
    slow = model.predict_proba(rows)
    fast = predict_proba(compile_heads({"area": model})["area"],
                         Featurizer(feature_rows(fresh)))
    np.testing.assert_allclose(fast, slow, rtol=1e-4, atol=1e-5)
    calibrated = model.steps[-1][1].calibrated_classifiers_[0]
    ab = np.asarray([[c.a_, c.b_] for c in calibrated.calibrators])
    scores = calibrated.estimator.decision_function(model.steps[0][1].transform(rows))
    offsets = np.asarray([setting["class_offsets"][c] for c in model.classes_])
    shift = (offsets[1] - offsets[0]) / 2 if len(offsets) == 2 else offsets
    unshifted = ab.copy()
    unshifted[:, 1] += shift  # undo shift_classes: b - offset
    np.testing.assert_allclose(
        log_odds_proba(calibrated_log_odds(scores, unshifted) + offsets), slow,
        rtol=1e-6, atol=1e-9)
    # ... and were learnt on the out-of-fold scores those calibrators were fitted on
    labels = np.asarray(table.labels)
    weights = np.asarray(partial_balance(table.labels))
    fold = _Trainer(TrainConfig(n_jobs=1), None)._out_of_fold(
        model.steps[0][1].transform(head_input(prepared)), labels, weights, setting["C"],
        StratifiedKFold(calibration_folds(table.labels)))
    np.testing.assert_allclose(fold.calibration, unshifted, rtol=1e-4, atol=1e-6)
