"""The outcome of triaging one text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson


@dataclass(frozen=True, slots=True)
class TriageResult:
    """What the classifiers decided about one citizen text.

    ``top_areas`` is a list of ``(area, probability)`` pairs, best first. ``needs_review`` is
    true when the area's probability is below the model's validated confidence threshold.
    ``urgent`` is the calibrated urgency model's decision (``urgent_score`` at or above the
    threshold); ``urgent_reasons`` says why a text was flagged: the rules among its
    features that matched (``"open_manhole"``), or ``["model"]`` when its words alone
    carried it; empty when it is not urgent. (Versions from before the calibrated head list
    every rule that fired.)
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
        # built by hand: dataclasses.asdict deep-copies and costs more than the JSON itself
        return {
            "area": self.area,
            "area_confidence": round(float(self.area_confidence), 4),
            "top_areas": [[a, round(float(p), 4)] for a, p in self.top_areas],
            "kind": self.kind,
            "kind_confidence": round(float(self.kind_confidence), 4),
            "innovation": round(float(self.innovation), 4),
            "urgent": bool(self.urgent),
            "urgent_score": round(float(self.urgent_score), 4),
            "needs_review": bool(self.needs_review),
            "model_version": self.model_version,
            "urgent_reasons": list(self.urgent_reasons),
        }

    def json_line(self) -> str:
        """The public JSON shape as one line with its newline (what ``classify`` prints)."""
        return orjson.dumps(self.to_json(), option=orjson.OPT_APPEND_NEWLINE).decode()
