"""Score a model on the team's own hand-written sets: regression checks, not the measure.

    python bench/heldout.py [--model DIR_OR_VERSION]

These sets were written by the team and its helpers; real traffic is the measure of record
(``bench/realworld.py``). Prints kinds macro-F1, urgent recall/precision of the model (a
rule is one of its features, never a decision), the innovation head on the team's
out-of-domain suggestion sentences (ROC AUC, AP, F1 at 0.5), and urgency on the sets written
by someone who never saw the rules or the model (tests/data/heldout/URGENT_BLIND*.md): A, B
and C are spent (their errors were read and rules written for them); D, H and J are blind
(totals only); E, F, G, I and K are development sets, and E, G, I and K chose the weight of
the hand-written rows (``models/training/urgency_data.Recipe``); DE and DE2 are German. The
German texts go through the shipped model, as the service sends them (it is English; there
are no German urgent rules any more).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.registry import ModelRegistry  # noqa: E402
from nlp.metrics import binary_report, classification_report  # noqa: E402
from nlp.triage import Triager  # noqa: E402

HELDOUT = ROOT / "tests" / "data" / "heldout"
BLIND_SETS = (("urgent_blind.csv", "blind set A"), ("urgent_blind_b.csv", "blind set B"),
              ("urgent_blind_c.csv", "blind set C"), ("urgent_blind_d.csv", "blind set D"),
              ("urgent_dev_e.csv", "dev set E"), ("urgent_dev_f.csv", "dev set F"),
              ("urgent_dev_g.csv", "dev set G"), ("urgent_dev_de.csv", "dev set DE"),
              ("urgent_blind_h.csv", "blind set H"), ("urgent_dev_i.csv", "dev set I"),
              ("urgent_blind_j.csv", "blind set J"), ("urgent_dev_k.csv", "dev set K"),
              ("urgent_dev_de2.csv", "dev set DE2"))
# --show-errors never prints these sets' texts
STILL_BLIND = {"urgent_blind_d.csv", "urgent_blind_h.csv", "urgent_blind_j.csv"}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=None)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args()
    registry = ModelRegistry(ROOT / "var" / "models")
    triager = Triager.from_folder(registry.resolve(args.model))
    with (HELDOUT / "kinds_urgency.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    results = triager.classify_many([r["text"] for r in rows])
    kinds = classification_report([r["kind"] for r in rows], [r.kind for r in results])
    print(f"model {triager.version}")
    print(f"kinds: macro-F1 {kinds['macro_f1']}, accuracy {kinds['accuracy']} (n={kinds['n']})")
    for label, m in kinds["per_class"].items():
        print(f"  {label:10s} P {m['precision']:.2f} R {m['recall']:.2f} F1 {m['f1']:.2f}")
    truth = [r["urgent"] == "1" for r in rows]
    urgent = binary_report(truth, [r.urgent_score for r in results], [r.urgent for r in results])
    print(f"urgent: recall {urgent['recall']}, precision {urgent['precision']}"
          f" ({urgent['positives']} urgent of {urgent['n']})")
    ideas = binary_report([r["kind"] == "idea" for r in rows], [r.innovation for r in results],
                          [r.innovation >= 0.5 for r in results])
    print(f"innovation (held-out civic texts, ideas vs the rest): ROC AUC {ideas['roc_auc']},"
          f" AP {ideas['average_precision']}, F1@0.5 {ideas['f1']}")
    areas = classification_report([r["area"] for r in rows], [r.area for r in results])
    print(f"areas: accuracy {areas['accuracy']}, macro-F1 {areas['macro_f1']}")
    with (HELDOUT / "suggestions_ood.csv").open(encoding="utf-8") as handle:
        ood = list(csv.DictReader(handle))
    scored = triager.classify_many([r["text"] for r in ood])
    inn = binary_report([r["suggestion"] == "1" for r in ood], [r.innovation for r in scored],
                        [r.innovation >= 0.5 for r in scored])
    print(f"innovation (out-of-domain suggestions): ROC AUC {inn['roc_auc']}, AP "
          f"{inn['average_precision']}, F1@0.5 {inn['f1']} (P {inn['precision']}, "
          f"R {inn['recall']})")
    if args.show_errors:
        for r, res in zip(rows, results, strict=True):
            if (r["urgent"] == "1") != res.urgent:
                print(f"  urgent={r['urgent']} got={res.urgent} {res.urgent_reasons} {r['text']}")
    for name, label in BLIND_SETS:
        _blind_urgency(triager, args.show_errors and name not in STILL_BLIND, name, label)
    return 0


def _blind_urgency(triager: Triager, show_errors: bool, name: str, label: str) -> None:
    """A blind urgency set (written by someone who never saw the rules or the model)."""
    with (HELDOUT / name).open(encoding="utf-8") as handle:
        blind = list(csv.DictReader(handle))
    english = [r for r in blind if r["lang"] == "en"]
    found = triager.classify_many([r["text"] for r in english])
    if english and "kind" in blind[0]:
        kinds = classification_report([r["kind"] for r in english], [r.kind for r in found])
        print(f"kinds, {label} (English): macro-F1 {kinds['macro_f1']}, accuracy "
              f"{kinds['accuracy']} (n={kinds['n']})")
    if english:
        report = binary_report([r["urgent"] == "1" for r in english],
                               [r.urgent_score for r in found], [r.urgent for r in found])
        print(f"urgent, {label} (English): recall {report['recall']}, "
              f"precision {report['precision']} ({report['positives']} urgent of "
              f"{report['n']})")
    german = [r for r in blind if r["lang"] == "de"]
    if not german:
        return
    found_de = triager.classify_many([r["text"] for r in german])
    flags = [r.urgent for r in found_de]
    de = binary_report([r["urgent"] == "1" for r in german], [r.urgent_score for r in found_de],
                       flags)
    print(f"urgent, {label} (German, the shipped model): recall {de['recall']}, precision "
          f"{de['precision']} ({de['positives']} urgent of {de['n']})")
    if show_errors:
        for r, res in zip(english, found, strict=True):
            if (r["urgent"] == "1") != res.urgent:
                print(f"  {label} urgent={r['urgent']} got={res.urgent} {r['text']}")
        for r, flag in zip(german, flags, strict=True):
            if (r["urgent"] == "1") != flag:
                print(f"  {label} (de) urgent={r['urgent']} got={flag} {r['text']}")


if __name__ == "__main__":
    raise SystemExit(main())
