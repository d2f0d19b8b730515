"""Classify citizen texts with a model bundle: area, kind, innovation and urgency.

``Triager`` is synchronous and thread-safe for reading; the service calls it through
``asyncio.to_thread`` in batches, the CLI directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from models.artifact import ModelBundle, load_bundle
from nlp.heads import head_input
from nlp.inference import BatchScorer
from nlp.prep import Prepared, Preparer
from nlp.result import TriageResult

DEFAULT_REVIEW_THRESHOLD = 0.5
DEFAULT_URGENT_THRESHOLD = 0.5
PRAISE_VETO = 0.7
PROPOSAL_QUESTION = 0.6


class Triager:
    """A loaded model bundle plus the spaCy preparer for its language."""

    def __init__(self, bundle: ModelBundle, preparer: Preparer | None = None) -> None:
        self.bundle = bundle
        self.preparer = preparer if preparer is not None else Preparer(bundle.lang)
        if self.preparer.lang != bundle.lang:
            raise ValueError(f"preparer is {self.preparer.lang!r}, model is {bundle.lang!r}")
        self._review = bundle.threshold("area_review", DEFAULT_REVIEW_THRESHOLD)
        self._urgent = bundle.threshold("urgent", DEFAULT_URGENT_THRESHOLD)

    @classmethod
    def from_folder(cls, folder: str | Path, pipeline: str | None = None) -> Triager:
        """Load the version in ``folder``; ``pipeline`` names an installed spaCy pipeline."""
        bundle = load_bundle(folder)
        return cls(bundle, Preparer(bundle.lang, pipeline))

    @property
    def version(self) -> str:
        return self.bundle.version

    def classify(self, text: str) -> TriageResult:
        """Triage one text."""
        return self.classify_many([text])[0]

    def classify_many(self, texts: Sequence[str]) -> list[TriageResult]:
        """Triage many texts in one batch (much faster per text than one by one)."""
        if not texts:
            return []
        return self.classify_prepared(self.preparer.prepare_many(texts))

    def classify_prepared(self, prepared: Sequence[Prepared]) -> list[TriageResult]:
        heads = self.bundle.heads
        scorer = BatchScorer(head_input(prepared))

        def proba(head: str) -> np.ndarray:
            return scorer.predict_proba(heads[head])

        area_p, kind_p = proba("area"), proba("kind")
        innovation_p, urgent_p = proba("innovation")[:, 1], proba("urgent")[:, 1]
        area_labels = heads["area"].classes_
        kind_labels = heads["kind"].classes_
        top_k = min(3, len(area_labels))
        order = np.argsort(-area_p, axis=1)[:, :top_k]
        results = []
        for i, item in enumerate(prepared):
            top = [(str(area_labels[j]), float(area_p[i, j])) for j in order[i]]
            k = int(np.argmax(kind_p[i]))
            urgent_score = float(urgent_p[i])
            rules = list(item.urgent_rules)
            kind = str(kind_labels[k])
            if (kind == "question" and innovation_p[i] >= PROPOSAL_QUESTION
                    and "cue_propose_question" in item.cues):
                kind = "idea"  # "Could we get a bench by the pond?" proposes, not asks
            # Praise of a past rescue is no emergency, whatever words it uses.
            thanked = kind == "praise" and kind_p[i, k] >= PRAISE_VETO
            results.append(TriageResult(
                area=top[0][0],
                area_confidence=top[0][1],
                top_areas=top,
                kind=kind,
                kind_confidence=float(kind_p[i, k]),
                innovation=float(innovation_p[i]),
                urgent=not thanked and (bool(rules) or urgent_score >= self._urgent),
                urgent_score=max(urgent_score, 0.99 if rules else 0.0),
                needs_review=top[0][1] < self._review or not item.content,
                model_version=self.bundle.version,
                urgent_reasons=rules,
            ))
        return results
