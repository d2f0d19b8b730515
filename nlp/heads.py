"""Build the scikit-learn pipelines of the four heads.

Every head reads one string view of a prepared text (see ``nlp.prep.Prepared.view``) and
holds only scikit-learn types, so it persists safely with skops.

* ``area``: word 1-2-grams plus character 2-5-grams (within words, robust to typos) into a
  linear SVM with partially balanced class weights, calibrated by cross-validation so the
  probabilities are honest. Chosen by 5-fold CV on two cities' data in two languages.

Features are hashed (``HashingVectorizer`` + ``TfidfTransformer``) rather than kept in a
vocabulary: a 150,000-entry vocabulary dict takes skops minutes to write and 17 s to read,
hashed features take under a second, for the same accuracy within 0.01.
* ``kind``: 4-way logistic regression over topic words and the form view.
* ``innovation``: logistic regression over the form view only (function words, modal verbs,
  rule cues with the topic words masked), so it carries over to other cities' topics.
* ``urgent``: logistic regression over both views; rules are combined with it in triage.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

TOKENS = r"(?u)\b\w+\b"
HEAD_VIEWS = {"area": "content", "kind": "form", "innovation": "form", "urgent": "mixed"}
CLASS_WEIGHT_POWER = 0.5  # 0 = none, 1 = fully balanced; 0.5 served macro-F1 and accuracy


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


def area_pipeline(labels: Sequence[str]) -> Pipeline:
    """Return the unfitted service-area head for these training labels.

    Fit it with ``clf__sample_weight`` from ``partial_balance`` (times any row weights):
    the calibration wrapper hides the label names from a ``class_weight`` dict.
    """
    smallest = min(Counter(labels).values())
    svm = LinearSVC(C=0.3)
    return Pipeline([
        ("features", FeatureUnion([
            ("words", hashed_tfidf(2**18, ngram_range=(1, 2))),
            ("chars", hashed_tfidf(2**18, analyzer="char_wb", ngram_range=(2, 5))),
        ])),
        ("clf", CalibratedClassifierCV(svm, cv=max(2, min(3, smallest)), method="sigmoid",
                                       ensemble=False)),
    ])


def kind_pipeline() -> Pipeline:
    """Return the unfitted kind head (complaint, idea, question, praise)."""
    return Pipeline([
        ("features", hashed_tfidf(2**17, ngram_range=(1, 3))),
        ("clf", LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")),
    ])


def binary_pipeline(c: float = 2.0, ngrams: tuple[int, int] = (1, 3)) -> Pipeline:
    """Return an unfitted binary head (innovation, urgent)."""
    return Pipeline([
        ("features", hashed_tfidf(2**17, ngram_range=ngrams)),
        ("clf", LogisticRegression(C=c, max_iter=2000, class_weight="balanced")),
    ])
