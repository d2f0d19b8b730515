"""Merge the two annotators' labels of ``items.csv`` into ``labels.csv`` and report agreement.

    python tests/data/real/merge_labels.py A1.csv,A2.csv B1.csv,B2.csv
                                        # writes labels.csv and AGREEMENT.md

Each annotator's labels may come in several files (one per labelling round), each with
``id,urgency,idea`` (``U``/``B``/``N``, ``Y``/``N``), written by an annotator
who saw only ``GUIDE.md`` and the texts, never the rules, the model or the other's labels.
The merged urgency is ``urgent`` or ``not`` where both agree on it and ``borderline``
otherwise (both said borderline, or they disagreed); the merged idea is ``1`` or ``0`` where
they agree and ``disputed`` where they do not.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
URGENCY = {"U": "urgent", "B": "borderline", "N": "not"}


def kappa(first: Sequence[str], second: Sequence[str]) -> float:
    """Cohen's kappa of two annotators' labels of the same items."""
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    left, right = Counter(first), Counter(second)
    expected = sum(left[k] * right[k] for k in left.keys() | right.keys()) / (n * n)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def read(paths: str) -> dict[str, tuple[str, str]]:
    rows: dict[str, tuple[str, str]] = {}
    for path in paths.split(","):
        with Path(path).open(encoding="utf-8", newline="") as handle:
            for r in csv.DictReader(handle):
                if r["id"] in rows:
                    raise SystemExit(f"{path}: {r['id']} is labelled twice")
                rows[r["id"]] = (r["urgency"].strip().upper(), r["idea"].strip().upper())
    bad = [i for i, (u, d) in rows.items() if u not in URGENCY or d not in ("Y", "N")]
    if bad:
        raise SystemExit(f"{paths}: bad labels for {len(bad)} items, e.g. {bad[0]}")
    return rows


def merged_urgency(a: str, b: str) -> str:
    return URGENCY[a] if a == b and a != "B" else "borderline"


def merged_idea(a: str, b: str) -> str:
    return ("1" if a == "Y" else "0") if a == b else "disputed"


def main(argv: Sequence[str]) -> int:
    first, second = read(argv[0]), read(argv[1])
    with (HERE / "items.csv").open(encoding="utf-8", newline="") as handle:
        items = list(csv.DictReader(handle))
    missing = [i["item_id"] for i in items if i["item_id"] not in first
               or i["item_id"] not in second]
    if missing:
        raise SystemExit(f"{len(missing)} items lack a label, e.g. {missing[0]}")
    with (HERE / "labels.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["item_id", "split", "lang", "round", "urgency_a", "urgency_b", "urgency",
                      "idea_a", "idea_b", "idea"])
        for item in items:
            (ua, ia), (ub, ib) = first[item["item_id"]], second[item["item_id"]]
            out.writerow([item["item_id"], item["split"], item["lang"], item["round"], ua, ub,
                          merged_urgency(ua, ub), ia, ib, merged_idea(ia, ib)])
    print(agreement(items, first, second))
    (HERE / "AGREEMENT.md").write_text(agreement(items, first, second), encoding="utf-8")
    return 0


def agreement(items: list[dict[str, str]], first: dict[str, tuple[str, str]],
              second: dict[str, tuple[str, str]]) -> str:
    lines = ["# Agreement between the two annotators", "",
             "Written by `python tests/data/real/merge_labels.py A1.csv,A2.csv B1.csv,B2.csv`."
             " Two annotators, each seeing only `GUIDE.md` and the texts (round 1: 2,300 "
             "texts from four sources; round 2: 1,955 more Bengaluru reports in the "
             "danger-word stratum).", "",
             "| subset | n | urgency U/B/N kappa | urgent vs rest kappa | "
             "urgent or borderline vs not kappa | idea kappa |", "|---|---|---|---|---|---|"]
    subsets = {"all": items, "English": [i for i in items if i["lang"] == "en"],
               "German": [i for i in items if i["lang"] == "de"]}
    for source in sorted({i["source"].split("/")[0] for i in items}):
        subsets[source] = [i for i in items if i["source"].startswith(source)]
    for draw in sorted({i["round"] for i in items}):
        subsets[f"round {draw}"] = [i for i in items if i["round"] == draw]
    for name, subset in subsets.items():
        ids = [i["item_id"] for i in subset]
        ua, ub = [first[i][0] for i in ids], [second[i][0] for i in ids]
        da, db = [first[i][1] for i in ids], [second[i][1] for i in ids]
        urgent = kappa([u == "U" for u in ua], [u == "U" for u in ub])  # type: ignore[misc]
        flagged = kappa([u != "N" for u in ua], [u != "N" for u in ub])  # type: ignore[misc]
        lines.append(f"| {name} | {len(ids)} | {kappa(ua, ub):.3f} | {urgent:.3f} | "
                     f"{flagged:.3f} | {kappa(da, db):.3f} |")
    counts = Counter(merged_urgency(first[i["item_id"]][0], second[i["item_id"]][0])
                     for i in items)
    ideas = Counter(merged_idea(first[i["item_id"]][1], second[i["item_id"]][1])
                    for i in items)
    lines += ["", "Merged labels: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
              + "; ideas: " + ", ".join(f"{k} {v}" for k, v in sorted(ideas.items())) + ".", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
