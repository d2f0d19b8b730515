"""Hashed n-gram counts, exactly as scikit-learn's ``HashingVectorizer`` makes them, fast.

scikit-learn builds every n-gram string of every text and hashes it. Here each block keeps
small caches that live as long as the process:

* ``char_wb`` n-grams never cross a word, so a word's hashed indices are cached whole.
* Word n-grams: each token gets a small integer id once; an n-gram up to a trigram is
  then an integer key (ids in base ``2**21``), the keys of a batch are made distinct with
  numpy, and only a key never seen before is turned back into its string and hashed
  (MurmurHash3, seed 0, signed; index ``abs(hash) % n_features``, scikit-learn's rule with
  ``alternate_sign=False``). Longer n-grams take the plain string path.

Texts are taken in chunks small enough that the ids of one chunk always fit the key
space; the caches start again when they grow past their bounds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import mmh3
import numpy as np

ID_BITS = 21
BASE = 1 << ID_BITS  # three ids fit an int64 key
CHUNK = 256  # texts per chunk: at most ~800,000 tokens, so a chunk's new ids always fit
MAX_IDS = BASE - 1_000_000
MAX_KEYED_N = 3  # n-grams up to this length are int64 keys
WORD_PATTERNS = {r"(?u)\b\w+\b", r"(?u)\b\w\w+\b"}  # tokens are whole runs of word characters
MAX_GRAMS = 2_000_000  # cached n-gram keys (or words) per block before starting again


def hashed_index(gram: str, n_features: int) -> int:
    """scikit-learn's column for ``gram``."""
    return abs(mmh3.hash(gram, 0, True)) % n_features


def char_wb_ngrams(word: str, low: int, high: int) -> list[str]:
    """scikit-learn's ``char_wb`` n-grams of one word (padded with a space each side)."""
    word = f" {word} "
    length = len(word)
    if low == high:  # one length (the default heads): a slice per position
        return [word] if length <= low else [word[i:i + low] for i in range(length - low + 1)]
    grams: list[str] = []
    for n in range(low, high + 1):
        offset = 0
        grams.append(word[offset:offset + n])
        while offset + n < length:
            offset += 1
            grams.append(word[offset:offset + n])
        if offset == 0:
            break
    return grams


@dataclass(slots=True)
class _Cache:
    token_ids: dict[str, int] = field(default_factory=dict)
    tokens: list[str] = field(default_factory=list)
    grams: dict[int, dict[int, int]] = field(default_factory=dict)  # n -> key -> index
    words: dict[str, tuple[int, ...]] = field(default_factory=dict)  # char_wb
    long_grams: dict[str, int] = field(default_factory=dict)  # word n-grams with n > 3

    def trim(self) -> None:
        if len(self.tokens) > MAX_IDS or sum(map(len, self.grams.values())) > MAX_GRAMS:
            self.token_ids.clear()
            self.tokens.clear()
            self.grams.clear()
        if len(self.words) > MAX_GRAMS:
            self.words.clear()
        if len(self.long_grams) > MAX_GRAMS:
            self.long_grams.clear()


_CACHES: dict[tuple[Any, ...], _Cache] = {}


def _cache(key: tuple[Any, ...]) -> _Cache:
    found = _CACHES.get(key)
    if found is None:
        found = _CACHES[key] = _Cache()
    return found


def char_wb_counts(texts: Sequence[str], key: tuple[Any, ...], low: int, high: int,
                   n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of every ``char_wb`` n-gram of ``texts`` (lower-cased already)."""
    cache = _cache(key)
    cache.trim()
    known = cache.words
    cols: list[int] = []
    per_row: list[int] = []
    for text in texts:
        before = len(cols)
        # split() finds the same words as scikit-learn's whitespace folding then split()
        for word in text.split():
            found = known.get(word)
            if found is None:
                found = known[word] = tuple(hashed_index(g, n_features)
                                            for g in char_wb_ngrams(word, low, high))
            cols.extend(found)
        per_row.append(len(cols) - before)
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), per_row)
    return rows, np.asarray(cols, dtype=np.int64)


def word_counts(texts: Sequence[str], key: tuple[Any, ...], token_pattern: str, low: int,
                high: int, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of every word n-gram of ``texts`` (lower-cased already)."""
    cache = _cache(key)
    pattern = re.compile(token_pattern)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    for start in range(0, len(texts), CHUNK):
        cache.trim()
        chunk_rows, chunk_cols = _word_chunk(texts[start:start + CHUNK], cache, pattern,
                                             low, high, n_features)
        rows.append(chunk_rows + start)
        cols.append(chunk_cols)
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(rows), np.concatenate(cols)


def _token_ids(texts: Sequence[str], cache: _Cache, pattern: re.Pattern[str]
               ) -> tuple[np.ndarray, np.ndarray]:
    get = cache.token_ids.get
    ids: list[int] = []
    lengths: list[int] = []
    by_words = pattern.pattern in WORD_PATTERNS
    for text in texts:
        if by_words:
            # Nearly every word of a prepared text is one known token, and then its words
            # are its tokens: a known token is a run of word characters, none spans a space.
            known = list(map(get, text.split()))
            if None not in known:
                ids.extend(cast(list[int], known))
                lengths.append(len(known))
                continue
        tokens = pattern.findall(text)
        found = [get(t, -1) for t in tokens]
        if -1 in found:
            for i, token in enumerate(tokens):
                if found[i] == -1:
                    found[i] = cache.token_ids.setdefault(token, len(cache.tokens))
                    if found[i] == len(cache.tokens):
                        cache.tokens.append(token)
        ids.extend(found)
        lengths.append(len(tokens))
    return np.asarray(ids, dtype=np.int64), np.asarray(lengths, dtype=np.int64)


def _word_chunk(texts: Sequence[str], cache: _Cache, pattern: re.Pattern[str], low: int,
                high: int, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    ids, lengths = _token_ids(texts, cache, pattern)
    row_of = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
    starts = np.cumsum(lengths) - lengths
    left = lengths[row_of] - (np.arange(len(ids)) - starts[row_of])  # tokens from here on
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    for n in range(low, high + 1):
        at = np.flatnonzero(left >= n)
        if not at.size:
            break
        if n > MAX_KEYED_N:  # longer n-grams do not fit an int64 key: strings, slowly
            rows.append(row_of[at])
            cols.append(_long_grams(ids, at, n, cache, n_features))
            continue
        keys = ids[at]
        for k in range(1, n):
            keys = keys * BASE + ids[at + k]
        distinct, inverse = np.unique(keys, return_inverse=True)
        known = cache.grams.setdefault(n, {})
        get = known.get
        found = [get(k, -1) for k in distinct.tolist()]
        for i, value in enumerate(found):
            if value == -1:
                gram = " ".join(cache.tokens[t] for t in _ids_of(int(distinct[i]), n))
                found[i] = known[int(distinct[i])] = hashed_index(gram, n_features)
        rows.append(row_of[at])
        cols.append(np.asarray(found, dtype=np.int64)[inverse.reshape(-1)])
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(rows), np.concatenate(cols)


def _long_grams(ids: np.ndarray, at: np.ndarray, n: int, cache: _Cache,
                n_features: int) -> np.ndarray:
    tokens, known = cache.tokens, cache.long_grams
    cols = []
    for start in at.tolist():
        gram = " ".join(tokens[t] for t in ids[start:start + n].tolist())
        found = known.get(gram)
        if found is None:
            found = known[gram] = hashed_index(gram, n_features)
        cols.append(found)
    return np.asarray(cols, dtype=np.int64)


def _ids_of(key: int, n: int) -> list[int]:
    out = []
    for _ in range(n):
        key, token = divmod(key, BASE)
        out.append(token)
    return out[::-1]
