"""The bundled model's training table: the committed CSV plus rows read by reference.

``default_table.csv`` holds what may be committed (Bengaluru complaints, Vallejo ideas,
hand-written rows). ``training_table`` adds, when ``../shared/data`` is there:

* the real development rows (``models.training.real``) with the readers' urgency levels:
  a Bengaluru row already in the CSV gets its level (its area stays); the others join
  without an area label, teaching urgency only;
* the weak crisis-set rows (``models.training.weak``), each source with its weight;

and takes every label but the area off the rows of the locked test split, so nothing the
test measures was learnt from. ``Recipe`` says what goes in and how much each part weighs;
its defaults were chosen by cross-validation on the development rows alone
(``bench/urgency_dev.py``).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from models.training.real import DEFAULT_SHARED, RealItem, normalised, real_items
from models.training.weak import crisis_rows, disaster_rows
from nlp.redact import redact
from nlp.table import LabelledTable, read_table

HERE = Path(__file__).resolve().parent
TABLE = HERE / "default_table.csv"


@dataclass(frozen=True, slots=True)
class Recipe:
    """Which rows teach the urgency head, and their weights (0 leaves a source out)."""

    # The team's hand-written rows at full weight. On the real development rows their weight
    # changes nothing beyond noise (bench/urgency_dev.py --variants: precision at recalls
    # 0.80-0.95, mean 0.767 at weight 1, 0.774 at 0.3), but they teach what the real rows
    # hardly hold: dangers such as gas and fire, and US/UK-style 311 reports, routine ones
    # included. At 0.3 the team's development sets E, G, I lose recall (0.83-0.93 against
    # 0.90-0.96) and K (routine 311 reports) precision (0.58 against 0.64).
    handwritten: float = 1.0
    handwritten_calm: float = 1.0
    bengaluru_weak: float = 1.0  # Bengaluru complaints without a danger word, as not urgent
    disaster_weak: float = 1.0  # disaster-messages need labels (see models.training.weak)
    crisis_urgent: float = 1.0  # crisis-tweets by eyewitnesses of people or utilities hit
    crisis_calm: float = 1.0  # crisis-tweets of sympathy, donations, or not related
    crisis_news: float = 1.0  # crisis-tweets by the media about people affected, as not urgent
    real: float = 1.0  # the readers' labels on the real development rows
    real_languages: tuple[str, ...] = ("en", "de")
    real_ideas: bool = True  # the readers' idea labels teach the innovation head
    # the CSV's sample of Bengaluru rows as proposing nothing: off, as some do propose (the
    # readers found ideas in 3 % of them) and the real rows teach what a complaint is
    bengaluru_not_ideas: bool = False
    exclude: frozenset[str] = field(default_factory=frozenset)  # real item ids kept out


@dataclass(slots=True)
class Built:
    """What ``training_table`` put in: counts per part, and the real item of each row."""

    counts: dict[str, int] = field(default_factory=dict)
    real_rows: dict[int, str] = field(default_factory=dict)


def _sources(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [row["source"] for row in csv.DictReader(handle) if (row["text"] or "").strip()]


def _key(text: str) -> str:
    return normalised(redact(" ".join(text.split())))


def training_table(recipe: Recipe = Recipe(), shared: Path | None = DEFAULT_SHARED,
                   table_path: Path = TABLE,
                   items: Sequence[RealItem] | None = None) -> tuple[LabelledTable, Built]:
    """The table the bundled model trains on, and what went in."""
    table = read_table(table_path, ("text",), "area")
    sources = _sources(table_path)
    assert len(sources) == len(table), "default_table.csv rows and sources disagree"
    source_weight = {"handwritten": recipe.handwritten, "bengaluru": recipe.bengaluru_weak,
                     "vallejo": 1.0}
    table.urgent_weights = [
        recipe.handwritten_calm if s == "handwritten" and table.urgent[i] is False
        else source_weight.get(s, 1.0) for i, s in enumerate(sources)]
    for i, weight in enumerate(table.urgent_weights):
        if weight == 0:
            table.urgent[i] = None
        if sources[i] == "bengaluru" and not recipe.bengaluru_not_ideas:
            table.innovation[i] = None
    built = Built()
    counts = built.counts
    if shared is None or not (shared / "bengaluru-civic").is_dir():
        return table, built
    items = list(items) if items is not None else real_items(shared)
    where = {_key(t): i for i, t in enumerate(table.texts)}
    table.urgency = [None] * len(table)
    real_keys: set[str] = set()
    extra = LabelledTable(texts=[], labels=[])

    def add(text: str, level: str | None, flag: bool | None, weight: float) -> None:
        extra.texts.append(redact(text))
        extra.labels.append("")
        extra.kinds.append(None)
        extra.innovation.append(None)
        extra.weights.append(1.0)
        extra.urgency.append(level)
        extra.urgent.append(flag)
        extra.urgent_weights.append(weight)

    for item in items:
        real_keys.add(normalised(item.text))
        row = where.get(_key(item.text))
        if item.split == "test" or item.item_id in recipe.exclude:
            if row is not None:  # keep its area, unlearn everything else
                table.kinds[row] = table.urgent[row] = table.innovation[row] = None
            counts["real_kept_out"] = counts.get("real_kept_out", 0) + 1
            continue
        if item.urgency is None or recipe.real == 0 or item.lang not in recipe.real_languages:
            continue
        idea = {"1": True, "0": False}.get(item.idea or "") if recipe.real_ideas else None
        if row is not None:
            table.urgency[row], table.urgent[row] = item.urgency, None
            table.urgent_weights[row] = recipe.real
            if recipe.real_ideas:  # the readers' label, disputed ones left out
                table.innovation[row] = idea
        else:
            row = len(table) + len(extra)
            add(item.text, item.urgency, None, recipe.real)
            extra.innovation[-1] = idea
        built.real_rows[row] = item.item_id
        counts["real_dev"] = counts.get("real_dev", 0) + 1
    if recipe.disaster_weak:
        rows = disaster_rows(shared, real_keys)
        for text, flag in rows:
            add(text, None, flag, recipe.disaster_weak)
        counts["disaster_weak"] = len(rows)
    parts = {"urgent": recipe.crisis_urgent, "calm": recipe.crisis_calm,
             "news": recipe.crisis_news}
    if any(parts.values()):
        for text, part in crisis_rows(shared, real_keys):
            if parts[part]:
                add(text, None, part == "urgent", parts[part])
                counts[f"crisis_{part}"] = counts.get(f"crisis_{part}", 0) + 1
    table.extend(extra)
    return table, built
