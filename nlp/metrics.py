"""Scores for the heads, in the JSON shape ``civicvoice evaluate --json`` prints."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    roc_auc_score,
)


def classification_report(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] | None = None
) -> dict[str, Any]:
    """Accuracy, macro/weighted F1, per-class precision/recall/F1/support, confusion matrix."""
    labels = list(labels) if labels is not None else sorted(set(y_true) | set(y_pred))
    present = sorted(set(y_true))
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    per_class = {
        label: {"precision": round(float(p), 4), "recall": round(float(r), 4),
                "f1": round(float(f), 4), "support": int(s)}
        for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    }
    return {
        "n": len(y_true),
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 4),
        "macro_f1": round(float(f1_score(y_true, y_pred, labels=present, average="macro",
                                         zero_division=0)), 4),
        "weighted_f1": round(float(f1_score(y_true, y_pred, labels=present,
                                            average="weighted", zero_division=0)), 4),
        "per_class": per_class,
        "labels": labels,
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def binary_report(y_true: Sequence[bool], scores: Sequence[float],
                  flags: Sequence[bool]) -> dict[str, Any]:
    """ROC AUC, average precision, and precision/recall/F1 of the flag."""
    y = np.asarray(y_true, dtype=bool)
    s = np.asarray(scores, dtype=float)
    f = np.asarray(flags, dtype=bool)
    tp = int((y & f).sum())
    precision = tp / max(int(f.sum()), 1)
    recall = tp / max(int(y.sum()), 1)
    both = len(set(y.tolist())) == 2
    return {
        "n": len(y),
        "positives": int(y.sum()),
        "roc_auc": round(float(roc_auc_score(y, s)), 4) if both else None,
        "average_precision": round(float(average_precision_score(y, s)), 4) if both else None,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4) if tp else 0.0,
    }


def confusion_text(report: dict[str, Any], width: int = 6) -> str:
    """Render the confusion matrix of ``classification_report`` as aligned text."""
    labels: list[str] = report["labels"]
    short = [label[: width - 1] for label in labels]
    name_width = max(len(label) for label in labels) + 2
    lines = ["true \\ predicted".ljust(name_width) + "".join(s.rjust(width) for s in short)]
    for label, row in zip(labels, report["confusion_matrix"], strict=True):
        lines.append(label.ljust(name_width) + "".join(str(v).rjust(width) for v in row))
    return "\n".join(lines)


def bootstrap_interval(statistic: Callable[[np.ndarray], float], n: int, rounds: int = 1000,
                       seed: int = 0, level: float = 0.95) -> tuple[float, float]:
    """A percentile bootstrap interval of ``statistic(rows)`` over ``n`` rows.

    ``statistic`` gets an array of row indices drawn with replacement and returns a figure;
    rounds where it is not a number (say, no positive drawn) are left out.
    """
    rng = np.random.default_rng(seed)
    values = [statistic(rng.integers(0, n, n)) for _ in range(rounds)]
    finite = np.asarray([v for v in values if v is not None and np.isfinite(v)])
    if len(finite) == 0:
        return float("nan"), float("nan")
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(finite, [tail, 100.0 - tail])
    return round(float(low), 4), round(float(high), 4)
