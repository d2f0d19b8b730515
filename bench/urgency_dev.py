"""Choose the urgency head's recipe and rules on the real development split (never test).

    python bench/urgency_dev.py                   # the shipped recipe, out of fold on dev
    python bench/urgency_dev.py --variants        # every recipe variant tried, side by side
    python bench/urgency_dev.py --rules           # each rule's precision and added recall
    python bench/urgency_dev.py --errors 40       # dev misses and false alarms, to read

Everything here is measured on the ``dev`` rows of ``tests/data/real`` by
``nlp.urgency_training``'s out-of-fold scores: each dev row is scored by a model that did
not see it (trained on the auxiliary rows and the other folds), calibrated and
thresholded on those scores. The locked ``test`` rows are not read at all (their labels
are taken off the table, ``models.training.urgency_data``). Dev figures are what the
choices were made on, so they are optimistic; the test split (``bench/realworld.py``) is
the figure of record.

Rule audit (``--rules``): for each urgent rule, on the dev rows, how often it fires
outside a past/hypothetical sentence, its precision (urgent or borderline, as the flag
precision counts), the urgent rows it catches, and those no other rule catches; then the
out-of-fold figures of the model without that rule's features (recall and precision at
the policy's threshold, ROC AUC), against the model with every rule.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.training.real import RealItem, real_items  # noqa: E402
from models.training.urgency_data import Recipe, training_table  # noqa: E402
from nlp import urgency  # noqa: E402
from nlp.metrics import bootstrap_interval  # noqa: E402
from nlp.prep import Prepared, Preparer  # noqa: E402
from nlp.training import TrainConfig, _urgency_rows  # noqa: E402
from nlp.urgency_training import UrgencyConfig, UrgencyFit, train_urgency  # noqa: E402

SHIPPED = TrainConfig().urgency


class Dev:
    """The dev rows, the texts prepared once, and out-of-fold runs of recipes on them."""

    def __init__(self, items: list[RealItem]) -> None:
        self.items = {i.item_id: i for i in items}
        self.all_items = items
        self.preparer = Preparer("en")
        self._prepared: dict[str, Prepared] = {}

    def prepare(self, texts: list[str]) -> list[Prepared]:
        new = [t for t in dict.fromkeys(texts) if t not in self._prepared]
        for text, p in zip(new, self.preparer.prepare_many(new), strict=True):
            self._prepared[text] = p
        return [self._prepared[t] for t in texts]

    def run(self, recipe: Recipe, config: UrgencyConfig = SHIPPED,
            strip: frozenset[str] = frozenset()) -> tuple[UrgencyFit, list[RealItem]]:
        table, built = training_table(recipe, items=self.all_items)
        prepared = self.prepare(table.texts)
        if strip:
            prepared = [_without(p, strip) for p in prepared]
        rows = _urgency_rows(table)
        fit = train_urgency(prepared, rows, config, n_jobs=2)
        return fit, [self.items[built.real_rows[i]] for i in rows.real]


def _without(p: Prepared, rules: frozenset[str]) -> Prepared:
    kept = [t for t in p.tags.split() if t.split("_", 1)[-1] not in rules
            or not t.startswith(("urg_", "urgv_"))]
    return replace(p, tags=" ".join(kept))


def summary(fit: UrgencyFit, items: list[RealItem], label: str) -> dict[str, Any]:
    """Out-of-fold figures at the chosen threshold, with 95 % bootstrap intervals."""
    scores, levels = urgency.held_out({"urgency": fit.metadata}) or ([], [])
    s, lv = np.asarray(scores), np.asarray(levels)
    t = fit.threshold
    out: dict[str, Any] = {"variant": label, "threshold": t}
    for name, keep in (("all", np.ones(len(s), bool)),
                       ("en", np.asarray([i.lang == "en" for i in items])),
                       ("de", np.asarray([i.lang == "de" for i in items]))):
        f = urgency.figures(s[keep], lv[keep].tolist(), t)
        sk, lk = s[keep], lv[keep]
        for key in ("recall", "precision", "flag_ratio"):
            f[key + "_ci"] = bootstrap_interval(
                lambda rows, key=key, sk=sk, lk=lk: urgency.figures(
                    sk[rows], lk[rows].tolist(), t)[key] if key != "recall"
                or (lk[rows] == "urgent").any() else None, int(keep.sum()), rounds=500)
        out[name] = f
    en = np.asarray([i.lang == "en" for i in items])
    # precision at several recalls: steadier than at one threshold to compare variants by
    at = {r: urgency.figures(s[en], lv[en].tolist(), urgency.choose_threshold(
        s[en], lv[en].tolist(), r))["precision"] for r in (0.8, 0.85, 0.9, 0.95)}
    out["precision_at_recall"] = at
    out["pr_mean"] = round(float(np.mean(list(at.values()))), 4)
    out["roc_auc"] = fit.metrics["roc_auc"]
    return out


def show(row: dict[str, Any]) -> None:
    en, de = row["en"], row["de"]
    print(f"{row['variant']:34s} t={row['threshold']:.3f} AUC {row['roc_auc']:.3f} | en: R "
          f"{en['recall']:.3f} {_ci(en['recall_ci'])} P {en['precision']:.3f} "
          f"{_ci(en['precision_ci'])} flagged {en['flagged_share']:.3f} (x{en['flag_ratio']:.2f}) "
          f"| de: flagged {de['flagged']} of {de['n']} | P@R.85 "
          f"{row['precision_at_recall'][0.85]:.3f} P@R.90 {row['precision_at_recall'][0.9]:.3f}"
          f" mean(P@R.80-.95) {row['pr_mean']:.3f}", flush=True)


def _ci(ci: tuple[float, float]) -> str:
    return f"[{ci[0]:.3f}, {ci[1]:.3f}]"


_R = Recipe()
VARIANTS: list[tuple[str, Recipe, UrgencyConfig]] = [
    ("shipped", _R, SHIPPED),
    ("real rows only", replace(_R, handwritten=0, handwritten_calm=0, bengaluru_weak=0,
                               disaster_weak=0, crisis_urgent=0, crisis_calm=0, crisis_news=0),
     SHIPPED),
    ("hand-written rows weigh 0.3", replace(_R, handwritten=0.3, handwritten_calm=0.3),
     SHIPPED),
    ("hand-written lookalikes weigh 0.3", replace(_R, handwritten_calm=0.3), SHIPPED),
    ("no hand-written rows", replace(_R, handwritten=0, handwritten_calm=0), SHIPPED),
    ("no hand-written dangers", replace(_R, handwritten=0), SHIPPED),
    ("no hand-written lookalikes", replace(_R, handwritten_calm=0), SHIPPED),
    ("no Bengaluru weak negatives", replace(_R, bengaluru_weak=0), SHIPPED),
    ("no disaster weak rows", replace(_R, disaster_weak=0), SHIPPED),
    ("no crisis eyewitness rows", replace(_R, crisis_urgent=0), SHIPPED),
    ("no crisis calm rows", replace(_R, crisis_calm=0), SHIPPED),
    ("no crisis news rows", replace(_R, crisis_news=0), SHIPPED),
    ("real rows weigh 1", _R, replace(SHIPPED, real_weight=1.0)),
    ("real rows weigh 3", _R, replace(SHIPPED, real_weight=3.0)),
    ("borderline as not urgent", _R, replace(SHIPPED, borderline=0.0)),
    ("borderline as urgent", _R, replace(SHIPPED, borderline=1.0)),
    ("no German real rows", replace(_R, real_languages=("en",)), SHIPPED),
]


def rule_audit(dev: Dev, recipe: Recipe, config: UrgencyConfig) -> list[dict[str, Any]]:
    """Each urgent rule's figures on the dev rows, and the model without it."""
    full, items = dev.run(recipe, config)
    base = summary(full, items, "every rule")
    show(base)
    prepared = dev.prepare([i.text for i in items])
    fired: dict[str, set[int]] = {}
    for k, p in enumerate(prepared):
        for name in p.urgent_rules:
            fired.setdefault(name, set()).add(k)
    levels = [i.urgency for i in items]
    rows = []
    for name in sorted(fired, key=lambda n: -len(fired[n])):
        hits = fired[name]
        others = set().union(*(v for n, v in fired.items() if n != name))
        urgent_hits = {k for k in hits if levels[k] == "urgent"}
        right = sum(levels[k] in ("urgent", "borderline") for k in hits)
        start = time.perf_counter()
        fit, _ = dev.run(recipe, config, strip=frozenset({name}))
        without = summary(fit, items, f"without {name}")
        rows.append({
            "rule": name, "fires": len(hits), "precision": round(right / len(hits), 3),
            "urgent": len(urgent_hits), "only_this_rule": len(urgent_hits - others),
            "without": {k: without["en"][k] for k in ("recall", "precision", "flag_ratio")},
            "auc_without": without["roc_auc"], "seconds": round(time.perf_counter() - start)})
        r = rows[-1]
        print(f"  {name:28s} fires {r['fires']:4d} P {r['precision']:.2f} urgent {r['urgent']:3d}"
              f" only {r['only_this_rule']:3d} | without: AUC {r['auc_without']:.4f} "
              f"R {r['without']['recall']:.3f} P {r['without']['precision']:.3f}", flush=True)
    return [base, *rows]


def errors(fit: UrgencyFit, items: list[RealItem], limit: int) -> None:
    scores, _ = urgency.held_out({"urgency": fit.metadata}) or ([], [])
    t = fit.threshold
    misses = sorted((s, i) for s, i in zip(scores, items, strict=True)
                    if i.urgency == "urgent" and s < t)
    alarms = sorted(((s, i) for s, i in zip(scores, items, strict=True)
                     if i.urgency == "not" and s >= t), key=lambda x: -x[0])
    print(f"\nmisses ({len(misses)}), lowest first:")
    for s, i in misses[:limit]:
        print(f"  {s:.3f} {i.item_id:28s} {' '.join(i.text.split())[:150]}")
    print(f"\nfalse alarms ({len(alarms)}), highest first:")
    for s, i in alarms[:limit]:
        print(f"  {s:.3f} {i.item_id:28s} {' '.join(i.text.split())[:150]}")
    print("\nfalse alarms by source:", Counter(i.source.split("/")[0] for _, i in alarms))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", action="store_true")
    parser.add_argument("--rules", action="store_true")
    parser.add_argument("--errors", type=int, default=0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    dev = Dev(real_items())
    results: list[dict[str, Any]] = []
    if args.rules:
        results = rule_audit(dev, Recipe(), SHIPPED)
    else:
        for label, recipe, config in (VARIANTS if args.variants else VARIANTS[:1]):
            fit, items = dev.run(recipe, config)
            results.append(summary(fit, items, label))
            show(results[-1])
            if args.errors and label == "shipped":
                errors(fit, items, args.errors)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
