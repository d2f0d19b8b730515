"""Weak urgency labels from the real crisis sets' own labels (not readers' urgency labels).

Neither set labels urgency, but each labels what a message is about; some of those labels
say "a person in danger or need now" and others "not a report of danger":

* disaster-messages (direct messages people sent; CC BY 4.0): urgent where the message is
  a ``request`` for a life need (food, water, shelter, medical help, rescue, missing
  people, security); not urgent where it is not ``related`` to the disaster at all.
* crisis-tweets (MIT; texts never redistributed): urgent where an ``Eyewitness`` reports
  ``Affected individuals`` or ``Infrastructure and utilities``; not urgent for
  ``Sympathy and support``, ``Donations and volunteering``, tweets ``Not related``, and
  (a separate part, ``crisis_news``) the media's reports of people affected: news, which
  the labelling guide calls not urgent.

Rows of the real labelled set (either split) are left out, so its test split stays unseen.
Whether these rows help, and how much they weigh, is measured on the real development
rows (``bench/urgency_dev.py``); ``models/training/SOURCES.md`` records what went in.
"""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

from models.training.real import normalised

DISASTER_FILES = ("disaster_response_validation.csv", "disaster_response_test.csv")
LIFE_NEEDS = ("food", "water", "shelter", "medical_help", "medical_products",
              "search_and_rescue", "missing_people", "security")
_TWEET_NOISE = re.compile(r"https?://\S+|@\w+|\brt\b")


def disaster_rows(shared: Path, exclude: set[str]) -> list[tuple[str, bool]]:
    """(text, weak urgent flag) for direct messages outside ``exclude`` (normalised texts)."""
    seen = set(exclude)
    out: list[tuple[str, bool]] = []
    for name in DISASTER_FILES:
        with (shared / "disaster-messages" / name).open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                text = (row["message"] or "").strip()
                key = normalised(text)
                if row["genre"] != "direct" or len(text) < 8 or key in seen:
                    continue
                seen.add(key)
                if row["request"] == "1" and any(row[n] == "1" for n in LIFE_NEEDS):
                    out.append((text, True))
                elif row["related"] == "0":
                    out.append((text, False))
    return out


def crisis_rows(shared: Path, exclude: set[str], per_label: int = 1500,
                seed: int = 7) -> list[tuple[str, str]]:
    """(text, part) for tweets outside ``exclude``: every weakly urgent one (part
    ``urgent``) and a seeded sample of ``per_label`` of each not-urgent kind (``calm``),
    and of ``Media`` tweets about ``Affected individuals`` (``news``: a report, not a
    plea)."""
    seen = {_TWEET_NOISE.sub("", key).strip() for key in exclude}
    urgent: list[str] = []
    calm: dict[str, list[str]] = {"Sympathy and support": [], "Donations and volunteering": [],
                                  "Not related": [], "news": []}
    path = shared / "crisis-tweets" / "crisislex_t26_all_labeled.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            text = (row["Tweet Text"] or "").strip()
            key = _TWEET_NOISE.sub("", normalised(text)).strip()
            if len(text) < 8 or key in seen:
                continue
            seen.add(key)
            source, kind = row["Information Source"], row["Information Type"]
            if source == "Eyewitness" and kind in ("Affected individuals",
                                                   "Infrastructure and utilities"):
                urgent.append(text)
            elif row["Informativeness"] == "Not related":
                calm["Not related"].append(text)
            elif source == "Media" and kind == "Affected individuals":
                calm["news"].append(text)
            elif kind in calm:
                calm[kind].append(text)
    rng = random.Random(seed)
    out = [(t, "urgent") for t in urgent]
    for kind, texts in calm.items():
        part = "news" if kind == "news" else "calm"
        out.extend((t, part) for t in rng.sample(texts, min(per_label, len(texts))))
    return out
