"""Train a model bundle (the four heads) from a labelled table, with honest metrics.

The area head is scored on a stratified validation split the training never sees, then
refitted on all rows. A few settings (``nlp.heads.AREA_SETTINGS``: regularisation and
class balance) are tried on that split and the best macro-F1 is kept, so a taxonomy of
many noisy labels and a small clean one each get what suits them; the validation figures
reported are those of the chosen setting (slightly optimistic for that reason). The
smaller heads are scored with 5-fold out-of-fold predictions.
Thresholds come from those held-out predictions:

* ``area_review``: the lowest confidence at which the reports routed automatically are
  still right at least ``review_precision`` of the time (default 85 %); below it a report
  ``needs_review``.
* ``urgent``: the lowest model score at which *rules or model* keep a precision of at
  least ``urgent_min_precision`` (default 80 %); rules alone always flag.
"""

from __future__ import annotations

import platform
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import sklearn
import spacy
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from models.artifact import ModelBundle
from nlp.errors import DataError
from nlp.heads import (
    AREA_SETTINGS,
    area_pipeline,
    head_input,
    innovation_pipeline,
    kind_pipeline,
    partial_balance,
    urgent_pipeline,
)
from nlp.metrics import binary_report, classification_report
from nlp.prep import Prepared, Preparer
from nlp.table import KINDS, LabelledTable

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class TrainConfig:
    """Settings of one training run."""

    lang: str = "en"
    validation_fraction: float = 0.15
    seed: int = 42
    review_precision: float = 0.85
    urgent_min_precision: float = 0.8
    n_jobs: int = 2
    spacy_pipeline: str | None = None


def stratified_split(labels: Sequence[str], fraction: float, seed: int) -> tuple[list[int],
                                                                                 list[int]]:
    """Split row indices per label; every label keeps at least 2 training rows."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        by_label[label].append(i)
    rng = random.Random(seed)
    train: list[int] = []
    val: list[int] = []
    for label in sorted(by_label):
        rows = by_label[label]
        rng.shuffle(rows)
        n_val = min(round(len(rows) * fraction), len(rows) - 2)
        n_val = max(n_val, 0)
        val.extend(rows[:n_val])
        train.extend(rows[n_val:])
    return sorted(train), sorted(val)


def review_threshold(confidence: np.ndarray, correct: np.ndarray, target: float) -> float:
    """Lowest confidence whose auto-routed share is still ``target`` precise."""
    if len(confidence) == 0:
        return 0.5
    order = np.argsort(-confidence)
    hits = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
    ok = np.nonzero(hits >= target)[0]
    if len(ok) == 0:
        return 1.0
    return round(float(confidence[order][ok[-1]]), 4)


def urgent_threshold(scores: np.ndarray, rules: np.ndarray, truth: np.ndarray,
                     target: float) -> float:
    """Lowest model score keeping precision of (rules or score >= t) at ``target``."""
    best = 1.0
    for t in sorted(set(np.round(scores, 4).tolist()) | {1.0}, reverse=True):
        flags = rules | (scores >= t)
        if flags.sum() == 0:
            continue
        precision = (flags & truth).sum() / flags.sum()
        if precision >= target:
            best = t
    return round(max(best, 0.2), 4)


def _texts(prepared: Sequence[Prepared], rows: Sequence[int], head: str) -> np.ndarray:
    return head_input([prepared[i] for i in rows])


class _Trainer:
    def __init__(self, config: TrainConfig, progress: Progress | None) -> None:
        self.config = config
        self.progress = progress or (lambda _msg: None)
        self.cv = StratifiedKFold(5, shuffle=True, random_state=config.seed)

    def area(self, prepared: list[Prepared], table: LabelledTable) -> tuple[Any, dict[str, Any],
                                                                            float]:
        labels = table.labels
        train, val = stratified_split(labels, self.config.validation_fraction, self.config.seed)
        weights = np.asarray(table.weights or [1.0] * len(labels))
        report: dict[str, Any] = {}
        threshold = 0.5
        setting = AREA_SETTINGS[0]
        if val:
            train_labels = [labels[i] for i in train]
            truth = np.asarray([labels[i] for i in val])
            train_rows, val_rows = _texts(prepared, train, "area"), _texts(prepared, val, "area")
            best: tuple[float, float] | None = None
            for candidate in AREA_SETTINGS:
                self.progress(f"area: C={candidate.c}, class balance {candidate.balance}: "
                              f"training on {len(train)} rows, validating on {len(val)}")
                model = area_pipeline(train_labels, c=candidate.c)
                model.fit(train_rows, train_labels, clf__sample_weight=weights[train]
                          * partial_balance(train_labels, candidate.balance))
                candidate_proba = model.predict_proba(val_rows)
                classes = np.asarray(model.classes_)
                candidate_pred = classes[np.argmax(candidate_proba, axis=1)]
                candidate_report = classification_report(
                    truth.tolist(), candidate_pred.tolist(), labels=classes.tolist())
                score = (candidate_report["macro_f1"], candidate_report["accuracy"])
                if best is None or score > best:
                    best, setting = score, candidate
                    proba, predicted, report = candidate_proba, candidate_pred, candidate_report
            threshold = review_threshold(proba.max(axis=1), predicted == truth,
                                         self.config.review_precision)
            routed = proba.max(axis=1) >= threshold
            report["review_threshold"] = threshold
            report["auto_routed_share"] = round(float(routed.mean()), 4)
            report["auto_routed_accuracy"] = round(
                float((predicted == truth)[routed].mean()) if routed.any() else 0.0, 4)
            report["setting"] = {"C": setting.c, "class_balance": setting.balance,
                                 "chosen_from": [[c.c, c.balance] for c in AREA_SETTINGS]}
        self.progress(f"area: refitting on all {len(labels)} rows (C={setting.c}, "
                      f"class balance {setting.balance})")
        final = area_pipeline(labels, c=setting.c)
        final.fit(_texts(prepared, range(len(labels)), "area"), labels,
                  clf__sample_weight=weights * partial_balance(labels, setting.balance))
        return final, report, threshold

    def kind(self, prepared: list[Prepared], rows: list[int], kinds: list[str]) -> tuple[Any,
                                                                                        dict]:
        self.progress(f"kind: training on {len(rows)} rows")
        model = kind_pipeline()
        texts = _texts(prepared, rows, "kind")
        predicted = cross_val_predict(clone(model), texts, kinds, cv=self._cv(kinds),
                                      n_jobs=self.config.n_jobs)
        report = classification_report(kinds, predicted.tolist(), labels=list(KINDS))
        model.fit(texts, kinds)
        return model, report

    def binary(self, head: str, prepared: list[Prepared], rows: list[int],
               truth: list[bool]) -> tuple[Any, np.ndarray, Any]:
        self.progress(f"{head}: training on {len(rows)} rows ({sum(truth)} positive)")
        model = innovation_pipeline() if head == "innovation" else urgent_pipeline()
        texts = _texts(prepared, rows, head)
        y = np.asarray(truth, dtype=int)
        scores = cross_val_predict(clone(model), texts, y, cv=self._cv(y.tolist()),
                                   n_jobs=self.config.n_jobs, method="predict_proba")[:, 1]
        model.fit(texts, y)
        return model, scores, y.astype(bool)

    def _cv(self, labels: Sequence[Any]) -> StratifiedKFold:
        smallest = min(np.unique(np.asarray(labels), return_counts=True)[1])
        if smallest < 2:
            raise DataError("each class needs at least 2 examples for cross-validation")
        return StratifiedKFold(min(5, int(smallest)), shuffle=True,
                               random_state=self.config.seed)


def train_bundle(
    table: LabelledTable,
    config: TrainConfig,
    base: ModelBundle | None = None,
    progress: Progress | None = None,
    version: str | None = None,
    extra_metadata: dict[str, Any] | None = None,
) -> ModelBundle:
    """Train all heads the table can teach; reuse ``base``'s heads for the others."""
    trainer = _Trainer(config, progress)
    trainer.progress(f"preparing {len(table)} texts with spaCy ({config.lang})")
    prepared = Preparer(config.lang, config.spacy_pipeline).prepare_many(table.texts)
    area_model, area_report, review_t = trainer.area(prepared, table)
    heads: dict[str, Any] = {"area": area_model}
    metrics: dict[str, Any] = {"area": area_report}
    thresholds: dict[str, float] = {"area_review": review_t}
    heads_from: dict[str, str] = {"area": "this table"}

    kind_rows = [i for i, k in enumerate(table.kinds) if k]
    if kind_rows and len({table.kinds[i] for i in kind_rows}) >= 2:
        kinds = [str(table.kinds[i]) for i in kind_rows]
        heads["kind"], metrics["kind"] = trainer.kind(prepared, kind_rows, kinds)
        heads_from["kind"] = "this table"

    innovation_truth = [
        v if v is not None else (k == "idea" if k else None)
        for v, k in zip(table.innovation or [None] * len(table), table.kinds or [None] *
                        len(table), strict=True)
    ]
    inn_rows = [i for i, v in enumerate(innovation_truth) if v is not None]
    if inn_rows and len({innovation_truth[i] for i in inn_rows}) == 2:
        truth = [bool(innovation_truth[i]) for i in inn_rows]
        model, scores, y = trainer.binary("innovation", prepared, inn_rows, truth)
        heads["innovation"] = model
        metrics["innovation"] = binary_report(y.tolist(), scores.tolist(),
                                              (scores >= 0.5).tolist())
        heads_from["innovation"] = "this table"

    urg_rows = [i for i, u in enumerate(table.urgent) if u is not None]
    if urg_rows and len({table.urgent[i] for i in urg_rows}) == 2:
        truth = [bool(table.urgent[i]) for i in urg_rows]
        model, scores, y = trainer.binary("urgent", prepared, urg_rows, truth)
        rules = np.asarray([bool(prepared[i].urgent_rules) for i in urg_rows])
        t = urgent_threshold(scores, rules, y, config.urgent_min_precision)
        heads["urgent"] = model
        thresholds["urgent"] = t
        metrics["urgent"] = binary_report(y.tolist(), np.maximum(scores, rules * 0.99).tolist(),
                                          (rules | (scores >= t)).tolist())
        metrics["urgent"]["rules_alone"] = binary_report(y.tolist(), rules.astype(float).tolist(),
                                                         rules.tolist())
        heads_from["urgent"] = "this table"

    for head in ("kind", "innovation", "urgent"):
        if head in heads:
            continue
        if base is None:
            raise DataError(f"the table has no {head!r} labels and there is no base model "
                            "to take that head from")
        heads[head] = base.heads[head]
        heads_from[head] = f"model {base.version}"
        if head in base.metadata.get("metrics", {}):
            metrics[head] = base.metadata["metrics"][head]
        if head == "urgent":
            thresholds["urgent"] = base.threshold("urgent", 0.5)
    if base is not None and base.lang != config.lang and any(
        v.startswith("model") for v in heads_from.values()
    ):
        trainer.progress(f"note: kind/innovation/urgent heads come from a {base.lang!r} model")

    created = datetime.now(UTC)
    metadata: dict[str, Any] = {
        "version": version or created.strftime("%Y%m%d-%H%M%S"),
        "created_at": created.isoformat(timespec="seconds"),
        "lang": config.lang,
        "spacy_pipeline": config.spacy_pipeline,
        "labels": sorted(set(table.labels)),
        "label_counts": dict(sorted(table.label_counts().items())),
        "rows": len(table),
        "rows_dropped_empty": table.dropped_empty,
        "data_sha256": table.sha256,
        "thresholds": thresholds,
        "metrics": metrics,
        "heads_from": heads_from,
        "head_input": ["content", "form"],
        "validation": {"fraction": config.validation_fraction, "seed": config.seed,
                       "review_precision_target": config.review_precision,
                       "urgent_precision_target": config.urgent_min_precision},
        "labels_from_staff": 0,
        "libraries": {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
                      "spacy": spacy.__version__, "numpy": np.__version__},
    }
    metadata.update(extra_metadata or {})
    return ModelBundle(heads=heads, metadata=metadata)


def model_card(bundle: ModelBundle, title: str, data_note: str = "") -> str:
    """A short human-readable card for the version folder."""
    meta = bundle.metadata
    area = meta["metrics"].get("area", {})
    lines = [
        f"# {title}",
        "",
        f"Version `{meta['version']}`, created {meta['created_at']}, language `{meta['lang']}`.",
        "",
        "## Data",
        f"{meta['rows']} rows, {len(meta['labels'])} areas (sha256 {meta['data_sha256'][:12]}…)."
        + (f" {data_note}" if data_note else ""),
        "",
        "## Validation (held-out rows, never trained on)",
        f"- area: accuracy {area.get('accuracy')}, macro-F1 {area.get('macro_f1')}, "
        f"weighted-F1 {area.get('weighted_f1')} on {area.get('n')} rows",
        f"- needs_review below confidence {meta['thresholds'].get('area_review')} "
        f"(auto-routed share {area.get('auto_routed_share')}, accuracy "
        f"{area.get('auto_routed_accuracy')})",
    ]
    for head in ("kind", "innovation", "urgent"):
        m = meta["metrics"].get(head)
        if not m:
            continue
        if head == "kind":
            lines.append(f"- kind: macro-F1 {m.get('macro_f1')} (5-fold, {m.get('n')} rows)")
        else:
            lines.append(f"- {head}: ROC AUC {m.get('roc_auc')}, precision {m.get('precision')},"
                         f" recall {m.get('recall')} (5-fold, {m.get('n')} rows)")
    lines += ["", "## Heads", *(f"- {h}: from {src}" for h, src in meta["heads_from"].items()),
              "", "## Use", "Triage aid for routing citizen reports; staff confirm or correct.",
              "Not for decisions about people. Staff corrections retrain it",
              "(`civicvoice retrain`)."]
    return "\n".join(lines) + "\n"
