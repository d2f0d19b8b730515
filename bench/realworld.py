"""Every figure of record, on real texts, with 95 % bootstrap intervals, and the speed.

    python bench/realworld.py [--model DIR_OR_VERSION] [--area-seeds 1] [--skip-areas]
                              [--skip-ideas] [--json FILE]

1. **Urgency** of the model on the locked ``test`` split of ``tests/data/real`` (never
   read to choose anything): recall on the texts both readers call urgent, precision (a
   flag on a borderline text counts as right), the share of texts flagged against the share
   labelled urgent or borderline; English (the targets), German apart, each source apart;
   and the flagged share of plain Bengaluru traffic (the strata weighted back to the whole
   file, as the set over-samples danger words). Beside them, the development split's
   out-of-fold figures the version stored (what its threshold was chosen on).
2. **Ideas** (``bench/idea_cv.py``): suggestion sentences with each domain left out,
   Vallejo ideas against real complaints, the development set's ideas out of fold; and the
   model's idea recall on the test split.
3. **Areas** (``bench/area_cv.py``): CivicVoice against a tuned word+char TF-IDF +
   LinearSVC on every proxy set, with intervals of the paired difference.
4. **Speed**: texts per second in one process and p50/p99 for one text, on the real texts.

On the 2-core development machine it takes about 25 minutes with areas (one seed).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from models.registry import ModelRegistry  # noqa: E402
from models.training import real_test  # noqa: E402
from models.training.real import RealItem, real_items  # noqa: E402
from nlp.result import TriageResult  # noqa: E402
from nlp.triage import Triager  # noqa: E402

BENGALURU_ROWS = ROOT.parent / "shared" / "data" / "bengaluru-civic" / "cat_dataset.csv"


def _ci(values: tuple[float, float]) -> str:
    return f"[{values[0]:.3f}, {values[1]:.3f}]"


def urgency_figures(levels: list[str], results: list[TriageResult]) -> dict[str, Any]:
    return real_test.urgency_figures(levels, [r.urgent for r in results],
                                     [r.urgent_score for r in results])


def _line(label: str, f: dict[str, Any]) -> str:
    recall = (f"recall {f['recall']:.3f} {_ci(f['recall_ci'])}" if f["urgent"]
              else "recall n/a (no urgent text)")
    precision = (f"precision {f['precision']:.3f} {_ci(f['precision_ci'])}" if f["flagged"]
                 else "precision n/a (none flagged)")
    text = (f"{label:34s} n {f['n']:5d} (urgent {f['urgent']}, borderline {f['borderline']}) | "
            f"{recall} | {precision} | flagged {f['flagged_share']:.3f} "
            f"{_ci(f['flagged_share_ci'])} vs labelled {f['labelled_share']:.3f}")
    if f.get("flag_ratio") is not None:
        text += f" (x{f['flag_ratio']:.2f} {_ci(f['flag_ratio_ci'])})"
    if "roc_auc" in f:
        text += f" | AUC {f['roc_auc']:.3f}"
    return text


def plain_traffic(items: list[RealItem], results: list[TriageResult]) -> dict[str, Any]:
    """The flagged and labelled shares of all Bengaluru reports, estimated from the test
    items of each stratum weighted by the stratum's share of the whole (deduplicated) file."""
    import csv

    from models.training.build_default import DANGER_WORDS

    seen: set[str] = set()
    population: Counter[str] = Counter()
    with BENGALURU_ROWS.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            text = (row["description"] or "").strip()
            key = " ".join(text.lower().split())
            if len(text) < 8 or key in seen:
                continue
            seen.add(key)
            population["danger_words" if DANGER_WORDS.search(text) else "other"] += 1
    total = sum(population.values())
    flagged = labelled = 0.0
    per: dict[str, Any] = {}
    for stratum, size in population.items():
        pairs = [(i, r) for i, r in zip(items, results, strict=True)
                 if i.source.startswith("bengaluru") and i.stratum == stratum]
        if not pairs:
            continue
        f = np.mean([r.urgent for _, r in pairs])
        lab = np.mean([i.urgency in ("urgent", "borderline") for i, _ in pairs])
        flagged += size / total * f
        labelled += size / total * lab
        per[stratum] = {"share_of_file": round(size / total, 4), "test_items": len(pairs),
                        "flagged": round(float(f), 4), "labelled": round(float(lab), 4)}
    return {"flagged_share": round(flagged, 4), "labelled_share": round(labelled, 4),
            "strata": per}


def urgency_section(triager: Triager, items: list[RealItem], log: Any) -> dict[str, Any]:
    test = [i for i in items if i.split == "test" and i.urgency]
    results = triager.classify_many([i.text for i in test])
    out: dict[str, Any] = {"threshold": triager.urgent_threshold}
    log(f"\n== Urgency: model {triager.version}, threshold {triager.urgent_threshold}, "
        "locked test split of tests/data/real ==")
    groups: list[tuple[str, Any]] = [("English (the targets)", lambda i: i.lang == "en"),
                                     ("German", lambda i: i.lang == "de"),
                                     ("all", lambda i: True)]
    groups += [(f"  {s}", (lambda i, s=s: i.source.startswith(s)))
               for s in ("bengaluru-civic", "disaster-messages", "crisis-tweets")]
    for label, keep in groups:
        pairs = [(i, r) for i, r in zip(test, results, strict=True) if keep(i)]
        f = urgency_figures([i.urgency or "not" for i, _ in pairs], [r for _, r in pairs])
        out[label.strip()] = f
        log(_line(label, f))
    traffic = plain_traffic(test, results)
    out["bengaluru_plain_traffic"] = traffic
    log(f"plain Bengaluru traffic (strata weighted back to the file): flagged "
        f"{traffic['flagged_share']:.3f}, labelled urgent or borderline "
        f"{traffic['labelled_share']:.3f}")
    stored = triager.metadata.get("metrics", {}).get("urgent", {})
    if "measured_on" in stored:
        log(f"development split, out of fold (what the threshold was chosen on): recall "
            f"{stored['recall']}, precision {stored['precision']}, flagged "
            f"{stored['flagged_share']} vs labelled {stored['labelled_share']}, AUC "
            f"{stored['roc_auc']} ({stored['n']} rows)")
    return out


def idea_section(triager: Triager, items: list[RealItem], log: Any) -> dict[str, Any]:
    import idea_cv

    log("\n== Ideas (bench/idea_cv.py; evaluation-only heads for the out-of-fold figures) ==")
    out = idea_cv.measure(log=log)
    threshold = float(triager.metadata.get("thresholds", {}).get("innovation", 0.5))
    for lang in ("en", "de", None):
        test = [i for i in items if i.split == "test" and i.idea in ("0", "1")
                and (lang is None or i.lang == lang)]
        results = triager.classify_many([i.text for i in test])
        f = idea_cv._figures([i.idea == "1" for i in test],
                             np.asarray([r.innovation for r in results]), threshold)
        out[f"real_test:{lang or 'all'}"] = f
        log(f"test split ideas, {lang or 'all'} (model {triager.version}): "
            f"{idea_cv._line(f)}")
    return out


def area_section(seeds: int, log: Any) -> list[dict[str, Any]]:
    import area_cv

    log(f"\n== Areas (bench/area_cv.py, {seeds} seed(s), 80/20) ==")
    sets = list(area_cv.SETS)
    results = area_cv.run(sets, ["tuned", "current"], seeds, area_cv.SHARED, lambda _m: None)
    log(area_cv.summary(results, sets, ["tuned", "current"]))
    return [{k: v for k, v in r.items() if k not in ("truth", "predicted")} for r in results]


def speed_section(triager: Triager, items: list[RealItem], log: Any) -> dict[str, Any]:
    texts = [i.text for i in items]
    triager.classify_many(texts)  # warm the caches, as a running service has
    rates = []
    for _ in range(3):
        start = time.perf_counter()
        triager.classify_many(texts * 2)
        rates.append(2 * len(texts) / (time.perf_counter() - start))
    latencies = []
    for text in texts[:1000]:
        start = time.perf_counter()
        triager.classify(text)
        latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    out = {"texts_per_second": round(statistics.median(rates)),
           "p50_ms": round(statistics.median(latencies), 2),
           "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 2)}
    log(f"\n== Speed (one process, the {len(texts)} real texts) ==\nbatch "
        f"{out['texts_per_second']:,} texts/s (median of 3); one text p50 {out['p50_ms']} ms, "
        f"p99 {out['p99_ms']} ms (bench/triage.py: the figures against a bare pipeline)")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--area-seeds", type=int, default=1)
    parser.add_argument("--skip-areas", action="store_true")
    parser.add_argument("--skip-ideas", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    registry = ModelRegistry(ROOT / "var" / "models")
    triager = Triager.from_folder(registry.resolve(args.model))
    items = real_items()

    def log(message: str) -> None:
        print(message, flush=True)

    report: dict[str, Any] = {"model": triager.version,
                              "urgency": urgency_section(triager, items, log)}
    if not args.skip_ideas:
        report["ideas"] = idea_section(triager, items, log)
    if not args.skip_areas:
        report["areas"] = area_section(args.area_seeds, log)
    report["speed"] = speed_section(triager, items, log)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
