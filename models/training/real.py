"""The real-traffic labelled set, read back from ``../shared/data`` by reference.

``tests/data/real/items.csv`` names each text by its source file and row (never a copy:
see its ``build_sample.py``), with the sha256 of the text; ``labels.csv`` holds the two
readers' merged labels (``urgency``: urgent / borderline / not, disagreements being
borderline; ``idea``: 1 / 0 / disputed) and the split: ``dev`` (65 %, to learn and choose
from) and ``test`` (35 %, locked: measured once per change, never read to choose).

``real_items`` returns them with their texts; a text that no longer hashes to its sha256
is an error, so a changed source file cannot silently change the set.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REAL_DIR = ROOT / "tests" / "data" / "real"
ITEMS = REAL_DIR / "items.csv"
LABELS = REAL_DIR / "labels.csv"
DEFAULT_SHARED = ROOT.parent / "shared" / "data"


@dataclass(frozen=True, slots=True)
class RealItem:
    """One labelled real text."""

    item_id: str
    source: str
    ref: str
    lang: str
    stratum: str
    split: str
    text: str
    urgency: str | None  # urgent / borderline / not (None: not labelled yet)
    idea: str | None  # "1" / "0" / "disputed"


def _rows(path: Path, **options: object) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle, **options)  # type: ignore[call-overload]


def _texts(shared: Path, wanted: dict[str, dict[str, str]]) -> dict[str, str]:
    """Each wanted item's text, read from its source file the way build_sample.py did."""
    by_source: dict[str, dict[str, str]] = {}
    for item_id, row in wanted.items():
        by_source.setdefault(row["source"], {})[row["ref"]] = item_id
    found: dict[str, str] = {}
    for source, refs in by_source.items():
        path = shared / source
        if source.startswith("bengaluru-civic/"):
            for index, row in enumerate(_rows(path)):
                item = refs.get(f"row={index}")
                if item:
                    found[item] = (row["description"] or "").strip()
        elif source.startswith("cycling-dialogues-de/"):
            for row in _rows(path):
                item = refs.get(f"ID={row['ID']}")
                if item:
                    found[item] = "\n".join(part.strip() for part in (row["title"], row["text"])
                                            if part.strip())
        elif source.startswith("disaster-messages/"):
            for row in _rows(path):
                item = refs.get(f"id={row['id']}")
                if item and row["genre"] == "direct":
                    found.setdefault(item, (row["message"] or "").strip())
        elif source.startswith("crisis-tweets/"):
            for row in _rows(path):
                ref = f"event={row['event']};tweet_id={(row['Tweet ID'] or '').strip()}"
                item = refs.get(ref)
                text = (row["Tweet Text"] or "").strip()
                # a tweet id may repeat: the row whose text has the recorded hash
                if item and _sha(text) == wanted[item]["text_sha256"]:
                    found.setdefault(item, text)
        else:
            raise ValueError(f"unknown source {source!r} in {ITEMS}")
    return found


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def real_items(shared: Path = DEFAULT_SHARED, items: Path = ITEMS,
               labels: Path = LABELS) -> list[RealItem]:
    """Every item of the real set with its text and, where labelled, its labels."""
    wanted = {row["item_id"]: row for row in _rows(items)}
    merged = {row["item_id"]: row for row in _rows(labels)} if labels.is_file() else {}
    texts = _texts(shared, wanted)
    out = []
    for item_id, row in wanted.items():
        text = texts.get(item_id)
        if text is None or _sha(text) != row["text_sha256"]:
            raise ValueError(f"{item_id}: text not found in {shared / row['source']} or "
                             "changed since the set was drawn")
        label = merged.get(item_id, {})
        out.append(RealItem(item_id, row["source"], row["ref"], row["lang"], row["stratum"],
                            row["split"], text, label.get("urgency") or None,
                            label.get("idea") or None))
    return out


def normalised(text: str) -> str:
    """The key two copies of a text share whatever their spacing and case."""
    return " ".join(text.lower().split())
