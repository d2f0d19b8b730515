"""Small training tables cut from the bundled one, so retrains in tests take seconds."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from bot.cli.retrain_commands import DEFAULT_BASE_TABLE


def small_base_table(path: Path, per_area: int = 40) -> Path:
    """Write the first ``per_area`` rows of each area of the bundled table to ``path``."""
    with DEFAULT_BASE_TABLE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    taken: dict[str, int] = defaultdict(int)
    keep = []
    for row in rows:
        if taken[row["area"]] < per_area:
            taken[row["area"]] += 1
            keep.append(row)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(keep[0]))
        writer.writeheader()
        writer.writerows(keep)
    return path
