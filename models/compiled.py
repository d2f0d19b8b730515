"""A version's heads as plain arrays, for fast prediction without importing scikit-learn.

``model.skops`` stays the artifact of record (scikit-learn types, loaded only with a
trusted-type check). Saving a version also writes ``inference.npz`` (numeric arrays,
read with ``allow_pickle=False``) and ``inference.json`` (the feature settings and the
sha256 of the ``model.skops`` they came from). Loading these needs only numpy, scipy and
mmh3, which keeps start-up well under the time scikit-learn and skops take to import.

The feature hashing reproduces scikit-learn's ``HashingVectorizer`` exactly (same
analyzers, same signed MurmurHash3 with seed 0, same index rule); tests compare every
head's probabilities with ``predict_proba``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from models.hashing import char_wb_counts, word_counts

FEW_ROWS = 64  # batches up to this size build their sparse matrices directly
SPEC_FILE = "inference.json"
ARRAYS_FILE = "inference.npz"
FORMAT = 1


@dataclass(frozen=True, slots=True)
class Block:
    """One feature block: hashed n-grams of one input column, TF-IDF weighted."""

    column: int
    analyzer: str
    ngram_range: tuple[int, int]
    n_features: int
    token_pattern: str
    lowercase: bool
    sublinear_tf: bool
    norm: str | None
    idf: np.ndarray | None

    @property
    def hash_key(self) -> tuple[Any, ...]:
        return (self.column, self.analyzer, self.ngram_range, self.n_features,
                self.token_pattern, self.lowercase)


@dataclass(frozen=True, slots=True)
class Head:
    """A linear head: features -> scores -> probabilities (softmax, sigmoid or calibrated)."""

    classes: tuple[str, ...]
    blocks: tuple[Block, ...]
    weights: np.ndarray  # features x classes (one column for a binary model)
    intercept: np.ndarray
    calibration: np.ndarray | None  # classes x 2 (a, b) of sigmoid calibrators


class Featurizer:
    """Hash each distinct feature block once per batch of two-column rows."""

    def __init__(self, rows: Sequence[tuple[str, ...]]) -> None:
        self.rows = rows
        self._hashed: dict[tuple[Any, ...], sp.csr_matrix] = {}
        self._weighted: dict[int, sp.csr_matrix] = {}

    def counts(self, block: Block) -> sp.csr_matrix:
        key = block.hash_key
        cached = self._hashed.get(key)
        if cached is not None:
            return cached
        low, high = block.ngram_range
        texts = [row[block.column] for row in self.rows]
        if block.lowercase:
            texts = [t.lower() for t in texts]
        if block.analyzer == "char_wb":
            rows, cols = char_wb_counts(texts, key, low, high, block.n_features)
        else:
            rows, cols = word_counts(texts, key, block.token_pattern, low, high,
                                     block.n_features)
        data = np.ones(len(cols), dtype=np.float32)
        shape = (len(self.rows), block.n_features)
        if len(self.rows) > FEW_ROWS:  # scipy's linear COO -> CSR pass wins on big batches
            matrix = sp.csr_matrix((data, (rows, cols.astype(np.int32))), shape=shape)
        else:  # ... and its fixed cost loses on a few texts: build the CSR arrays here
            order = np.argsort(rows, kind="stable")
            indptr = np.zeros(len(self.rows) + 1, dtype=np.int64)
            np.cumsum(np.bincount(rows, minlength=len(self.rows)), out=indptr[1:])
            matrix = sp.csr_matrix((data, cols[order].astype(np.int32), indptr), shape=shape)
        matrix.sum_duplicates()
        self._hashed[key] = matrix
        return matrix

    def features(self, block: Block) -> sp.csr_matrix:
        cached = self._weighted.get(id(block))
        if cached is not None:
            return cached
        x = self.counts(block).copy()
        if block.sublinear_tf:
            np.log(x.data, out=x.data)
            x.data += 1.0
        if block.idf is not None:
            x.data *= block.idf[x.indices]
        if block.norm == "l2":
            norms = np.sqrt(np.bincount(np.repeat(np.arange(x.shape[0]), np.diff(x.indptr)),
                                        weights=x.data ** 2, minlength=x.shape[0]))
            norms[norms == 0] = 1.0
            x.data /= np.repeat(norms, np.diff(x.indptr))
        self._weighted[id(block)] = x
        return x


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return np.asarray(0.5 * (1.0 + np.tanh(0.5 * values)))


def predict_proba(head: Head, featurizer: Featurizer) -> np.ndarray:
    """Class probabilities of ``head`` for the featurizer's rows."""
    # one product per block with its rows of the weights (a view): no hstack of the blocks;
    # float32 features times float32 weights, so no per-call copy of the weight matrix
    scores = np.array(head.intercept, dtype=np.float64, ndmin=2)
    offset = 0
    for block in head.blocks:
        weights = head.weights[offset:offset + block.n_features]
        scores = scores + np.asarray(featurizer.features(block) @ weights, dtype=np.float64)
        offset += block.n_features
    if head.calibration is not None:
        a, b = head.calibration[:, 0], head.calibration[:, 1]
        if scores.shape[1] == 1:
            positive = _sigmoid(-(a[0] * scores[:, 0] + b[0]))
            return np.column_stack([1 - positive, positive])
        proba = _sigmoid(-(a * scores + b))
        total = proba.sum(axis=1, keepdims=True)
        safe = np.where(total > 0, total, 1.0)
        return np.where(total > 0, proba / safe, 1.0 / proba.shape[1])
    if scores.shape[1] == 1:
        positive = _sigmoid(scores[:, 0])
        return np.column_stack([1 - positive, positive])
    scores = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


# -- compiling from scikit-learn (imports scikit-learn only here) -------------------------

def compile_heads(heads: dict[str, Any]) -> dict[str, Head]:
    """Turn fitted pipelines built by ``nlp.heads`` into ``Head`` arrays."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline

    compiled = {}
    for name, pipeline in heads.items():
        if not (isinstance(pipeline, Pipeline) and len(pipeline.steps) == 2
                and isinstance(pipeline.steps[0][1], ColumnTransformer)):
            raise ValueError(f"head {name!r} is not a ColumnTransformer + linear model")
        columns, clf = pipeline.steps[0][1], pipeline.steps[1][1]
        blocks = []
        for _label, block, column in columns.transformers_:
            if block == "drop":
                continue
            hasher, tfidf = block.steps[0][1], block.steps[1][1]
            blocks.append(Block(
                column=int(column), analyzer=str(hasher.analyzer),
                ngram_range=tuple(hasher.ngram_range), n_features=int(hasher.n_features),
                token_pattern=str(hasher.token_pattern), lowercase=bool(hasher.lowercase),
                sublinear_tf=bool(tfidf.sublinear_tf), norm=tfidf.norm,
                idf=np.asarray(tfidf.idf_, dtype=np.float32) if tfidf.use_idf else None,
            ))
        calibration = None
        model = clf
        if isinstance(clf, CalibratedClassifierCV):
            calibrated = clf.calibrated_classifiers_[0]
            model = calibrated.estimator
            calibration = np.asarray([[c.a_, c.b_] for c in calibrated.calibrators],
                                     dtype=np.float64)
        compiled[name] = Head(
            classes=tuple(str(c) for c in clf.classes_), blocks=tuple(blocks),
            weights=np.ascontiguousarray(np.asarray(model.coef_, dtype=np.float32).T),
            intercept=np.asarray(model.intercept_, dtype=np.float64),
            calibration=calibration,
        )
    return compiled


def save_compiled(heads: dict[str, Head], folder: Path, skops_sha256: str) -> None:
    arrays: dict[str, np.ndarray] = {}
    spec: dict[str, Any] = {"format": FORMAT, "skops_sha256": skops_sha256, "heads": {}}
    for name, head in heads.items():
        arrays[f"{name}.weights"] = head.weights
        arrays[f"{name}.intercept"] = head.intercept
        if head.calibration is not None:
            arrays[f"{name}.calibration"] = head.calibration
        blocks = []
        for i, block in enumerate(head.blocks):
            if block.idf is not None:
                arrays[f"{name}.block{i}.idf"] = block.idf
            blocks.append({"column": block.column, "analyzer": block.analyzer,
                           "ngram_range": list(block.ngram_range),
                           "n_features": block.n_features, "token_pattern": block.token_pattern,
                           "lowercase": block.lowercase, "sublinear_tf": block.sublinear_tf,
                           "norm": block.norm, "idf": block.idf is not None})
        spec["heads"][name] = {"classes": list(head.classes), "blocks": blocks,
                               "calibrated": head.calibration is not None}
    np.savez_compressed(folder / ARRAYS_FILE, **arrays)  # type: ignore[arg-type]
    (folder / SPEC_FILE).write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_compiled(folder: Path, skops_file: Path) -> dict[str, Head] | None:
    """The compiled heads of ``folder``, or None when absent or not made from this skops."""
    spec_path, arrays_path = folder / SPEC_FILE, folder / ARRAYS_FILE
    if not spec_path.is_file() or not arrays_path.is_file():
        return None
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    if spec.get("format") != FORMAT or spec.get("skops_sha256") != file_sha256(skops_file):
        return None
    heads = {}
    with np.load(arrays_path, allow_pickle=False) as arrays:
        for name, entry in spec["heads"].items():
            blocks = tuple(
                Block(column=b["column"], analyzer=b["analyzer"],
                      ngram_range=(b["ngram_range"][0], b["ngram_range"][1]),
                      n_features=b["n_features"], token_pattern=b["token_pattern"],
                      lowercase=b["lowercase"], sublinear_tf=b["sublinear_tf"], norm=b["norm"],
                      idf=arrays[f"{name}.block{i}.idf"] if b["idf"] else None)
                for i, b in enumerate(entry["blocks"]))
            heads[name] = Head(
                classes=tuple(entry["classes"]), blocks=blocks,
                weights=np.ascontiguousarray(arrays[f"{name}.weights"]),
                intercept=arrays[f"{name}.intercept"],
                calibration=arrays[f"{name}.calibration"] if entry["calibrated"] else None,
            )
    return heads
