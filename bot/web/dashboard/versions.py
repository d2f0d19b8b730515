"""What the admin pages and the admin API show of each model version.

Reads each version folder's ``metadata.json``: the validation confusion matrix
(``metrics.area``) and, for retrained versions, the held-out comparison with the model it
was measured against (``retrain``). File reads: call ``load_versions`` in a thread.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models.files import METADATA_FILE
from models.registry import ModelRegistry, VersionInfo

logger = logging.getLogger(__name__)

HEADS = (("kind", "macro_f1", "kind macro-F1"), ("urgent", "f1", "urgent F1"),
         ("innovation", "f1", "innovation F1"))


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


@dataclass(frozen=True, slots=True)
class AreaScore:
    """One area on the held-out rows: the candidate's and the compared model's figures."""

    area: str
    support: int
    candidate: dict[str, float | None]
    current: dict[str, float | None]

    @property
    def change(self) -> float | None:
        new, old = self.candidate.get("f1"), self.current.get("f1")
        return None if new is None or old is None else new - old


@dataclass(frozen=True, slots=True)
class RetrainFigures:
    """A retrained version's held-out comparison, as ``civicvoice retrain`` stored it."""

    decision: str
    reason: str
    compared_with: str
    candidate: dict[str, float | None]
    current: dict[str, float | None]
    per_area: list[AreaScore]
    heads: list[tuple[str, float | None, float | None]]
    base_slice: tuple[float | None, float | None] | None
    held_out_rows: int | None


@dataclass(frozen=True, slots=True)
class VersionView:
    """One version: the registry's entry, its confusion matrix and any retrain figures."""

    info: VersionInfo
    labels: list[str] = field(default_factory=list)
    matrix: list[list[int]] = field(default_factory=list)
    retrain: RetrainFigures | None = None
    raw_retrain: dict[str, Any] | None = None

    @property
    def macro_f1(self) -> float | None:
        return _num(self.info.metrics.get("macro_f1"))

    @property
    def accuracy(self) -> float | None:
        return _num(self.info.metrics.get("accuracy"))

    def to_json(self) -> dict[str, Any]:
        """The registry's JSON plus the confusion matrix and the retrain comparison."""
        return self.info.to_json() | {
            "confusion_matrix": {"labels": self.labels, "matrix": self.matrix},
            "retrain": self.raw_retrain,
        }


def _scores(report: dict[str, Any]) -> dict[str, float | None]:
    return {k: _num(report.get(k)) for k in ("macro_f1", "accuracy", "n")}


def _per_area(candidate: dict[str, Any], current: dict[str, Any]) -> list[AreaScore]:
    ours, theirs = candidate.get("per_area", {}), current.get("per_area", {})
    rows = []
    for area in sorted(set(ours) | set(theirs)):
        new, old = ours.get(area, {}), theirs.get(area, {})
        rows.append(AreaScore(
            area=area, support=int(new.get("support") or old.get("support") or 0),
            candidate={k: _num(new.get(k)) for k in ("precision", "recall", "f1")},
            current={k: _num(old.get(k)) for k in ("precision", "recall", "f1")}))
    return rows


def retrain_figures(summary: dict[str, Any]) -> RetrainFigures:
    """Turn ``metadata["retrain"]`` into the rows the page shows."""
    candidate, current = summary.get("candidate", {}), summary.get("current", {})
    heads = [(title, _num(candidate.get(head, {}).get(key)), _num(current.get(head, {}).get(key)))
             for head, key, title in HEADS if head in candidate or head in current]
    base = summary.get("base_slice")
    base_pair = None
    if isinstance(base, dict):
        base_pair = (_num(base.get("candidate", {}).get("macro_f1")),
                     _num(base.get("current", {}).get("macro_f1")))
    held = summary.get("held_out", {})
    return RetrainFigures(
        decision=str(summary.get("decision", "")), reason=str(summary.get("reason", "")),
        compared_with=str(summary.get("compared_with", "")),
        candidate=_scores(candidate), current=_scores(current),
        per_area=_per_area(candidate, current), heads=heads, base_slice=base_pair,
        held_out_rows=int(held["rows"]) if isinstance(held.get("rows"), int) else None)


def version_view(info: VersionInfo) -> VersionView:
    """Read one version's metadata; a broken file gives a view without the extras."""
    try:
        meta: dict[str, Any] = json.loads(
            (Path(info.path) / METADATA_FILE).read_text(encoding="utf-8"))
        area = meta.get("metrics", {}).get("area", {})
        labels = [str(label) for label in area.get("labels", [])]
        matrix = [[int(v) for v in row] for row in area.get("confusion_matrix", [])]
        if len(matrix) != len(labels) or any(len(row) != len(labels) for row in matrix):
            labels, matrix = [], []
        summary = meta.get("retrain")
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        logger.warning("cannot read the metadata of model %s: %s", info.version, exc)
        return VersionView(info)
    if not isinstance(summary, dict):
        return VersionView(info, labels, matrix)
    return VersionView(info, labels, matrix, retrain_figures(summary), summary)


def load_versions(registry: ModelRegistry) -> list[VersionView]:
    """Every version, newest first."""
    return [version_view(info) for info in reversed(registry.list())]
