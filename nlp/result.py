"""The outcome of triaging one text."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class TriageResult:
    """What the classifiers decided about one citizen text.

    ``top_areas`` is a list of ``(area, probability)`` pairs, best first. ``needs_review`` is
    true when the area's probability is below the model's validated confidence threshold.
    ``urgent_reasons`` names the rules that fired (``"gas_leak"``), empty when only the
    model flagged the text.
    """

    area: str
    area_confidence: float
    top_areas: list[tuple[str, float]]
    kind: str
    kind_confidence: float
    innovation: float
    urgent: bool
    urgent_score: float
    needs_review: bool
    model_version: str
    urgent_reasons: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the public JSON shape (INTERFACES.md ``classify`` output plus extras)."""
        data = asdict(self)
        data["top_areas"] = [[a, round(p, 4)] for a, p in self.top_areas]
        for key in ("area_confidence", "kind_confidence", "innovation", "urgent_score"):
            data[key] = round(float(data[key]), 4)
        return data
