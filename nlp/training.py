"""Train a model bundle (the four heads) from a labelled table, with honest metrics.

The area head is scored on a stratified validation split the training never sees, then
refitted on all rows. Beyond the SVM weights it learns from 3-fold out-of-fold scores
(which its sigmoid calibration needs anyway): on the training rows, the LinearSVC C
(``nlp.heads.AREA_C``, best out-of-fold macro-F1) and the per-class offsets on the
calibrated log-odds (``nlp.heads.class_offsets``) the validation rows are scored with; on
all rows, the final head's calibration and offsets. Nothing is tuned on the validation
rows, so their figures are honest, and a taxonomy of many noisy labels and a small clean
one each get the C that suits them. The smaller heads are scored with 5-fold out-of-fold
predictions.
Thresholds come from those held-out predictions:

* ``area_review``: the lowest confidence at which the reports routed automatically are
  still right at least ``review_precision`` of the time (default 85 %); below it a report
  ``needs_review``.
* ``urgent``: chosen by ``nlp.urgency_training`` on the out-of-fold scores of the real
  rows (an ``urgency`` column): the highest calibrated score at which recall on the urgent
  ones reaches ``UrgencyConfig.recall_target``. No rule decides alone.
"""

from __future__ import annotations

import platform
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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
    AREA_C,
    CLASS_WEIGHT_POWER,
    area_features,
    area_pipeline,
    area_svm,
    calibrated_log_odds,
    calibration_folds,
    class_offsets,
    head_input,
    innovation_pipeline,
    kind_pipeline,
    log_odds_proba,
    partial_balance,
    shift_classes,
    sigmoid_calibration,
)
from nlp.metrics import binary_report, classification_report
from nlp.prep import Prepared, Preparer
from nlp.table import KINDS, LabelledTable, subset
from nlp.urgency_training import UrgencyConfig, UrgencyRows, train_urgency

Progress = Callable[[str], None]
# A text "proposes something" from this innovation score: the highest of 0.30-0.60 whose
# out-of-fold recall on the real development set's ideas reaches 0.90 (bench/idea_cv.py).
INNOVATION_THRESHOLD = 0.4


@dataclass(frozen=True, slots=True)
class TrainConfig:
    """Settings of one training run."""

    lang: str = "en"
    validation_fraction: float = 0.15
    seed: int = 42
    review_precision: float = 0.85
    n_jobs: int = 2
    spacy_pipeline: str | None = None
    urgency: UrgencyConfig = field(default_factory=UrgencyConfig)


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


def _texts(prepared: Sequence[Prepared], rows: Sequence[int], head: str) -> np.ndarray:
    return head_input([prepared[i] for i in rows])


@dataclass(slots=True)
class _Fold:
    """The out-of-fold view of one area C: calibration, log-odds and their score."""

    c: float
    calibration: np.ndarray  # classes (or 1 when binary) x (a, b)
    log_odds: np.ndarray
    score: tuple[float, float]  # macro-F1, accuracy


class _Trainer:
    def __init__(self, config: TrainConfig, progress: Progress | None) -> None:
        self.config = config
        self.progress = progress or (lambda _msg: None)
        self.cv = StratifiedKFold(5, shuffle=True, random_state=config.seed)

    def area(self, prepared: list[Prepared], table: LabelledTable) -> tuple[Any, dict[str, Any],
                                                                            float]:
        labels = np.asarray(table.labels)
        train, val = stratified_split(table.labels, self.config.validation_fraction,
                                      self.config.seed)
        weights = np.asarray(table.weights or [1.0] * len(labels))
        rows = head_input(prepared)
        classes = np.unique(labels)
        # C, calibration and offsets from out-of-fold scores on the training rows only
        features = area_features()
        x_train = features.fit_transform(rows[train])
        train_weights = weights[train] * partial_balance(labels[train].tolist())
        folds = StratifiedKFold(calibration_folds(labels[train].tolist()), shuffle=True,
                                random_state=self.config.seed)
        best: _Fold | None = None
        scores: dict[str, float] = {}
        for c in AREA_C:
            self.progress(f"area: C={c}: out-of-fold scores on {len(train)} rows")
            fold = self._out_of_fold(x_train, labels[train], train_weights, c, folds)
            scores[str(c)] = fold.score[0]
            if best is None or fold.score > best.score:
                best = fold
        assert best is not None  # AREA_C is not empty
        c = best.c
        setting: dict[str, Any] = {"C": c, "class_balance": CLASS_WEIGHT_POWER,
                                   "chosen_from": list(AREA_C), "out_of_fold_macro_f1": scores}
        report: dict[str, Any] = {}
        threshold = 0.5
        if val:
            self.progress(f"area: C={c}: training on {len(train)} rows, validating on "
                          f"{len(val)}")
            offsets = class_offsets(best.log_odds, np.searchsorted(classes, labels[train]),
                                    seed=self.config.seed)
            svm = area_svm(c).fit(x_train, labels[train], sample_weight=train_weights)
            decision = svm.decision_function(features.transform(rows[val]))
            proba = log_odds_proba(calibrated_log_odds(decision, best.calibration) + offsets)
            truth = labels[val]
            predicted = classes[np.argmax(proba, axis=1)]
            report = classification_report(truth.tolist(), predicted.tolist(),
                                           labels=classes.tolist())
            threshold = review_threshold(proba.max(axis=1), predicted == truth,
                                         self.config.review_precision)
            routed = proba.max(axis=1) >= threshold
            report["review_threshold"] = threshold
            report["auto_routed_share"] = round(float(routed.mean()), 4)
            report["auto_routed_accuracy"] = round(
                float((predicted == truth)[routed].mean()) if routed.any() else 0.0, 4)
        self.progress(f"area: refitting on all {len(labels)} rows (C={c})")
        all_weights = weights * partial_balance(labels.tolist())
        final = area_pipeline(labels.tolist(), c=c, n_jobs=self.config.n_jobs)
        # the pipeline's fit step by step, so the features of all rows are computed once
        x_all = final.steps[0][1].fit_transform(rows)
        final.steps[-1][1].fit(x_all, labels, sample_weight=all_weights)
        # The final offsets come from the very out-of-fold scores its calibrators were fitted
        # on (same features, folds and SVM), so they and the calibration match exactly.
        self.progress(f"area: class offsets from out-of-fold scores on {len(labels)} rows")
        fold = self._out_of_fold(x_all, labels, all_weights, c,
                                 StratifiedKFold(calibration_folds(labels.tolist())))
        offsets = class_offsets(fold.log_odds, np.searchsorted(classes, labels),
                                seed=self.config.seed)
        shift_classes(final, offsets)
        setting["class_offsets"] = {str(k): round(float(d), 4)
                                    for k, d in zip(classes, offsets, strict=True)}
        report["setting"] = setting
        return final, report, threshold

    def _out_of_fold(self, x: Any, labels: np.ndarray, weights: np.ndarray, c: float,
                     folds: StratifiedKFold) -> _Fold:
        """Calibrated out-of-fold log-odds of the area SVM with this C, and their score."""
        decision = cross_val_predict(area_svm(c), x, labels, cv=folds, method="decision_function",
                                     n_jobs=self.config.n_jobs,
                                     params={"sample_weight": weights})
        classes = np.unique(labels)
        if decision.ndim == 1:  # binary: one score, for the second class
            columns, positives = [decision], [labels == classes[1]]
        else:
            columns, positives = list(decision.T), [labels == label for label in classes]
        calibration = np.asarray([sigmoid_calibration(column, positive, weights)
                                  for column, positive in zip(columns, positives, strict=True)])
        log_odds = calibrated_log_odds(decision, calibration)
        predicted = classes[np.argmax(log_odds, axis=1)]
        report = classification_report(labels.tolist(), predicted.tolist())
        return _Fold(c, calibration, log_odds, (report["macro_f1"], report["accuracy"]))

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
        model = innovation_pipeline()
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
    with_area = [i for i, label in enumerate(table.labels) if label]
    if len(with_area) == len(table):
        area_model, area_report, review_t = trainer.area(prepared, table)
    else:  # rows without an area label teach only the other heads
        area_model, area_report, review_t = trainer.area([prepared[i] for i in with_area],
                                                         subset(table, with_area))
    heads: dict[str, Any] = {"area": area_model}
    metrics: dict[str, Any] = {"area": area_report}
    thresholds: dict[str, float] = {"area_review": review_t}
    heads_from: dict[str, str] = {"area": "this table"}

    kind_rows = [i for i, k in enumerate(table.kinds) if k]
    if kind_rows and len({table.kinds[i] for i in kind_rows}) >= 2:
        kinds = [str(table.kinds[i]) for i in kind_rows]
        heads["kind"], metrics["kind"] = trainer.kind(prepared, kind_rows, kinds)
        heads_from["kind"] = "this table"

    inn_rows, truth = innovation_labels(table)
    if inn_rows and len(set(truth)) == 2:
        model, scores, y = trainer.binary("innovation", prepared, inn_rows, truth)
        heads["innovation"] = model
        metrics["innovation"] = binary_report(y.tolist(), scores.tolist(),
                                              (scores >= INNOVATION_THRESHOLD).tolist())
        heads_from["innovation"] = "this table"
    thresholds["innovation"] = INNOVATION_THRESHOLD

    rows = _urgency_rows(table)
    # A head calibrated on real traffic is never replaced by one with too few real rows to
    # calibrate on (``nlp.urgency_training.MIN_REAL``): hand-written ``urgent`` flags and a
    # handful of staff labels keep the base model's head until there are enough.
    calibrated_base = base is not None and base.metadata.get("urgency", {}).get(
        "decision") == "model"
    if (rows.enough_real or (rows.real and not calibrated_base)
            or (len(set(rows.aux_truth)) == 2 and not calibrated_base)):
        trainer.progress(f"urgent: training on {len(rows.aux)} auxiliary and {len(rows.real)} "
                         "real rows (calibrated out of fold on the real ones)")
        fit = train_urgency(prepared, rows, config.urgency, n_jobs=config.n_jobs)
        heads["urgent"] = fit.model
        thresholds["urgent"] = fit.threshold
        metrics["urgent"] = fit.metrics
        urgency_meta = fit.metadata
        heads_from["urgent"] = "this table"
    else:
        urgency_meta = None
        if (rows.aux or rows.real) and calibrated_base:
            trainer.progress(f"urgent: {len(rows.real)} real rows (an 'urgency' column or "
                             "staff marking reports urgent) are too few to calibrate on: "
                             "keeping the base model's urgency head")

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
            urgency_meta = base.metadata.get("urgency")
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
        "labels": sorted(set(table.label_counts())),
        "label_counts": dict(sorted(table.label_counts().items())),
        "rows": len(table),
        "rows_dropped_empty": table.dropped_empty,
        "data_sha256": table.sha256,
        "thresholds": thresholds,
        "metrics": metrics,
        "heads_from": heads_from,
        "head_input": ["content", "form", "tags"],
        "validation": {"fraction": config.validation_fraction, "seed": config.seed,
                       "review_precision_target": config.review_precision},
        "labels_from_staff": 0,
        "libraries": {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
                      "spacy": spacy.__version__, "numpy": np.__version__},
    }
    if urgency_meta is not None:
        metadata["urgency"] = urgency_meta
    metadata.update(extra_metadata or {})
    return ModelBundle(heads=heads, metadata=metadata)


def innovation_labels(table: LabelledTable) -> tuple[list[int], list[bool]]:
    """The rows that teach the innovation head and their labels: the ``innovation`` column
    where the table has one, else ``kind == idea`` where a kind is given."""
    n = len(table)
    rows: list[int] = []
    truth: list[bool] = []
    by_kind = not table.has_innovation
    for i, (v, k) in enumerate(zip(table.innovation or [None] * n, table.kinds or [None] * n,
                                   strict=True)):
        value = (k == "idea" if k else None) if by_kind else v
        if value is not None:
            rows.append(i)
            truth.append(bool(value))
    return rows, truth


def _urgency_rows(table: LabelledTable) -> UrgencyRows:
    """Real rows (an ``urgency`` level) and auxiliary rows (an ``urgent`` flag only)."""
    rows = UrgencyRows()
    weights = table.urgent_weights or table.weights or [1.0] * len(table)
    levels = table.urgency or [None] * len(table)
    flags = table.urgent or [None] * len(table)
    for i, (lv, flag, weight) in enumerate(zip(levels, flags, weights, strict=True)):
        if lv is not None:
            rows.real.append(i)
            rows.levels.append(lv)
            rows.real_weights.append(weight)
        elif flag is not None:
            rows.aux.append(i)
            rows.aux_truth.append(bool(flag))
            rows.aux_weights.append(weight)
    return rows


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
    setting = area.get("setting", {})
    if "class_offsets" in setting:
        shifted = sorted(setting["class_offsets"].items(), key=lambda kv: -abs(kv[1]))[:3]
        lines.append(f"- area head: LinearSVC C={setting['C']} (best out-of-fold macro-F1 of "
                     f"{setting['chosen_from']}); class offsets on the calibrated log-odds, "
                     "largest " + ", ".join(f"{k} {v:+.2f}" for k, v in shifted))
    for head in ("kind", "innovation", "urgent"):
        m = meta["metrics"].get(head)
        if not m:
            continue
        if head == "kind":
            lines.append(f"- kind: macro-F1 {m.get('macro_f1')} (5-fold, {m.get('n')} rows)")
        elif head == "urgent" and "measured_on" in m:
            lines.append(f"- urgent: at threshold {meta['thresholds'].get('urgent')}, recall "
                         f"{m.get('recall')} on urgent texts, precision {m.get('precision')} "
                         f"(a flag on a borderline text counts as right), "
                         f"{m.get('flagged_share')} of texts flagged; ROC AUC "
                         f"{m.get('roc_auc')} ({m['measured_on']}, {m.get('n')} rows)")
        else:
            lines.append(f"- {head}: ROC AUC {m.get('roc_auc')}, precision {m.get('precision')},"
                         f" recall {m.get('recall')} (5-fold, {m.get('n')} rows)")
    lines += ["", "## Heads", *(f"- {h}: from {src}" for h, src in meta["heads_from"].items()),
              "", "## Use", "Triage aid for routing citizen reports; staff confirm or correct.",
              "Not for decisions about people. Staff corrections retrain it",
              "(`civicvoice retrain`)."]
    return "\n".join(lines) + "\n"
