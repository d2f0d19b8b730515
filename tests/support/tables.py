"""Small training tables cut from the bundled one, so retrains in tests take seconds."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from bot.cli.retrain_commands import DEFAULT_BASE_TABLE
from bot.storage import CorrectionField, FeedbackStore


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


STAFF_LABELS = [
    ("The street light outside number 4 has been flickering for days", "street_lighting"),
    ("Bins on Mill Lane were not emptied this week", "waste"),
    ("Deep pothole at the junction of Oak Road and High Street", "roads"),
    ("Water leaking from a pipe under the pavement on Park Avenue", "water_drainage"),
    ("The swings in the park playground are broken", "parks_trees"),
    ("Bus 42 never comes on time in the mornings", "public_transport"),
]


async def seed_staff_labels(store: FeedbackStore) -> int:
    """File a few reports and give each a staff area label; return how many."""
    for text, area in STAFF_LABELS:
        item = await store.create_feedback(channel="web", original_text=text,
                                           redacted_text=text, area="other",
                                           area_confidence=0.3, kind="complaint")
        await store.add_correction(item.id, CorrectionField.AREA, area, "other",
                                   "staff:lead@city.gov")
    return len(STAFF_LABELS)
