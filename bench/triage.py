"""Triage speed and memory, beside a bare TF-IDF + logistic regression pipeline.

    python bench/triage.py [--repeat 3] [--rounds 3]

Texts: every row of models/training/default_table.csv (real citizen texts), repeated
``--repeat`` times for the batch runs. Prints one figure per line:

* batch throughput of ``classify`` (in-process, and spread over both cores as the CLI does),
  and of the bare pipeline (word 1-2-grams, 10,000 features, logistic regression) trained
  and timed on the same texts in this run; the ratio is the target (>= 0.25). The three are
  timed in turn ``--rounds`` times and the medians printed, as the machine's speed drifts
  (the bare pipeline is timed before and after ours in each round, and the two averaged);
* p50/p99 latency of one text in a warm process (target p99 < 10 ms);
* start-up of a fresh process until the first text is classified (target < 3 s);
* peak resident memory of that process after a 5,000-text batch (target < 400 MB).
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TABLE = ROOT / "models" / "training" / "default_table.csv"
CHILD = """
import json, sys, time
t0 = time.perf_counter()
from models.registry import BUNDLED_DIR
from nlp.triage import Triager
triager = Triager.from_folder(BUNDLED_DIR)
triager.classify("street light not working")
startup = time.perf_counter() - t0
texts = [line.rstrip("\\n") for line in sys.stdin][:5000]
triager.classify_many(texts)
# VmHWM, not ru_maxrss: the latter keeps the forking parent's size across exec.
status = open("/proc/self/status").read()
peak_kb = int(status.split("VmHWM:")[1].split()[0])
print(json.dumps({"startup_s": startup, "peak_mb": peak_kb / 1024}))
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from models.registry import BUNDLED_DIR
    from nlp.parallel import TriagePool, classify_json_stream
    from nlp.triage import Triager

    with TABLE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    texts, labels = [r["text"] for r in rows], [r["area"] for r in rows]
    batch = texts * args.repeat
    print(f"texts: {len(texts)} distinct, batch of {len(batch)}")

    bare = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), max_features=10_000),
                         LogisticRegression(max_iter=1000))
    bare.fit(texts, labels)
    triager = Triager.from_folder(BUNDLED_DIR)
    # Warm: every distinct text once, as the bare pipeline has fitted its vocabulary on them
    # (our caches hold words and n-grams, never whole texts; a running service fills them)
    triager.classify_many(texts)
    start = time.perf_counter()
    n = sum(block.count("\n") for block in classify_json_stream(BUNDLED_DIR, iter(batch),
                                                                 workers=2))
    cold_rate = n / (time.perf_counter() - start)

    def rate(run: Callable[[], object]) -> float:
        start = time.perf_counter()
        run()
        return len(batch) / (time.perf_counter() - start)

    # The machine's speed drifts: the three are timed in turn, ``--rounds`` times, and each
    # figure is the median of its rounds (the ratio is taken within each round).
    bare_rates, single_rates, multi_rates = [], [], []
    # warmed like the single process above: every distinct text once, in each worker
    with TriagePool(BUNDLED_DIR, workers=2, warm=texts) as pool:
        pool.warm_up()
        for _ in range(args.rounds):
            before = rate(lambda: bare.predict_proba(batch))
            single_rates.append(rate(lambda: triager.classify_many(batch)))
            multi_rates.append(rate(lambda: sum(block.count("\n")
                                                for block in pool.classify_json(batch))))
            # the bare rate of a round: timed before and after ours, as the speed drifts
            bare_rates.append((before + rate(lambda: bare.predict_proba(batch))) / 2)
    bare_rate = statistics.median(bare_rates)
    single_ratio = statistics.median(s / b for s, b in zip(single_rates, bare_rates,
                                                              strict=True))
    multi_ratios = [m / b for m, b in zip(multi_rates, bare_rates, strict=True)]
    print(f"bare pipeline batch: {bare_rate:,.0f} texts/s "
          f"(rounds: {', '.join(f'{r:,.0f}' for r in bare_rates)})")
    print(f"classify batch, one process: {statistics.median(single_rates):,.0f} texts/s "
          f"({single_ratio:.2f} x bare)")
    print(f"classify batch as the CLI runs it (JSON lines), 2 warm processes: "
          f"{statistics.median(multi_rates):,.0f} texts/s "
          f"({statistics.median(multi_ratios):.2f} x bare; target >= 0.25; rounds: "
          f"{', '.join(f'{r:.2f}' for r in multi_ratios)})")
    print(f"the same including start-up of both processes: {cold_rate:,.0f} texts/s "
          f"({cold_rate / bare_rate:.2f} x bare)")

    latencies = []
    for text in texts[:1000]:
        start = time.perf_counter()
        triager.classify(text)
        latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print(f"one text, warm: p50 {statistics.median(latencies):.2f} ms, p99 {p99:.2f} ms "
          "(target p99 < 10 ms)")

    child = subprocess.run([sys.executable, "-c", CHILD], input="\n".join(texts),
                           capture_output=True, text=True, check=True, cwd=ROOT)
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"start-up to first result: {figures['startup_s']:.2f} s (target < 3 s)")
    print(f"peak memory after 5,000 texts: {figures['peak_mb']:.0f} MB (target < 400 MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
