"""Retrain from staff corrections, and the gate that decides whether to promote (pure).

How corrections become rows (``correction_rows``):

* One row per feedback item, with the item's redacted text. Its area label is the
  latest *area* correction of that item and its kind label the latest *kind* correction
  (ordered by ``created_at``, then id): a later label overrides an earlier one, and a
  confirmation counts as a label just like a change.
* Corrections by ``citizen:*`` actors count only for the area, and only when no member of
  staff labelled that item's area; they never give a kind.
* Weight by recency: 2 for a row whose latest label is at most ``recent_days`` (30) old,
  1 for older ones. Base-table rows weigh 1.
* A row with a kind but no area label takes the area ``area_for`` gives it (the CLI uses
  the current model's prediction, so the area head learns nothing new from it).
* Staff marking a report urgent or not urgent (a correction of field ``urgent``, value
  ``true``/``false``; ``1``/``0``, ``yes``/``no`` and ``urgent``/``not`` work too) is a label
  of real traffic like any other: the row's ``urgent`` is its latest such label, and it
  trains the urgency head as a real row (``LabelledTable.urgency``: ``urgent`` or ``not``),
  which that head is calibrated and thresholded on (``nlp.urgency_training``). Citizens
  never give it.

Held-out data (``split``), never trained on: a fixed slice of the base table chosen by a
hash of each text (about 15 %, the same rows on every run and machine) plus the most
recent 20 % of the correction rows (a recent row with neither an area nor an urgency
label is left out of both; one with an urgency label only is scored for urgency alone).
Candidate and current model are scored on exactly those rows (``evaluate``); ``decide``
promotes only if the candidate's macro-F1 is at least the current one minus ``tolerance``
(0.005) and no area's F1 falls by more than ``area_margin`` (0.10),
both on all held-out rows and on the base slice alone (the trusted reference). On an area
with few held-out rows a drop must also exceed ``NOISE_ROWS / rows`` (what two misses
cause), so a small slice does not reject a sound candidate for one unlucky row.

Urgency is gated the same way on the held-out rows staff marked urgent or not
(``evaluate``'s ``urgency``): the candidate is rejected if its recall on the urgent ones,
or its precision, falls by more than ``urgent_margin`` (0.10; again at least what two rows
cause) below the current model's.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from nlp import urgency
from nlp.metrics import binary_report, classification_report
from nlp.table import KINDS, LabelledTable, subset

HOLDOUT_BASE_PER_MILLE = 150
HOLDOUT_RECENT_FRACTION = 0.2
RECENT_DAYS = 30
RECENT_WEIGHT = 2.0
NOISE_ROWS = 2  # an area's F1 drop counts only if larger than 2 / its held-out rows


class CorrectionLike(Protocol):
    """The fields of ``bot.storage.records.Correction`` this module reads."""

    @property
    def id(self) -> int: ...
    @property
    def feedback_id(self) -> int: ...
    @property
    def field(self) -> str: ...
    @property
    def value(self) -> str: ...
    @property
    def actor(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def redacted_text(self) -> str: ...


@dataclass(frozen=True, slots=True)
class LabelRow:
    """One feedback item's labels from corrections."""

    feedback_id: int
    text: str
    area: str | None
    kind: str | None
    labelled_at: datetime
    weight: float = 1.0
    urgent: bool | None = None


_URGENT_VALUES = {"true": True, "1": True, "yes": True, "urgent": True,
                  "false": False, "0": False, "no": False, "not": False, "not_urgent": False}


def urgent_value(value: str) -> bool | None:
    """A staff urgency label as a bool (None when it is not one)."""
    return _URGENT_VALUES.get(value.strip().lower())


def _is_citizen(actor: str) -> bool:
    return actor.startswith("citizen:")


def correction_rows(corrections: Iterable[CorrectionLike], now: datetime,
                    recent_days: int = RECENT_DAYS) -> list[LabelRow]:
    """Turn corrections into one labelled row per item (rules in the module docstring)."""
    latest: dict[tuple[int, str, bool], CorrectionLike] = {}
    for c in sorted(corrections, key=lambda c: (c.created_at, c.id)):
        fld = str(c.field)
        citizen = _is_citizen(c.actor)
        if citizen and fld != "area":
            continue
        if fld == "kind" and c.value not in KINDS:
            continue
        if fld == "urgent" and (citizen or urgent_value(c.value) is None):
            continue
        if not c.redacted_text.strip() or not c.value.strip():
            continue
        latest[(c.feedback_id, fld, citizen)] = c
    items = sorted({key[0] for key in latest})
    rows: list[LabelRow] = []
    cutoff = now - timedelta(days=recent_days)
    for item in items:
        area = latest.get((item, "area", False)) or latest.get((item, "area", True))
        kind = latest.get((item, "kind", False))
        urgent = latest.get((item, "urgent", False))
        used = [c for c in (area, kind, urgent) if c is not None]
        if not used:
            continue
        newest = max(used, key=lambda c: (c.created_at, c.id))
        rows.append(LabelRow(
            feedback_id=item,
            text=newest.redacted_text,
            area=area.value if area else None,
            kind=kind.value if kind else None,
            labelled_at=newest.created_at,
            weight=RECENT_WEIGHT if newest.created_at >= cutoff else 1.0,
            urgent=urgent_value(urgent.value) if urgent else None,
        ))
    return rows


def held_out_text(text: str, per_mille: int = HOLDOUT_BASE_PER_MILLE) -> bool:
    """Whether a base-table text is in the fixed held-out slice (by a hash of the text)."""
    digest = hashlib.sha256(" ".join(text.lower().split()).encode()).hexdigest()
    return int(digest[:8], 16) % 1000 < per_mille


@dataclass(slots=True)
class Split:
    """The candidate's training table and the held-out rows both models are scored on."""

    train: LabelledTable
    held_out: LabelledTable
    labels_from_staff: int
    held_out_base: int
    held_out_corrections: int
    base_train_rows: int = 0  # the first rows of ``train`` come from the base table
    corrections_total: int = 0
    notes: list[str] = field(default_factory=list)


def _rows_table(rows: Sequence[LabelRow], area_for: Callable[[list[str]], list[str]] | None
                ) -> LabelledTable:
    """Rows as a table; without ``area_for``, rows with no area label get ``""`` (scored
    for their other labels only)."""
    missing = [r.text for r in rows if r.area is None]
    guessed = iter(area_for(missing) if missing and area_for else [])
    return LabelledTable(
        texts=[r.text for r in rows],
        labels=[r.area if r.area is not None else (next(guessed) if area_for else "")
                for r in rows],
        kinds=[r.kind for r in rows],
        urgent=[None] * len(rows),
        innovation=[None] * len(rows),
        weights=[r.weight for r in rows],
        urgency=[None if r.urgent is None else ("urgent" if r.urgent else "not")
                 for r in rows],
    )


def split(base: LabelledTable, rows: Sequence[LabelRow],
          area_for: Callable[[list[str]], list[str]],
          recent_fraction: float = HOLDOUT_RECENT_FRACTION) -> Split:
    """Build the training table and the held-out table (see the module docstring)."""
    held_base = [i for i, t in enumerate(base.texts) if held_out_text(t)]
    held_set = set(held_base)
    train_base = [i for i in range(len(base)) if i not in held_set]
    ordered = sorted(rows, key=lambda r: (r.labelled_at, r.feedback_id))
    n_recent = math.ceil(len(ordered) * recent_fraction) if ordered else 0
    older, recent = ordered[:len(ordered) - n_recent], ordered[len(ordered) - n_recent:]
    train = subset(base, train_base)
    train.extend(_rows_table(older, area_for))
    held = subset(base, held_base)
    # a recent row with neither an area nor an urgency label is neither trained on nor
    # scored; one with an urgency label only is scored for urgency alone (area "")
    held.extend(_rows_table([r for r in recent if r.area is not None or r.urgent is not None],
                            None))
    train.sha256 = hashlib.sha256(
        (base.sha256 + "".join(f"{r.feedback_id}:{r.area}:{r.kind}:{r.urgent};"
                               for r in older)).encode()
    ).hexdigest()
    return Split(train=train, held_out=held, labels_from_staff=len(older),
                 held_out_base=len(held_base), held_out_corrections=len(recent),
                 base_train_rows=len(train_base),
                 corrections_total=len(rows))


class _Scorer(Protocol):
    def classify_prepared(self, prepared: Sequence[Any]) -> Sequence[Any]: ...
    def probabilities(self, prepared: Sequence[Any]) -> dict[str, Any]: ...


def evaluate(triager: _Scorer, held: LabelledTable, prepared: Sequence[Any]) -> dict[str, Any]:
    """Area, kind, innovation and urgent figures of one model on the held-out rows."""
    results = list(triager.classify_prepared(prepared))
    with_area = [i for i, label in enumerate(held.labels) if label]
    truth_areas = [held.labels[i] for i in with_area]
    predicted = [results[i].area for i in with_area]
    area = classification_report(truth_areas, predicted,
                                 labels=sorted(set(truth_areas) | set(predicted)))
    report: dict[str, Any] = {
        "n": area["n"], "macro_f1": area["macro_f1"], "accuracy": area["accuracy"],
        "weighted_f1": area["weighted_f1"],
        "per_area": {k: v for k, v in area["per_class"].items() if v["support"] > 0},
    }
    kind_rows = [i for i, k in enumerate(held.kinds) if k]
    if kind_rows:
        kinds = classification_report([str(held.kinds[i]) for i in kind_rows],
                                      [results[i].kind for i in kind_rows], labels=list(KINDS))
        report["kind"] = {k: kinds[k] for k in ("n", "macro_f1", "accuracy")}
    for head, truth in (("urgent", held.urgent), ("innovation", held.innovation)):
        rows = [i for i, v in enumerate(truth or []) if v is not None]
        if not rows:
            continue
        y = [bool(truth[i]) for i in rows]
        if head == "urgent":
            scores = [results[i].urgent_score for i in rows]
            flags = [results[i].urgent for i in rows]
        else:
            scores = [results[i].innovation for i in rows]
            flags = [s >= 0.5 for s in scores]
        report[head] = binary_report(y, scores, flags)
    levels = held.urgency or [None] * len(held)
    real = [i for i, lv in enumerate(levels) if lv is not None]
    if real:
        lv = [str(levels[i]) for i in real]
        report["urgency"] = urgency.figures([float(results[i].urgent) for i in real], lv, 0.5)
        if len(set(lv) & {"urgent"}) and len(set(lv) - {"urgent"}):
            report["urgency"]["roc_auc"] = binary_report(
                [v == "urgent" for v in lv], [results[i].urgent_score for i in real],
                [results[i].urgent for i in real])["roc_auc"]
        del report["urgency"]["threshold"]
    return report


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether to promote the candidate, and why."""

    promote: bool
    reason: str
    area_drops: dict[str, float]


def _area_drops(candidate: dict[str, Any], current: dict[str, Any], margin: float
                ) -> dict[str, tuple[float, float, float]]:
    drops: dict[str, tuple[float, float, float]] = {}
    for name, cur in current["per_area"].items():
        new = candidate["per_area"].get(name, {"f1": 0.0})["f1"]
        drop = round(cur["f1"] - new, 4)
        # on a few held-out rows one or two misses swing F1 by more than the margin
        noise = NOISE_ROWS / max(1, int(cur.get("support", 0)))
        if drop > max(margin, noise):
            drops[name] = (drop, cur["f1"], new)
    return drops


def _urgency_drops(candidate: dict[str, Any], current: dict[str, Any], margin: float
                   ) -> list[str]:
    new, cur = candidate.get("urgency"), current.get("urgency")
    if not new or not cur:
        return []
    problems = []
    for key, rows in (("recall", cur["urgent"]), ("precision", max(cur["flagged"], 1))):
        drop = round(cur[key] - new[key], 4)
        if cur[key if key == "recall" else "flagged"] and drop > max(margin, NOISE_ROWS / rows):
            problems.append(f"urgency {key} fell by {drop:.4f} ({cur[key]:.4f} -> "
                            f"{new[key]:.4f}; margin {margin}) on {cur['n']} rows staff marked")
    return problems


def decide(candidate: dict[str, Any], current: dict[str, Any], tolerance: float = 0.005,
           area_margin: float = 0.10, candidate_base: dict[str, Any] | None = None,
           current_base: dict[str, Any] | None = None,
           urgent_margin: float = 0.10) -> Decision:
    """Promote only if macro-F1 is not worse and no area's F1 falls by more than the margin.

    ``candidate``/``current`` are scored on all held-out rows. ``candidate_base`` and
    ``current_base``, when given, are the scores on the base-table slice alone: its labels
    are the reference staff corrections cannot overrule, so an area must not fall there
    either. Without that second check, corrections that relabel one area's reports as
    another's would also be the truth of their own held-out rows and could pass.
    """
    problems: list[str] = []
    if candidate["macro_f1"] < current["macro_f1"] - tolerance:
        problems.append(f"macro-F1 {candidate['macro_f1']:.4f} is below the current "
                        f"{current['macro_f1']:.4f} (tolerance {tolerance})")
    checks = [("", _area_drops(candidate, current, area_margin))]
    if candidate_base is not None and current_base is not None:
        checks.append((" on the base slice", _area_drops(candidate_base, current_base,
                                                          area_margin)))
    drops: dict[str, float] = {}
    for where, found in checks:
        for name, (drop, before, after) in sorted(found.items(), key=lambda kv: -kv[1][0]):
            drops[name] = max(drop, drops.get(name, 0.0))
            problems.append(f"area {name!r} F1 fell by {drop:.4f}{where} ({before:.4f} -> "
                            f"{after:.4f}; margin {area_margin})")
    problems.extend(_urgency_drops(candidate, current, urgent_margin))
    if problems:
        return Decision(False, "rejected: " + "; ".join(problems), drops)
    return Decision(True, f"promoted: macro-F1 {candidate['macro_f1']:.4f} vs current "
                          f"{current['macro_f1']:.4f}, no area fell by more than "
                          f"{area_margin}", drops)
