"""Build the scikit-learn pipelines of the four heads.

Every head reads a two-column array: column 0 is the *content* view of a prepared text
(lemmas), column 1 its *form* view (function words and rule cues, topics masked); see
``nlp.prep.Prepared``. A ``ColumnTransformer`` picks each feature block's column. Heads
hold only scikit-learn types, so they persist safely with skops.

* ``area``: word 1-2-grams plus character n-grams (within words, robust to typos and
  compounds) of the content, into a linear SVM with partially balanced class weights,
  sigmoid-calibrated by cross-validation so the probabilities are honest. Chosen by 5-fold
  CV on two cities' data in two languages. ``nlp.training`` picks C from ``AREA_C`` and
  adds per-class offsets to the calibrated log-odds (``class_offsets``, folded into the
  calibrators by ``shift_classes``), both from out-of-fold scores; ``bench/area_cv.py``
  compares this with other recipes.
* ``kind``: 4-way logistic regression over the form view.
* ``innovation``: logistic regression over the form view only, so it carries over to
  other cities' topics (and to other domains' suggestions).
* ``urgent``: logistic regression over content words, form and the tags (each rule, cue
  and danger word class a feature), calibrated on real labelled texts by
  ``nlp.urgency_training``; no rule decides alone.

Features are hashed (``HashingVectorizer`` + ``TfidfTransformer``) rather than kept in a
vocabulary: a 150,000-entry vocabulary dict takes skops minutes to write and 17 s to read,
hashed features well under a second, for the same accuracy within 0.01. Feature blocks with
the same settings on the same column are identical across heads, so ``nlp.inference``
hashes each once per batch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

TOKENS = r"(?u)\b\w+\b"
CONTENT, FORM, TAGS = 0, 1, 2
CLASS_WEIGHT_POWER = 0.5  # 0 = none, 1 = fully balanced; 0.5 served macro-F1 and accuracy
CHAR_NGRAMS = (4, 4)  # as accurate as 2-5 or 3-5 in CV on two cities, 2-4x faster


def partial_balance(labels: Sequence[str], power: float = CLASS_WEIGHT_POWER) -> list[float]:
    """Row weights ``(n_max / n_class) ** power``: rare classes count more, not fully."""
    counts = Counter(labels)
    largest = max(counts.values())
    per_class = {label: (largest / n) ** power for label, n in counts.items()}
    return [per_class[label] for label in labels]


def hashed_tfidf(n_features: int, **options: Any) -> Pipeline:
    """TF-IDF over hashed n-grams: no vocabulary to store, sublinear term frequency."""
    if options.get("analyzer", "word") == "word":
        options.setdefault("token_pattern", TOKENS)
    return Pipeline([
        ("hash", HashingVectorizer(n_features=n_features, alternate_sign=False, norm=None,
                                   dtype=np.float32, **options)),
        ("tfidf", TfidfTransformer(sublinear_tf=True)),
    ])


def _content_words() -> Pipeline:
    return hashed_tfidf(2**18, ngram_range=(1, 2))


def _content_chars() -> Pipeline:
    return hashed_tfidf(2**18, analyzer="char_wb", ngram_range=CHAR_NGRAMS)


def _form_ngrams() -> Pipeline:
    return hashed_tfidf(2**17, ngram_range=(1, 3))


# LinearSVC C values ``nlp.training`` tries by out-of-fold macro-F1 on the training rows.
# Noisy labels (citizens choosing their own category) want the smallest, clean ones 0.1-0.3
# (bench/area_cv.py, six proxy sets); 0.01 and 1.0 were never the best on any of them.
AREA_C = (0.03, 0.1, 0.3)
CALIBRATION_FOLDS = 3


def calibration_folds(labels: Sequence[str]) -> int:
    """Folds for out-of-fold scores: 3, fewer when a label has fewer rows (at least 2)."""
    return max(2, min(CALIBRATION_FOLDS, min(Counter(labels).values())))


def area_features() -> ColumnTransformer:
    """The area head's feature blocks (hashed word and character n-grams of the content)."""
    return ColumnTransformer([("words", _content_words(), CONTENT),
                              ("chars", _content_chars(), CONTENT)])


def area_svm(c: float) -> LinearSVC:
    """The area head's linear SVM (a fixed seed: the same rows and C give the same head).

    ``nlp.training`` fits it alone for out-of-fold scores; ``area_pipeline`` calibrates it.
    """
    return LinearSVC(C=c, random_state=0)


def area_pipeline(labels: Sequence[str], c: float = 0.1, n_jobs: int | None = None) -> Pipeline:
    """Return the unfitted service-area head for these training labels.

    Fit it with ``clf__sample_weight`` from ``partial_balance`` (times any row weights):
    the calibration wrapper hides the label names from a ``class_weight`` dict.
    ``n_jobs`` runs the calibration folds in parallel (no effect on the result).
    """
    return Pipeline([
        ("features", area_features()),
        ("clf", CalibratedClassifierCV(area_svm(c),
                                       cv=calibration_folds(labels),
                                       method="sigmoid", ensemble=False, n_jobs=n_jobs)),
    ])


# -- calibration and class offsets of the area head ---------------------------------------
#
# The calibrated head gives class k the log-odds z_k = -(a_k * score_k + b_k) (one sigmoid
# per class, Platt's method) and predicts argmax_k z_k. Its one-vs-rest sigmoids are fitted
# for log loss, not for macro-F1: rare classes are under-predicted and some confusable pairs
# lean one way. A per-class offset d_k (predict argmax_k z_k + d_k) learnt on out-of-fold
# rows corrects both; it is the same as b_k - d_k, so it lives in the calibrators and the
# compiled view needs nothing new.

OFFSET_GRID = np.linspace(-3.0, 3.0, 61)  # log-odds, in steps of 0.1
OFFSET_ACCURACY_WEIGHT = 2.0  # objective: macro-F1 + 2 * accuracy (both targets count)
OFFSET_BAGS = 8  # bootstrap resamples averaged: shrinks offsets that fit only a few rows


def sigmoid_calibration(scores: np.ndarray, positive: np.ndarray,
                        weights: np.ndarray) -> tuple[float, float]:
    """Platt's ``(a, b)`` with ``P(positive) = 1 / (1 + exp(a * score + b))``.

    The same fit as scikit-learn's sigmoid calibration (Platt's smoothed targets, weighted
    log loss, L-BFGS), so out-of-fold scores calibrated here match what
    ``CalibratedClassifierCV`` learns from the same folds.
    """
    from scipy.optimize import minimize

    s = np.asarray(scores, dtype=np.float64)
    largest = float(np.abs(s).max(initial=0.0))
    scale = largest if largest >= 30 else 1.0  # keeps L-BFGS well conditioned
    s = s / scale
    w = np.asarray(weights, dtype=np.float64)
    n_pos, n_neg = float(w[positive].sum()), float(w[~positive].sum())
    target = np.where(positive, (n_pos + 1.0) / (n_pos + 2.0), 1.0 / (n_neg + 2.0))

    def loss(ab: np.ndarray) -> tuple[float, np.ndarray]:
        raw = -(ab[0] * s + ab[1])  # log-odds of positive
        grad_raw = w * (0.5 * (1.0 + np.tanh(0.5 * raw)) - target)
        value = float(np.sum(w * (np.logaddexp(0.0, raw) - target * raw)))
        return value, np.array([-(grad_raw @ s), -grad_raw.sum()])

    start = np.array([0.0, np.log((n_neg + 1.0) / (n_pos + 1.0))])
    a, b = minimize(loss, start, jac=True, method="L-BFGS-B",
                    options={"gtol": 1e-6, "ftol": 64 * np.finfo(float).eps}).x
    return float(a / scale), float(b)


def calibrated_log_odds(scores: np.ndarray, calibration: np.ndarray) -> np.ndarray:
    """Rows x classes log-odds from decision scores and per-class ``(a, b)`` rows.

    A binary head has one score column (the second class) and one calibrator; its first
    class gets the opposite log-odds, so an argmax picks what its probabilities pick.
    """
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim == 1:
        z = -(calibration[0, 0] * s + calibration[0, 1])
        return np.column_stack([-z, z])
    return np.asarray(-(calibration[:, 0] * s + calibration[:, 1]))


def log_odds_proba(log_odds: np.ndarray) -> np.ndarray:
    """The calibrated head's probabilities for these log-odds (``predict_proba``'s rule)."""
    if log_odds.shape[1] == 2:
        positive = 0.5 * (1.0 + np.tanh(0.25 * (log_odds[:, 1] - log_odds[:, 0])))
        return np.column_stack([1.0 - positive, positive])
    proba = 0.5 * (1.0 + np.tanh(0.5 * log_odds))
    total = proba.sum(axis=1, keepdims=True)
    return np.where(total > 0, proba / np.where(total > 0, total, 1.0), 1.0 / proba.shape[1])


def class_offsets(log_odds: np.ndarray, truth: np.ndarray,
                  accuracy_weight: float = OFFSET_ACCURACY_WEIGHT, bags: int = OFFSET_BAGS,
                  seed: int = 0) -> np.ndarray:
    """Per-class offsets maximising macro-F1 + ``accuracy_weight`` * accuracy of the argmax.

    ``log_odds`` are out-of-fold (rows x classes), ``truth`` class indices. Each run is a
    coordinate ascent over ``OFFSET_GRID``; the result averages runs on ``bags`` bootstrap
    resamples (one run on the rows themselves when ``bags`` < 2).
    """
    z = np.asarray(log_odds, dtype=np.float64)
    y = np.asarray(truth, dtype=np.int64)
    if bags < 2:
        return _coordinate_ascent(z, y, accuracy_weight)
    rng = np.random.default_rng(seed)
    runs = [_coordinate_ascent(z[rows], y[rows], accuracy_weight)
            for rows in (rng.integers(0, len(y), len(y)) for _ in range(bags))]
    return np.asarray(np.mean(runs, axis=0))


def _coordinate_ascent(z: np.ndarray, y: np.ndarray, accuracy_weight: float,
                       passes: int = 3) -> np.ndarray:
    n, k_all = z.shape
    grid = OFFSET_GRID
    g = len(grid)
    true_counts = np.bincount(y, minlength=k_all).astype(np.float64)
    present = true_counts > 0
    offsets = np.zeros(k_all)
    for _ in range(passes):
        moved = False
        for k in range(k_all):
            # the best other class of each row, with the current offsets
            others = z + offsets
            others[:, k] = -np.inf
            rival = np.argmax(others, axis=1)
            # the row goes to k once offsets[k] exceeds this; for grid index q >= step[i]
            step = np.searchsorted(grid, others[np.arange(n), rival] - z[:, k], side="right")
            to_k = np.cumsum(np.bincount(step, minlength=g + 1))[:g]
            hits_k = np.cumsum(np.bincount(step[y == k], minlength=g + 1))[:g]
            # rows not (yet) moved to k stay with their rival: count those per grid index
            stays = np.bincount(step * k_all + rival, minlength=(g + 1) * k_all)
            stays = stays.reshape(g + 1, k_all)
            right = rival == y
            stays_right = np.bincount(step[right] * k_all + rival[right],
                                      minlength=(g + 1) * k_all).reshape(g + 1, k_all)
            predicted = stays.sum(axis=0) - np.cumsum(stays, axis=0)[:g]
            correct = stays_right.sum(axis=0) - np.cumsum(stays_right, axis=0)[:g]
            predicted[:, k], correct[:, k] = to_k, hits_k
            f1 = 2.0 * correct / np.maximum(predicted + true_counts, 1.0)
            objective = f1[:, present].mean(axis=1) + accuracy_weight * correct.sum(axis=1) / n
            best = np.flatnonzero(objective >= objective.max() - 1e-12)
            # among equally good values keep the current one, else the one nearest zero
            here = best[np.isclose(grid[best], offsets[k])]
            choice = grid[here[0]] if len(here) else grid[best[np.argmin(np.abs(grid[best]))]]
            moved = moved or choice != offsets[k]
            offsets[k] = choice
        if not moved:
            break
    return offsets


def shift_classes(model: Pipeline, offsets: np.ndarray) -> None:
    """Add ``offsets`` to a fitted area head's calibrated log-odds, in place."""
    calibrators = model.steps[-1][1].calibrated_classifiers_[0].calibrators
    if len(calibrators) == 1:  # binary: see ``calibrated_log_odds``
        calibrators[0].b_ = float(calibrators[0].b_) - (offsets[1] - offsets[0]) / 2.0
        return
    for calibrator, offset in zip(calibrators, offsets, strict=True):
        calibrator.b_ = float(calibrator.b_) - float(offset)


def kind_pipeline() -> Pipeline:
    """Return the unfitted kind head (complaint, idea, question, praise)."""
    return Pipeline([
        ("features", ColumnTransformer([("form", _form_ngrams(), FORM)])),
        ("clf", LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")),
    ])


def innovation_pipeline() -> Pipeline:
    """Return the unfitted innovation head (does the text propose something?)."""
    return Pipeline([
        ("features", ColumnTransformer([("form", _form_ngrams(), FORM)])),
        ("clf", LogisticRegression(C=2.0, max_iter=2000, class_weight="balanced")),
    ])


def _tags() -> Pipeline:
    """Each tag once, unweighted: a rule or a cue is a feature of its own (0 or 1)."""
    return Pipeline([
        ("hash", HashingVectorizer(n_features=2**14, alternate_sign=False, norm=None,
                                   dtype=np.float32, token_pattern=TOKENS)),
        ("tfidf", TfidfTransformer(use_idf=False, norm=None, sublinear_tf=True)),
    ])


URGENT_C = 1.0


def urgent_features() -> ColumnTransformer:
    """The urgency head's feature blocks: content words and characters (typos, translated
    and transliterated texts), form n-grams and the tags."""
    return ColumnTransformer([("words", _content_words(), CONTENT),
                              ("chars", _content_chars(), CONTENT),
                              ("form", _form_ngrams(), FORM),
                              ("tags", _tags(), TAGS)])


def urgent_classifier(c: float = URGENT_C) -> LogisticRegression:
    """The urgency head's linear model (``nlp.urgency_training`` calibrates it)."""
    return LogisticRegression(C=c, max_iter=3000, class_weight="balanced")


def head_input(prepared: Sequence[Any]) -> np.ndarray:
    """The three-column object array every head reads (content, form, tags)."""
    rows = np.empty((len(prepared), 3), dtype=object)
    for i, p in enumerate(prepared):
        rows[i, CONTENT] = p.content
        rows[i, FORM] = p.form
        rows[i, TAGS] = p.tags
    return rows
