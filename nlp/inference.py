"""Fast prediction for the heads: hash each feature block once per batch, skip overheads.

scikit-learn's ``predict_proba`` on a pipeline validates and re-transforms at every step;
for one short text that costs milliseconds, and the four heads would hash the same views
several times. ``BatchScorer`` walks the fitted head structure built by ``nlp.heads``
(ColumnTransformer of hash+tfidf blocks, then a linear model), caches each hashed block by
its settings and column, and applies the linear models and calibrators with numpy. Any
other structure falls back to ``predict_proba``; tests check both agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit, softmax
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

_LINEAR: dict[int, tuple[Any, np.ndarray, np.ndarray]] = {}


def _linear(model: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """(weights as a C-contiguous features x classes matrix, intercepts), cached per model."""
    if not isinstance(model, LogisticRegression | LinearSVC):
        return None
    entry = _LINEAR.get(id(model))
    if entry is None or entry[0] is not model:
        # Fortran order makes coef_.T C-contiguous, so sparse @ weights needs no copy of a
        # large matrix per call; scikit-learn works the same with either order.
        model.coef_ = np.asfortranarray(model.coef_)
        entry = _LINEAR[id(model)] = (model, model.coef_.T, np.asarray(model.intercept_))
    return entry[1], entry[2]


_SETTINGS: dict[int, tuple[Any, str]] = {}


def _settings_key(hasher: Any) -> str:
    """A key equal for hashers with equal settings (computed once per hasher object)."""
    entry = _SETTINGS.get(id(hasher))
    if entry is None or entry[0] is not hasher:
        entry = _SETTINGS[id(hasher)] = (hasher, repr(sorted(hasher.get_params().items())))
    return entry[1]


def _tfidf(weighting: TfidfTransformer, counts: Any) -> Any:
    """``TfidfTransformer.transform`` without its per-call validation (same numbers)."""
    x = sp.csr_matrix(counts, dtype=np.float64, copy=True)
    if weighting.sublinear_tf:
        np.log(x.data, out=x.data)
        x.data += 1.0
    if weighting.use_idf:
        x.data *= weighting.idf_[x.indices]
    if weighting.norm == "l2":
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        x.data /= np.repeat(norms, np.diff(x.indptr))
    elif weighting.norm is not None:
        return weighting.transform(counts)
    return x


class BatchScorer:
    """Score several heads on one batch of two-column inputs, sharing hashed blocks."""

    def __init__(self, rows: np.ndarray) -> None:
        self.rows = rows
        self._hashed: dict[tuple[int, str], Any] = {}

    def predict_proba(self, head: Any) -> np.ndarray:
        """Class probabilities of ``head`` (same as ``head.predict_proba(rows)``)."""
        if not (isinstance(head, Pipeline) and len(head.steps) == 2
                and isinstance(head.steps[0][1], ColumnTransformer)):
            return np.asarray(head.predict_proba(self.rows))
        features = self._features(head.steps[0][1])
        if features is None:
            return np.asarray(head.predict_proba(self.rows))
        clf = head.steps[1][1]
        if isinstance(clf, CalibratedClassifierCV) and len(clf.calibrated_classifiers_) == 1:
            return self._calibrated(clf, features)
        linear = _linear(clf)
        if linear is None:
            return np.asarray(clf.predict_proba(features))
        scores = np.asarray(features @ linear[0]) + linear[1]
        if scores.shape[1] == 1:
            positive = expit(scores[:, 0])
            return np.column_stack([1 - positive, positive])
        return np.asarray(softmax(scores, axis=1))

    def _features(self, columns: ColumnTransformer) -> Any:
        blocks = []
        for _name, block, column in columns.transformers_:
            if block == "drop":
                continue
            if not (isinstance(block, Pipeline) and len(block.steps) == 2
                    and isinstance(column, int)):
                return None
            hasher, weighting = block.steps[0][1], block.steps[1][1]
            if not isinstance(weighting, TfidfTransformer):
                return None
            key = (column, _settings_key(hasher))
            hashed = self._hashed.get(key)
            if hashed is None:
                hashed = self._hashed[key] = hasher.transform(self.rows[:, column])
            blocks.append(_tfidf(weighting, hashed))
        return blocks[0] if len(blocks) == 1 else sp.hstack(blocks, format="csr")

    @staticmethod
    def _calibrated(clf: CalibratedClassifierCV, features: Any) -> np.ndarray:
        calibrated = clf.calibrated_classifiers_[0]
        linear = _linear(calibrated.estimator)
        if linear is None:
            return np.asarray(clf.predict_proba(features))
        scores = np.asarray(features @ linear[0]) + linear[1]
        calibrators = calibrated.calibrators
        if len(calibrators) == 1:  # binary: one calibrator on the positive class
            positive = expit(-(calibrators[0].a_ * scores[:, 0] + calibrators[0].b_))
            return np.column_stack([1 - positive, positive])
        proba = np.column_stack([
            expit(-(cal.a_ * scores[:, k] + cal.b_)) for k, cal in enumerate(calibrators)
        ])
        total = proba.sum(axis=1, keepdims=True)
        uniform = np.full_like(proba, 1.0 / proba.shape[1])
        return np.where(total > 0, proba / np.where(total > 0, total, 1), uniform)
