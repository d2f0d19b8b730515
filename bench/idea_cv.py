"""Measure the idea (innovation) head where it was not trained, three ways.

    python bench/idea_cv.py [--json FILE]

* **Suggestion sentences, each domain left out in turn** (product reviews, a travel forum,
  tweets; research-only data, never in the shipped model): an evaluation-only head is
  trained on the shipped head's rows plus the two other domains and scored on the third,
  against the labels as they are (tips to other customers count as suggestions there):
  F1 at the shipped threshold, ROC AUC.
* **Vallejo ideas against real complaints** (the Bengaluru reports outside the real set):
  ROC AUC out of fold: each of 5 folds of them is scored by a head trained on everything
  else (the ones among the head's training rows are left out with their fold).
* **The real development set's ideas** (``tests/data/real``, ``idea`` = 1; disputed rows
  left out): recall at the shipped threshold (and precision, over rows labelled 0), out of
  fold in the same way, since the dev rows train the shipped head.

Each figure carries a 95 % bootstrap interval over the scored rows. The test split is not
read here: ``bench/realworld.py`` measures the shipped model on it.

``--in-domain`` adds what the same head reaches on each domain *trained on that domain*
(5-fold cross-validation, F1 at the shipped threshold and at the best one): a ceiling for
the left-out figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.training.real import DEFAULT_SHARED, real_items  # noqa: E402
from models.training.urgency_data import Recipe, training_table  # noqa: E402
from nlp.heads import head_input, innovation_pipeline  # noqa: E402
from nlp.metrics import binary_report, bootstrap_interval  # noqa: E402
from nlp.prep import Prepared, Preparer  # noqa: E402
from nlp.training import INNOVATION_THRESHOLD, innovation_labels  # noqa: E402

DOMAINS = ("electronics", "travel_forum", "tweets")


def _fit_score(train_p: Sequence[Prepared], train_y: Sequence[bool],
               test_p: Sequence[Prepared]) -> np.ndarray:
    model = innovation_pipeline().fit(head_input(train_p), np.asarray(train_y, dtype=int))
    return np.asarray(model.predict_proba(head_input(test_p))[:, 1])


def _figures(truth: Sequence[bool], scores: np.ndarray, threshold: float) -> dict[str, Any]:
    y = np.asarray(truth, dtype=bool)
    report = binary_report(y.tolist(), scores.tolist(), (scores >= threshold).tolist())

    def stat(key: str) -> Any:
        def f(rows: np.ndarray) -> float | None:
            if len(set(y[rows].tolist())) < 2:
                return None
            r = binary_report(y[rows].tolist(), scores[rows].tolist(),
                              (scores[rows] >= threshold).tolist())
            return float(r[key])
        return f

    out = {k: report[k] for k in ("n", "positives", "precision", "recall", "f1", "roc_auc")}
    for key in ("f1", "roc_auc", "recall"):
        out[key + "_ci"] = bootstrap_interval(stat(key), len(y), rounds=500)
    return out


def measure(shared: Path = DEFAULT_SHARED, log: Any = print) -> dict[str, Any]:
    items = real_items(shared)
    table, built = training_table(Recipe(), shared=shared, items=items)
    rows, truth = innovation_labels(table)
    preparer = Preparer("en")
    prepared = preparer.prepare_many(table.texts)
    train_p = [prepared[i] for i in rows]
    results: dict[str, Any] = {"threshold": INNOVATION_THRESHOLD}
    kept: dict[str, tuple[list[bool], np.ndarray]] = {}
    # 1. suggestion sentences, leave one domain out
    with (shared / "suggestion-sentences" / "suggestions_3_domains.csv").open(
            encoding="utf-8", newline="") as handle:
        sentences = list(csv.DictReader(handle))
    sent_p = preparer.prepare_many([r["text"] for r in sentences])
    sent_y = [r["label"] == "1" for r in sentences]
    for domain in DOMAINS:
        inside = [i for i, r in enumerate(sentences) if r["domain"] != domain]
        left = [i for i, r in enumerate(sentences) if r["domain"] == domain]
        scores = _fit_score(train_p + [sent_p[i] for i in inside],
                            list(truth) + [sent_y[i] for i in inside], [sent_p[i] for i in left])
        results[f"suggestions:{domain}"] = _figures([sent_y[i] for i in left], scores,
                                                    INNOVATION_THRESHOLD)
        kept[domain] = ([sent_y[i] for i in left], scores)
        log(f"suggestions, {domain} left out: {_line(results[f'suggestions:{domain}'])}")
    # 2. and 3. out of fold: each fold of the scored rows by a head trained without it
    sources = _row_sources(table, built.real_rows)
    real = items_by_row(built.real_rows, items)
    label = dict(zip(rows, truth, strict=True))
    targets = {
        # every Vallejo idea against every Bengaluru report outside the real set
        "vallejo_vs_complaints": [(i, sources[i] == "vallejo") for i in range(len(table))
                                  if sources[i] in ("vallejo", "bengaluru")],
        "real_dev": [(i, label[i]) for i in built.real_rows if i in label],
    }
    for name, chosen in targets.items():
        scores = _out_of_fold(prepared, rows, truth, chosen)
        y = [t for _, t in chosen]
        results[name] = _figures(y, scores, INNOVATION_THRESHOLD)
        kept[name] = (y, scores)
        log(f"{name}: {_line(results[name])}")
        if name == "real_dev":
            langs = [real[i].lang for i, _ in chosen]
            for lang in ("en", "de"):
                keep = [j for j, g in enumerate(langs) if g == lang]
                results[f"real_dev:{lang}"] = _figures([y[j] for j in keep], scores[keep],
                                                       INNOVATION_THRESHOLD)
                log(f"real_dev, {lang}: {_line(results[f'real_dev:{lang}'])}")
    # what other thresholds would give (the shipped one is chosen on the dev rows' recall)
    table = {}
    for t in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6):
        row = {}
        for name, (y, scores) in kept.items():
            r = binary_report(y, scores.tolist(), (scores >= t).tolist())
            row[name] = {"f1": r["f1"], "recall": r["recall"], "precision": r["precision"]}
        table[t] = row
        log(f"  at {t:.2f}: " + "; ".join(f"{name} F1 {v['f1']:.3f} R {v['recall']:.3f}"
                                        for name, v in row.items()))
    results["by_threshold"] = table
    return results


def items_by_row(real_rows: dict[int, str], items: Sequence[Any]) -> dict[int, Any]:
    by_id = {i.item_id: i for i in items}
    return {row: by_id[item] for row, item in real_rows.items()}


def _row_sources(table: Any, real_rows: dict[int, str]) -> list[str]:
    """Where each table row comes from: real / vallejo / bengaluru / handwritten / extra."""
    with (ROOT / "models" / "training" / "default_table.csv").open(encoding="utf-8") as f:
        csv_sources = [r["source"] for r in csv.DictReader(f)]
    out = csv_sources + ["extra"] * (len(table) - len(csv_sources))
    for row in real_rows:
        out[row] = "real"
    return out


def _out_of_fold(prepared: list[Prepared], rows: list[int], truth: list[bool],
                 chosen: list[tuple[int, bool]]) -> np.ndarray:
    """Scores of the ``chosen`` table rows, each by a head trained on the innovation rows
    (``rows``, ``truth``) without its fold of them."""
    y = np.asarray([t for _, t in chosen])
    scores = np.zeros(len(chosen))
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    for _, test in folds.split(np.zeros(len(chosen)), y):
        out = {chosen[k][0] for k in test}
        keep = [k for k, i in enumerate(rows) if i not in out]
        scores[test] = _fit_score([prepared[rows[k]] for k in keep], [truth[k] for k in keep],
                                  [prepared[chosen[k][0]] for k in test])
    return scores


def _line(f: dict[str, Any]) -> str:
    return (f"F1 {f['f1']:.3f} [{f['f1_ci'][0]:.3f}, {f['f1_ci'][1]:.3f}], AUC "
            f"{f['roc_auc']:.3f} [{f['roc_auc_ci'][0]:.3f}, {f['roc_auc_ci'][1]:.3f}], recall "
            f"{f['recall']:.3f} [{f['recall_ci'][0]:.3f}, {f['recall_ci'][1]:.3f}], precision "
            f"{f['precision']:.3f} ({f['positives']} of {f['n']})")


def in_domain(shared: Path = DEFAULT_SHARED, log: Any = print) -> dict[str, Any]:
    """5-fold cross-validation of the head within each suggestion domain."""
    with (shared / "suggestion-sentences" / "suggestions_3_domains.csv").open(
            encoding="utf-8", newline="") as handle:
        sentences = list(csv.DictReader(handle))
    preparer = Preparer("en")
    out: dict[str, Any] = {}
    for domain in DOMAINS:
        rows = [r for r in sentences if r["domain"] == domain]
        prepared = preparer.prepare_many([r["text"] for r in rows])
        y = np.asarray([r["label"] == "1" for r in rows])
        scores = np.zeros(len(rows))
        for fit_rows, test in StratifiedKFold(5, shuffle=True, random_state=0).split(
                np.zeros(len(rows)), y):
            scores[test] = _fit_score([prepared[i] for i in fit_rows], y[fit_rows].tolist(),
                                      [prepared[i] for i in test])
        best = max(binary_report(y.tolist(), scores.tolist(), (scores >= t).tolist())["f1"]
                   for t in np.linspace(0.1, 0.9, 33))
        f = _figures(y.tolist(), scores, INNOVATION_THRESHOLD)
        out[domain] = {**f, "best_f1": best}
        log(f"in-domain 5-fold, {domain}: {_line(f)}; best F1 over thresholds {best:.3f}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--in-domain", action="store_true")
    args = parser.parse_args(argv)
    results = measure()
    if args.in_domain:
        results["in_domain"] = in_domain()
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
