"""Draw the real-traffic urgency and idea development set from ``../shared/data``.

    python tests/data/real/build_sample.py               # writes items.csv (refs only)
    python tests/data/real/build_sample.py --texts OUT [--round N]
                                        # also OUT: id + text as JSON lines, for labelling

``items.csv`` names each text by its source file and row (never a copy of the text, since
the licences of bengaluru-civic and crisis-tweets do not allow redistribution), with the
sha256 of the text as read, the stratum it was drawn from, and its split. The split is fixed
by a hash of the item id: 35 % ``test`` (the locked split: measured once per change, never
read to write rules or choose settings) and 65 % ``dev``.

Strata keep enough dangers in the set. Keyword strata use a broad word list written for
sampling only (``DANGER_WORDS``, ``DANGER_WORDS_DE``); it is not a rule and labels nothing.
The draw is seeded, so the file is reproducible from the shared data.

Round 1 (2,300 items) drew from all four sources. Its labels held only 10 urgent city
reports (Bengaluru), against 207 from disaster pleas and crisis tweets, so round 2 adds
every other Bengaluru report in the danger-word stratum: real municipal dangers and their
routine lookalikes are what a city's traffic is made of.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[3] / "shared" / "data"
ITEMS = HERE / "items.csv"
SEED = 20261207
TEST_SHARE = 35  # percent of items in the locked test split

DANGER_WORDS = re.compile(
    r"\b(fire|smoke|burn\w*|gas|spark\w*|wire\w*|current|shock|electri\w*|live|pole\w*|"
    r"transformer|fall\w*|fell|collaps\w*|crack\w*|danger\w*|accident\w*|injur\w*|hurt|"
    r"flood\w*|overflow\w*|open|manhole|uncovered|deep|pit|child\w*|kid\w*|snake\w*|"
    r"bite|dog\w*|attack\w*|tree|branch\w*|urgent\w*|emergenc\w*|immediate\w*|risk\w*|"
    r"die|dead|death|hospital|sick|disease|dengue|leak\w*|sewage|contaminat\w*)\b",
    re.IGNORECASE,
)
DANGER_WORDS_DE = re.compile(
    r"(gefähr\w*|gefahr\w*|unfall\w*|unfäll\w*|lebensgefährlich|sturz|stürz\w*|verletz\w*|"
    r"tödlich|kollision\w*|beinahe|knapp|zusammenstoß|notfall|sofort|dringend|loch|"
    r"kaputt|eingestürzt|umgestürzt)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Item:
    """One text of the set, by reference."""

    item_id: str
    source: str
    ref: str
    text: str
    stratum: str
    lang: str
    round: int = 1

    @property
    def split(self) -> str:
        digest = hashlib.sha256(f"civicvoice-real-split:{self.item_id}".encode()).hexdigest()
        return "test" if int(digest[:8], 16) % 100 < TEST_SHARE else "dev"

    @property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def _read(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def bengaluru() -> list[Item]:
    seen: set[str] = set()
    items = []
    for index, row in enumerate(_read(SHARED / "bengaluru-civic" / "cat_dataset.csv")):
        text = (row["description"] or "").strip()
        if len(text) < 8 or _norm(text) in seen:
            continue
        seen.add(_norm(text))
        stratum = "danger_words" if DANGER_WORDS.search(text) else "other"
        items.append(Item(f"blr-{index}", "bengaluru-civic/cat_dataset.csv", f"row={index}",
                          text, stratum, "en"))
    return items


def cycling() -> list[Item]:
    items = []
    for row in _read(SHARED / "cycling-dialogues-de" / "dataset.csv"):
        text = "\n".join(part.strip() for part in (row["title"], row["text"]) if part.strip())
        if len(text) < 8:
            continue
        stratum = "danger_words" if DANGER_WORDS_DE.search(text) else "other"
        items.append(Item(f"cyc-{row['ID']}", "cycling-dialogues-de/dataset.csv",
                          f"ID={row['ID']}", text, stratum, "de"))
    return items


NEEDS = ("request", "medical_help", "search_and_rescue", "security", "child_alone",
         "missing_people", "death", "fire", "floods", "buildings", "electricity", "water")


def disaster() -> list[Item]:
    seen: set[str] = set()
    items = []
    for split in ("validation", "test"):
        name = f"disaster_response_{split}.csv"
        for row in _read(SHARED / "disaster-messages" / name):
            text = (row["message"] or "").strip()
            if row["genre"] != "direct" or len(text) < 8 or _norm(text) in seen:
                continue
            seen.add(_norm(text))
            stratum = "needs" if any(row[n] == "1" for n in NEEDS) else "other"
            items.append(Item(f"dis-{split}-{row['id']}", f"disaster-messages/{name}",
                              f"id={row['id']}", text, stratum, "en"))
    return items


CRISIS_FILE = "crisis-tweets/crisislex_t26_all_labeled.csv"


def crisis() -> list[Item]:
    seen: set[str] = set()
    items = []
    for row in _read(SHARED / CRISIS_FILE):
        text = (row["Tweet Text"] or "").strip()
        key = re.sub(r"https?://\S+|@\w+|\brt\b", "", _norm(text)).strip()
        if len(text) < 8 or key in seen:
            continue
        seen.add(key)
        source, kind = row["Information Source"], row["Information Type"]
        if source == "Eyewitness" and kind in ("Affected individuals",
                                               "Infrastructure and utilities"):
            stratum = "eyewitness_affected"
        elif kind in ("Affected individuals", "Infrastructure and utilities",
                      "Caution and advice"):
            stratum = "affected_or_advice"
        else:
            stratum = "other"
        tweet = row["Tweet ID"].strip()
        items.append(Item(f"twt-{row['event']}-{tweet}", CRISIS_FILE,
                          f"event={row['event']};tweet_id={tweet}", text, stratum, "en"))
    return items


# (source loader, {stratum: how many}) -- 2,300 items in all
PLAN: tuple[tuple[Callable[[], list[Item]], dict[str, int]], ...] = (
    (bengaluru, {"danger_words": 350, "other": 450}),
    (cycling, {"danger_words": 200, "other": 200}),
    (disaster, {"needs": 350, "other": 250}),
    (crisis, {"eyewitness_affected": 200, "affected_or_advice": 150, "other": 150}),
)


def draw() -> list[Item]:
    rng = random.Random(SEED)
    chosen: list[Item] = []
    for load, quota in PLAN:
        pool = load()
        for stratum, count in quota.items():
            candidates = [item for item in pool if item.stratum == stratum]
            chosen.extend(rng.sample(candidates, min(count, len(candidates))))
    taken = {item.item_id for item in chosen}
    chosen.extend(replace(item, round=2) for item in bengaluru()
                  if item.stratum == "danger_words" and item.item_id not in taken)
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=Path, help="also write id + text as JSON lines here")
    parser.add_argument("--round", type=int, help="--texts of this round only")
    args = parser.parse_args()
    items = draw()
    with ITEMS.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["item_id", "source", "ref", "lang", "stratum", "round", "split",
                         "text_sha256"])
        for item in sorted(items, key=lambda i: i.item_id):
            writer.writerow([item.item_id, item.source, item.ref, item.lang, item.stratum,
                             item.round, item.split, item.text_sha256])
    if args.texts:
        wanted = [i for i in items if args.round is None or i.round == args.round]
        order = sorted(wanted, key=lambda i: hashlib.sha256(i.item_id.encode()).hexdigest())
        with args.texts.open("w", encoding="utf-8") as handle:
            for item in order:
                handle.write(json.dumps({"id": item.item_id, "text": item.text},
                                        ensure_ascii=False) + "\n")
    tests = sum(item.split == "test" for item in items)
    print(f"{len(items)} items, {tests} in the locked test split", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
