"""Measure a model on the locked test split of the real labelled set, for its card.

Measured once per model build (``build_default``) and by ``bench/realworld.py``: never read
to choose anything. Stores, in the version's metadata, the test rows' urgency scores and
levels (``urgency.test``, so a Models page can say what any threshold gives there too) and
the figures at the version's threshold (``real_test``), each with a 95 % bootstrap interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from models.training.real import RealItem
from nlp import urgency
from nlp.metrics import bootstrap_interval

COMMAND = "python -m models.training.build_default (or bench/realworld.py)"


def urgency_figures(levels: Sequence[str], flags: Sequence[bool],
                    scores: Sequence[float]) -> dict[str, Any]:
    """Recall, precision and flagged share of ``flags``, with 95 % bootstrap intervals."""
    f = np.asarray(flags, dtype=float)
    lv = np.asarray(levels)
    out = urgency.figures(f, list(levels), 0.5)
    del out["threshold"]

    def stat(key: str) -> Any:
        def value(rows: np.ndarray) -> float | None:
            if key == "recall" and not (lv[rows] == "urgent").any():
                return None
            v = urgency.figures(f[rows], lv[rows].tolist(), 0.5)[key]
            return None if v is None else float(v)
        return value

    for key in ("recall", "precision", "flagged_share", "flag_ratio"):
        out[key + "_ci"] = list(bootstrap_interval(stat(key), len(lv), rounds=1000))
    urgent = lv == "urgent"
    if urgent.any() and (~urgent).any():
        from sklearn.metrics import roc_auc_score

        out["roc_auc"] = round(float(roc_auc_score(urgent, np.asarray(scores))), 4)
    return out


def measure(triager: Any, items: Sequence[RealItem]) -> dict[str, Any]:
    """The test split's figures for ``triager`` (an ``nlp.triage.Triager``)."""
    test = [i for i in items if i.split == "test" and i.urgency]
    results = triager.classify_many([i.text for i in test])
    out: dict[str, Any] = {"split": "test", "threshold": triager.urgent_threshold,
                           "command": COMMAND}
    for lang in ("en", "de", "all"):
        pairs = [(i, r) for i, r in zip(test, results, strict=True)
                 if lang == "all" or i.lang == lang]
        out[f"urgency_{lang}"] = urgency_figures([str(i.urgency) for i, _ in pairs],
                                                 [r.urgent for _, r in pairs],
                                                 [r.urgent_score for _, r in pairs])
    threshold = float(triager.metadata.get("thresholds", {}).get("innovation", 0.5))
    for lang in ("en", "de", "all"):
        pairs = [(i, r) for i, r in zip(test, results, strict=True)
                 if i.idea in ("0", "1") and (lang == "all" or i.lang == lang)]
        ideas = np.asarray([r.innovation >= threshold for i, r in pairs if i.idea == "1"])
        others = [r.innovation >= threshold for i, r in pairs if i.idea == "0"]

        def recall(rows: np.ndarray, found: np.ndarray = ideas) -> float:
            return float(found[rows].mean())

        out[f"ideas_{lang}"] = {
            "ideas": len(ideas), "recall": round(float(ideas.mean()), 4) if len(ideas) else None,
            "recall_ci": list(bootstrap_interval(recall, len(ideas), rounds=1000))
            if len(ideas) else None,
            "others_flagged": round(float(np.mean(others)), 4) if others else None}
    out["stored"] = urgency.stored([r.urgent_score for r in results],
                                   [str(i.urgency) for i in test],
                                   "the locked real test split, English and German")
    return out


def record(metadata: dict[str, Any], figures: dict[str, Any]) -> None:
    """Keep ``figures`` in a version's metadata (the scores under ``urgency.test``)."""
    stored = figures.pop("stored")
    metadata.setdefault("urgency", {})["test"] = stored
    metadata["real_test"] = figures


def card_lines(metadata: dict[str, Any]) -> list[str]:
    """The model card's section on real traffic."""
    real = metadata.get("real_test")
    if not real:
        return []

    def ci(values: Sequence[float] | None) -> str:
        return f"[{values[0]:.2f}, {values[1]:.2f}]" if values else ""

    en, de = real["urgency_en"], real["urgency_de"]
    dev = metadata.get("metrics", {}).get("urgent", {})
    lines = [
        "## Real traffic (tests/data/real: texts real people sent, labelled by two readers)",
        f"Locked test split, urgency threshold {real['threshold']} (chosen on the development "
        f"split), 95 % bootstrap intervals; `{real['command']}`:",
        f"- English: recall {en['recall']:.3f} {ci(en['recall_ci'])} on the {en['urgent']} "
        f"texts both readers call urgent; precision {en['precision']:.3f} "
        f"{ci(en['precision_ci'])} (a flag on a borderline text counts as right); "
        f"{en['flagged_share']:.3f} of {en['n']} texts flagged against "
        f"{en['labelled_share']:.3f} labelled urgent or borderline (x{en['flag_ratio']:.2f} "
        f"{ci(en['flag_ratio_ci'])}); ROC AUC {en.get('roc_auc')}",
        f"- German (no text labelled urgent): {de['flagged']} of {de['n']} flagged",
    ]
    for lang in ("en", "de"):
        ideas = real[f"ideas_{lang}"]
        if ideas["recall"] is not None:
            lines.append(f"- ideas ({lang}): recall {ideas['recall']:.3f} {ci(ideas['recall_ci'])}"
                         f" of {ideas['ideas']}; {ideas['others_flagged']:.3f} of the other "
                         "texts flagged as proposing something")
    if "measured_on" in dev:
        lines.append(f"- development split, out of fold (what was chosen on): recall "
                     f"{dev['recall']}, precision {dev['precision']}, flagged "
                     f"{dev['flagged_share']} vs labelled {dev['labelled_share']}")
    return [*lines, "", ""]
