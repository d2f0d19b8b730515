"""The compiled view predicts exactly what the scikit-learn pipelines predict."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from models.artifact import load_bundle
from models.compiled import Featurizer, compile_heads, predict_proba
from models.registry import BUNDLED_DIR
from nlp.heads import head_input
from nlp.prep import Preparer, feature_rows

TEXTS = ["Street light flickering on Elm Rd", "", "Could we have more buses at night?",
         "Gas smell in the stairwell!!", "thank you for the new bins", "x " * 3000,
         "Straße kaputt, café ñandú 🙂", "a", "one two three four five six seven"]


@pytest.fixture(scope="module")
def bundle():  # type: ignore[no-untyped-def]
    return load_bundle(BUNDLED_DIR)


def test_compiled_equals_sklearn(bundle) -> None:  # type: ignore[no-untyped-def]
    prepared = Preparer("en").prepare_many(TEXTS)
    rows = head_input(prepared)
    featurizer = Featurizer(feature_rows(prepared))
    for name, head in compile_heads(bundle.heads).items():
        fast = predict_proba(head, featurizer)
        slow = np.asarray(bundle.heads[name].predict_proba(rows))
        np.testing.assert_allclose(fast, slow, rtol=1e-4, atol=1e-5, err_msg=name)


def test_hashing_matches_sklearn(bundle) -> None:  # type: ignore[no-untyped-def]
    prepared = Preparer("en").prepare_many(TEXTS)
    rows = head_input(prepared)
    featurizer = Featurizer(feature_rows(prepared))
    area = bundle.heads["area"]
    used = [t for t in area.steps[0][1].transformers_ if t[1] != "drop"]
    for (_label, block, column), compiled in zip(
            used, compile_heads({"area": area})["area"].blocks, strict=True):
        expected = block.steps[0][1].transform(rows[:, column])
        assert (featurizer.counts(compiled) != expected).nnz == 0


def test_bundled_model_ships_its_compiled_view() -> None:
    from models.artifact import MODEL_FILE
    from models.compiled import load_compiled

    assert load_compiled(BUNDLED_DIR, BUNDLED_DIR / MODEL_FILE) is not None


def _hasher_and_block(analyzer: str, ngrams: tuple[int, int], column: int,
                      n_features: int = 2**12) -> tuple[Any, Any]:
    """scikit-learn's HashingVectorizer and the compiled Block with the same settings."""
    from sklearn.feature_extraction.text import HashingVectorizer

    from models.compiled import Block

    options = {"token_pattern": r"(?u)\b\w+\b"} if analyzer == "word" else {}
    hasher = HashingVectorizer(n_features=n_features, alternate_sign=False, norm=None,
                               analyzer=analyzer, ngram_range=ngrams, **options)
    block = Block(column=column, analyzer=analyzer, ngram_range=ngrams, n_features=n_features,
                  token_pattern=r"(?u)\b\w+\b", lowercase=True, sublinear_tf=False,
                  norm=None, idf=None)
    return hasher, block


@pytest.mark.parametrize("ngrams", [(1, 1), (1, 2), (1, 3), (2, 4), (2, 5), (4, 4), (3, 3)])
@pytest.mark.parametrize("analyzer", ["word", "char_wb"])
def test_every_ngram_setting_hashes_like_sklearn(analyzer: str, ngrams: tuple[int, int]) -> None:
    texts = ["a", "", "hi there  you", "Straße kaputt café", "one two three four five",
             "tab\there\n\nnew  line", "no\u00a0break\u2003em space\x1cfile sep", "  edge  "]
    hasher, block = _hasher_and_block(analyzer, ngrams, column=0)
    counts = Featurizer([(t, "") for t in texts]).counts(block)
    assert (counts != hasher.transform(texts)).nnz == 0


def _random_texts(seed: int, count: int) -> list[str]:
    import random

    rng = random.Random(seed)
    words = ["gas", "leak", "the", "bin", "Straße", "ñandú", "a", "x1", "pothole", "on",
             "elm", "rd", "!", "NUM", "F_the", "café", "ok", "no", "2024",
             "e-mail", "o'clock", "-", "gas-leak", "(bin)"]  # words of 0 or 2 tokens
    spaces = [" ", "  ", "\t", "\n", "\u00a0"]
    return ["".join(rng.choice(words) + rng.choice(spaces) for _ in range(rng.randrange(0, 40)))
            for _ in range(count)]


@pytest.mark.parametrize(("analyzer", "ngrams"), [
    ("word", (1, 2)), ("word", (1, 3)), ("word", (2, 4)), ("char_wb", (4, 4)),
    ("char_wb", (2, 5))])
def test_cached_hashing_matches_sklearn_across_batches_and_resets(
        analyzer: str, ngrams: tuple[int, int], monkeypatch: pytest.MonkeyPatch) -> None:
    from models import hashing

    hasher, block = _hasher_and_block(analyzer, ngrams, column=1)
    # small chunks and cache bounds, so chunking and starting again are exercised too
    monkeypatch.setattr(hashing, "CHUNK", 7)
    monkeypatch.setattr(hashing, "MAX_IDS", 10)
    monkeypatch.setattr(hashing, "MAX_GRAMS", 50)
    for seed in range(4):  # later batches reuse (and outgrow) the caches of earlier ones
        texts = _random_texts(seed, 30 if seed % 2 else 200)  # both ways to build the CSR
        counts = Featurizer([("", t) for t in texts]).counts(block)
        assert (counts != hasher.transform(texts)).nnz == 0, seed
