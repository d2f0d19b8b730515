"""Build the default training table and the bundled default model.

    python -m models.training.build_default            # table + model (needs ../shared/data)
    python -m models.training.build_default --model-only   # retrain from the committed table

The table (``default_table.csv``) joins three sources, each row naming its source:

* ``bengaluru``: Reap Benefit civic complaints (see ``SOURCES.md``), deduplicated, mapped
  to the default areas with ``BENGALURU_AREAS``; all are complaints.
* ``vallejo``: Vallejo participatory-budgeting ideas, mapped from their tags with
  ``VALLEJO_AREAS`` (ideas whose tags name no area go to ``other``); all are ideas.
* ``handwritten``: examples the CivicVoice team wrote for the areas and kinds the data
  sets lack (questions, praise, urgency, complaints carrying a suggestion).

Urgency: the hand-written rows are labelled; Vallejo ideas and the Bengaluru complaints
without a danger word are labelled not urgent (``weak_urgent_labels``).

Only a sample of the Bengaluru rows teaches the kind and innovation heads, so the 9,000
complaints do not drown the few hundred questions and praise.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
import time
from pathlib import Path

from models.registry import BUNDLED_DIR
from nlp.redact import redact

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TABLE = HERE / "default_table.csv"
HANDWRITTEN = HERE / "handwritten.csv"
DEFAULT_SHARED = ROOT.parent / "shared" / "data"

BENGALURU_AREAS = {
    "Waste/Garbage": "waste",
    "Plastic": "waste",
    "Potholes": "roads",
    "Water": "water_drainage",
    "Sewage": "water_drainage",
    "Streetlights": "street_lighting",
    "Traffic/Parking": "traffic_parking",
    "Air": "environment_health",
    # "Electricity" (4 rows) is dropped: power supply is not a default service area.
}

# Vallejo idea tags -> default areas; the first tag that maps wins.
VALLEJO_AREAS = {
    "road repair": "roads", "sidewalk": "roads", "streets": "roads", "bikes": "roads",
    "trails": "parks_trees",
    "traffic control": "traffic_parking", "traffic safety": "traffic_parking",
    "parking": "traffic_parking", "abandoned cars": "traffic_parking",
    "lights": "street_lighting",
    "clean up": "waste", "cleaning": "waste",
    "parks": "parks_trees", "park structure": "parks_trees", "gardens": "parks_trees",
    "garden": "parks_trees", "beautification": "parks_trees",
    "street beautification": "parks_trees", "gvrd": "parks_trees",
    "transport": "public_transport", "public transportation": "public_transport",
    "shuttle": "public_transport", "mi shuttle": "public_transport",
    "homeless": "housing", "housing": "housing", "buildings": "housing",
    "policing": "public_safety", "police": "public_safety", "cameras": "public_safety",
    "safety": "public_safety", "emergency": "public_safety", "fire": "public_safety",
    "health": "environment_health", "animals": "environment_health",
    "environment": "environment_health", "air": "environment_health",
    "water": "water_drainage",
}
KIND_SAMPLE_BENGALURU = 1500
FIELDS = ["text", "area", "kind", "urgent", "innovation", "source"]


def bengaluru_rows(shared: Path) -> list[dict[str, str]]:
    path = shared / "bengaluru-civic" / "cat_dataset.csv"
    seen: set[str] = set()
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            text = " ".join(row["description"].split())
            area = BENGALURU_AREAS.get(row["category"])
            if not text or area is None or text.lower() in seen:
                continue
            seen.add(text.lower())
            rows.append({"text": redact(text), "area": area, "kind": "", "urgent": "",
                         "innovation": "", "source": "bengaluru"})
    rng = random.Random(7)
    for row in rng.sample(rows, min(KIND_SAMPLE_BENGALURU, len(rows))):
        row["kind"], row["innovation"] = "complaint", "0"
    return rows


def vallejo_rows(shared: Path) -> list[dict[str, str]]:
    path = shared / "vallejo-ideas" / "ideas-vallejo.tsv"
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            text = " ".join(f"{row['title']}. {row['text']}".split()).strip(". ")
            if not text:
                continue
            tags = [t.strip().lower() for t in (row["categories"] or "").split(",")]
            area = next((VALLEJO_AREAS[t] for t in tags if t in VALLEJO_AREAS), "other")
            rows.append({"text": redact(text), "area": area, "kind": "idea", "urgent": "",
                         "innovation": "1", "source": "vallejo"})
    return rows


def handwritten_rows() -> list[dict[str, str]]:
    with HANDWRITTEN.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = []
    # Data rows 1141-1241 (0-based 1140-1240) are complaints that carry a suggestion
    # (HANDWRITTEN.md); the rows appended after them are not.
    suggestion_block = range(1140, 1241)
    for i, row in enumerate(rows):
        innovation = row["kind"] == "idea" or (i in suggestion_block
                                               and row["kind"] == "complaint")
        out.append({"text": row["text"], "area": row["area"], "kind": row["kind"],
                    "urgent": row["urgent"], "innovation": "1" if innovation else "0",
                    "source": "handwritten"})
    return out


# The broad word list ``tests/data/real/build_sample.py`` samples its danger-word stratum
# with (a sampling aid, not a rule). Every Bengaluru report that holds one of these words is
# in the real labelled set, where readers labelled it; of the others the readers saw (450,
# the "other" stratum), none is urgent and 14 borderline.
DANGER_WORDS = re.compile(
    r"\b(fire|smoke|burn\w*|gas|spark\w*|wire\w*|current|shock|electri\w*|live|pole\w*|"
    r"transformer|fall\w*|fell|collaps\w*|crack\w*|danger\w*|accident\w*|injur\w*|hurt|"
    r"flood\w*|overflow\w*|open|manhole|uncovered|deep|pit|child\w*|kid\w*|snake\w*|"
    r"bite|dog\w*|attack\w*|tree|branch\w*|urgent\w*|emergenc\w*|immediate\w*|risk\w*|"
    r"die|dead|death|hospital|sick|disease|dengue|leak\w*|sewage|contaminat\w*)\b",
    re.IGNORECASE,
)


def weak_urgent_labels(rows: list[dict[str, str]]) -> None:
    """Label the real data's rows not urgent where that is safe to assume.

    Vallejo rows are budget ideas: never urgent. A Bengaluru complaint without any of
    ``DANGER_WORDS`` is taken as not urgent (a weak label, measured: see the constant); one
    with such a word stays unlabelled here (the readers' label, where it has one, comes from
    ``models.training.urgency_data``). No urgency rule is involved, so pruning the rules
    leaves the training rows as they are.
    """
    for row in rows:
        if row["source"] == "vallejo" or (row["source"] == "bengaluru"
                                          and not DANGER_WORDS.search(row["text"])):
            row["urgent"] = "0"


def build_table(shared: Path) -> int:
    rows = bengaluru_rows(shared) + vallejo_rows(shared) + handwritten_rows()
    weak_urgent_labels(rows)
    with TABLE.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def build_model(version: str, shared: Path = DEFAULT_SHARED) -> None:
    """Train the bundled model on ``training_table`` and measure it on the real test split."""
    from models.artifact import save_bundle
    from models.training import real_test
    from models.training.real import real_items
    from models.training.urgency_data import Recipe, training_table
    from nlp.training import TrainConfig, model_card, train_bundle
    from nlp.triage import Triager

    have_shared = (shared / "bengaluru-civic").is_dir()
    items = real_items(shared) if have_shared else []
    table, built = training_table(Recipe(), shared=shared if have_shared else None,
                                  items=items)
    print(f"training table: {len(table)} rows; from shared data: {built.counts or 'none'}")
    start = time.perf_counter()
    bundle = train_bundle(table, TrainConfig(lang="en"), progress=lambda m: print("  " + m),
                          version=version,
                          extra_metadata={"sources": {"table": "models/training/default_table.csv",
                                                      "notes": "models/training/SOURCES.md",
                                                      "added_by_reference": built.counts}})
    bundle.metadata["training_seconds"] = round(time.perf_counter() - start, 1)
    if items:
        print("  measuring on the locked real test split")
        real_test.record(bundle.metadata, real_test.measure(Triager.from_bundle(bundle), items))
    card = model_card(bundle, "CivicVoice default triage model",
                      "Sources and label mapping: models/training/SOURCES.md.")
    head, _, rest = card.partition("## Validation")
    card = head + "\n".join(real_test.card_lines(bundle.metadata)) + "## Validation" + rest
    tmp = BUNDLED_DIR.with_name("default.new")
    if tmp.exists():
        import shutil

        shutil.rmtree(tmp)
    save_bundle(bundle, tmp, card)
    if BUNDLED_DIR.exists():
        import shutil

        shutil.rmtree(BUNDLED_DIR)
    tmp.rename(BUNDLED_DIR)
    area = bundle.metadata["metrics"]["area"]
    print(f"default model {version}: area accuracy {area['accuracy']}, macro-F1 "
          f"{area['macro_f1']}; kind macro-F1 {bundle.metadata['metrics']['kind']['macro_f1']}")
    print("\n".join(real_test.card_lines(bundle.metadata)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--model-only", action="store_true")
    parser.add_argument("--table-only", action="store_true")
    parser.add_argument("--version", default="default-" + time.strftime("%Y.%m.%d"))
    args = parser.parse_args(argv)
    if not args.model_only:
        if not args.shared.is_dir():
            print(f"no shared data at {args.shared}; use --model-only", file=sys.stderr)
            return 1
        print(f"table: {build_table(args.shared)} rows -> {TABLE.relative_to(ROOT)}")
    if not args.table_only:
        build_model(args.version, args.shared)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
