"""Build the scikit-learn pipelines of the four heads.

Every head reads a two-column array: column 0 is the *content* view of a prepared text
(lemmas), column 1 its *form* view (function words and rule cues, topics masked); see
``nlp.prep.Prepared``. A ``ColumnTransformer`` picks each feature block's column. Heads
hold only scikit-learn types, so they persist safely with skops.

* ``area``: word 1-2-grams plus character n-grams (within words, robust to typos and
  compounds) of the content, into a linear SVM with partially balanced class weights,
  sigmoid-calibrated by cross-validation so the probabilities are honest. Chosen by 5-fold
  CV on two cities' data in two languages.
* ``kind``: 4-way logistic regression over the form view.
* ``innovation``: logistic regression over the form view only, so it carries over to
  other cities' topics (and to other domains' suggestions).
* ``urgent``: logistic regression over content words and form; rules are combined with it
  in triage.

Features are hashed (``HashingVectorizer`` + ``TfidfTransformer``) rather than kept in a
vocabulary: a 150,000-entry vocabulary dict takes skops minutes to write and 17 s to read,
hashed features well under a second, for the same accuracy within 0.01. Feature blocks with
the same settings on the same column are identical across heads, so ``nlp.inference``
hashes each once per batch.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

TOKENS = r"(?u)\b\w+\b"
CONTENT, FORM = 0, 1
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


@dataclass(frozen=True, slots=True)
class AreaSetting:
    c: float
    balance: float


# Tried on the validation split by ``nlp.training``; the first is the default. Chosen from
# 5-fold CV on two cities (EN, DE): C 0.1-1 and class balance 0.5-1 were all near the top.
AREA_SETTINGS = (AreaSetting(0.3, 0.5), AreaSetting(0.1, 0.5), AreaSetting(1.0, 0.5),
                 AreaSetting(0.3, 1.0))


def area_pipeline(labels: Sequence[str], c: float = 0.3) -> Pipeline:
    """Return the unfitted service-area head for these training labels.

    Fit it with ``clf__sample_weight`` from ``partial_balance`` (times any row weights):
    the calibration wrapper hides the label names from a ``class_weight`` dict.
    """
    smallest = min(Counter(labels).values())
    return Pipeline([
        ("features", ColumnTransformer([("words", _content_words(), CONTENT),
                                        ("chars", _content_chars(), CONTENT)])),
        ("clf", CalibratedClassifierCV(LinearSVC(C=c), cv=max(2, min(3, smallest)),
                                       method="sigmoid", ensemble=False)),
    ])


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


def urgent_pipeline() -> Pipeline:
    """Return the unfitted urgency head (danger to life or property)."""
    return Pipeline([
        ("features", ColumnTransformer([("words", _content_words(), CONTENT),
                                        ("form", _form_ngrams(), FORM)])),
        ("clf", LogisticRegression(C=2.0, max_iter=2000, class_weight="balanced")),
    ])


def head_input(prepared: Sequence[Any]) -> np.ndarray:
    """The two-column object array every head reads (content, form)."""
    rows = np.empty((len(prepared), 2), dtype=object)
    for i, p in enumerate(prepared):
        rows[i, CONTENT] = p.content
        rows[i, FORM] = p.form
    return rows
