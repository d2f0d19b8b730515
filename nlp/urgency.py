"""What an urgency threshold gives on labelled real traffic (pure numpy, no scikit-learn).

Real texts are labelled on three levels (``tests/data/real/GUIDE.md``): ``urgent``,
``borderline`` (a careful dispatcher would hesitate; two readers' disagreements too) and
``not``. At a threshold ``t`` a text is flagged when its calibrated urgency score is at
least ``t``, and:

* ``recall``: the share of the *urgent* texts that are flagged;
* ``precision``: the share of flagged texts that are urgent *or borderline* (a flag on a
  borderline text is not a false alarm);
* ``flagged_share``: the share of all texts flagged, against ``labelled_share``, the share
  labelled urgent or borderline (``flag_ratio`` = their quotient; the target is <= 1.5).

A version's ``metadata.json`` keeps, under ``urgency``, the scores and levels of the rows
it was measured on (``held_out``: out-of-fold scores of the real development rows;
``test``: the locked real test split, when it was measured), so ``table`` and ``at`` can
say what recall and precision any threshold would give, without the texts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

LEVELS = ("urgent", "borderline", "not")
LETTERS = {"urgent": "U", "borderline": "B", "not": "N"}
_FROM_LETTER = {"U": "urgent", "B": "borderline", "N": "not"}
TABLE_STEPS = tuple(round(0.02 * i, 2) for i in range(1, 50))  # 0.02 ... 0.98


def level(value: str) -> str:
    """``urgent``/``borderline``/``not`` from a label as tables write it (U/B/N, 1/0 ...)."""
    v = value.strip().lower()
    if v in ("urgent", "u", "1", "true", "yes", "y"):
        return "urgent"
    if v in ("borderline", "b", "disputed"):
        return "borderline"
    if v in ("not", "n", "0", "false", "no", "not urgent", "not_urgent"):
        return "not"
    raise ValueError(f"not an urgency level: {value!r} (urgent, borderline or not)")


def encode_levels(levels: Iterable[str]) -> str:
    """Levels as one string of letters (``UBN...``), as metadata stores them."""
    return "".join(LETTERS[v] for v in levels)


def decode_levels(letters: str) -> list[str]:
    return [_FROM_LETTER[c] for c in letters]


def figures(scores: Sequence[float] | np.ndarray, levels: Sequence[str],
            threshold: float) -> dict[str, Any]:
    """Recall, precision and flagged share at ``threshold`` (see the module docstring)."""
    s = np.asarray(scores, dtype=np.float64)
    lv = np.asarray(levels)
    urgent, borderline = lv == "urgent", lv == "borderline"
    flagged = s >= threshold
    n, n_flagged = len(s), int(flagged.sum())
    labelled = int((urgent | borderline).sum())
    right = int((flagged & (urgent | borderline)).sum())
    share = n_flagged / n if n else 0.0
    labelled_share = labelled / n if n else 0.0
    return {
        "threshold": round(float(threshold), 4),
        "n": n, "urgent": int(urgent.sum()), "borderline": int(borderline.sum()),
        "flagged": n_flagged,
        "recall": round(int((flagged & urgent).sum()) / max(int(urgent.sum()), 1), 4),
        "precision": round(right / n_flagged, 4) if n_flagged else 1.0,
        "flagged_share": round(share, 4),
        "labelled_share": round(labelled_share, 4),
        "flag_ratio": round(share / labelled_share, 4) if labelled_share else None,
    }


def table(scores: Sequence[float] | np.ndarray, levels: Sequence[str],
          steps: Sequence[float] = TABLE_STEPS) -> list[dict[str, Any]]:
    """``figures`` at each threshold of ``steps``."""
    return [figures(scores, levels, t) for t in steps]


def choose_threshold(scores: Sequence[float] | np.ndarray, levels: Sequence[str],
                     recall_target: float) -> float:
    """The highest threshold whose recall on urgent texts is at least ``recall_target``.

    The highest such threshold flags the fewest texts, so it keeps precision and the
    flagged share as good as that recall allows. Candidates are the scores themselves.
    """
    s = np.asarray(scores, dtype=np.float64)
    urgent = s[np.asarray(levels) == "urgent"]
    if len(urgent) == 0:
        return 0.5
    ordered = np.sort(urgent)[::-1]
    needed = int(np.ceil(recall_target * len(ordered) - 1e-9))
    needed = min(max(needed, 1), len(ordered))
    return round(float(np.floor(ordered[needed - 1] * 1e4) / 1e4), 4)


def held_out(metadata: Mapping[str, Any], source: str = "held_out"
             ) -> tuple[list[float], list[str]] | None:
    """The scores and levels a version stored for ``source`` (``held_out`` or ``test``)."""
    entry = metadata.get("urgency", {}).get(source)
    if not entry or "scores" not in entry:
        return None
    return [float(x) for x in entry["scores"]], decode_levels(entry["levels"])


def at(metadata: Mapping[str, Any], threshold: float, source: str = "held_out"
       ) -> dict[str, Any] | None:
    """What ``threshold`` gives on a version's stored rows (None if it stored none)."""
    rows = held_out(metadata, source)
    return figures(rows[0], rows[1], threshold) if rows else None


def threshold_table(metadata: Mapping[str, Any], source: str = "held_out",
                    steps: Sequence[float] = TABLE_STEPS) -> list[dict[str, Any]]:
    """Recall, precision and flagged share at each of ``steps`` on a version's stored rows
    (empty if it stored none): what the Models page shows."""
    rows = held_out(metadata, source)
    return table(rows[0], rows[1], steps) if rows else []


def stored(scores: Sequence[float] | np.ndarray, levels: Sequence[str],
           description: str) -> dict[str, Any]:
    """The metadata entry for one set of scored rows."""
    return {"description": description,
            "scores": [round(float(x), 4) for x in scores],
            "levels": encode_levels(levels)}
