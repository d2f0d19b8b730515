"""Classify citizen texts with a model version: area, kind, innovation and urgency.

``Triager`` is synchronous and safe to share between threads; the service calls it
through ``asyncio.to_thread`` in batches, the CLI directly. It predicts with the
compiled view of a version (``models.compiled``), so loading one imports neither
scikit-learn nor skops unless the version has no compiled view yet.

Urgency: a text is urgent when the urgency head's calibrated score reaches the version's
threshold (``metadata.json`` ``thresholds.urgent``, chosen on real labelled traffic), or
the ``urgent_threshold`` an operator gives (``URGENT_THRESHOLD``). ``nlp.urgency.at``
says what recall and precision a threshold gives on the rows the version was measured
on. Versions trained before the urgency head was calibrated (no ``urgency`` entry in
their metadata) keep their own rule: any rule, or the score at the threshold.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from models.compiled import Featurizer, Head, load_compiled, predict_proba
from nlp.prep import Prepared, Preparer, feature_rows
from nlp.result import TriageResult

if TYPE_CHECKING:
    from models.artifact import ModelBundle

DEFAULT_REVIEW_THRESHOLD = 0.5
DEFAULT_URGENT_THRESHOLD = 0.5
PRAISE_VETO = 0.7
PROPOSAL_QUESTION = 0.6
_HEADS = ("area", "kind", "innovation", "urgent")


class Triager:
    """A loaded model version plus the spaCy preparer for its language."""

    def __init__(self, heads: dict[str, Head], metadata: dict[str, Any],
                 preparer: Preparer | None = None,
                 urgent_threshold: float | None = None) -> None:
        """``urgent_threshold`` overrides the version's own (0..1; see the module docstring)."""
        missing = [h for h in _HEADS if h not in heads]
        if missing:
            raise ValueError(f"model lacks heads {', '.join(missing)}")
        self.heads = heads
        self.metadata = metadata
        self.lang = str(metadata.get("lang", "en"))
        self.preparer = preparer if preparer is not None else Preparer(self.lang)
        if self.preparer.lang != self.lang:
            raise ValueError(f"preparer is {self.preparer.lang!r}, model is {self.lang!r}")
        thresholds = metadata.get("thresholds", {})
        self._review = float(thresholds.get("area_review", DEFAULT_REVIEW_THRESHOLD))
        self._urgent = float(thresholds.get("urgent", DEFAULT_URGENT_THRESHOLD))
        if urgent_threshold is not None:
            if not 0.0 <= urgent_threshold <= 1.0:
                raise ValueError(f"urgent threshold must be within 0..1, got {urgent_threshold}")
            self._urgent = float(urgent_threshold)
        # versions before the calibrated head: any rule flags, praise of a rescue vetoes
        self._legacy = metadata.get("urgency", {}).get("decision") != "model"

    @classmethod
    def from_bundle(cls, bundle: ModelBundle, preparer: Preparer | None = None,
                    urgent_threshold: float | None = None) -> Triager:
        """Compile an in-memory bundle (fresh from training) for prediction."""
        from models.compiled import compile_heads

        return cls(compile_heads(bundle.heads), bundle.metadata, preparer, urgent_threshold)

    @classmethod
    def from_folder(cls, folder: str | Path, pipeline: str | None = None,
                    urgent_threshold: float | None = None) -> Triager:
        """Load the version in ``folder``; ``pipeline`` names an installed spaCy pipeline;
        ``urgent_threshold`` overrides the version's urgency threshold."""
        from models.files import METADATA_FILE, MODEL_FILE

        folder = Path(folder)
        metadata = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
        heads = load_compiled(folder, folder / MODEL_FILE)
        if heads is None:  # an older version: verify and compile the skops artifact
            from models.artifact import load_bundle
            from models.compiled import compile_heads

            heads = compile_heads(load_bundle(folder).heads)
        return cls(heads, metadata, Preparer(str(metadata.get("lang", "en")), pipeline),
                   urgent_threshold)

    @property
    def version(self) -> str:
        return str(self.metadata.get("version", "unversioned"))

    @property
    def urgent_threshold(self) -> float:
        """The urgency threshold in use (the version's, or the override)."""
        return self._urgent

    @property
    def area_labels(self) -> list[str]:
        return list(self.heads["area"].classes)

    def classify(self, text: str) -> TriageResult:
        """Triage one text."""
        return self.classify_many([text])[0]

    def classify_many(self, texts: Sequence[str]) -> list[TriageResult]:
        """Triage many texts in one batch (much faster per text than one by one)."""
        if not texts:
            return []
        return self.classify_prepared(self.preparer.prepare_many(texts))

    def probabilities(self, prepared: Sequence[Prepared]) -> dict[str, np.ndarray]:
        """Each head's class probabilities for prepared texts."""
        featurizer = Featurizer(feature_rows(prepared))
        return {name: predict_proba(self.heads[name], featurizer) for name in _HEADS}

    def classify_prepared(self, prepared: Sequence[Prepared]) -> list[TriageResult]:
        proba = self.probabilities(prepared)
        area_p, kind_p = proba["area"], proba["kind"]
        innovation_p, urgent_p = proba["innovation"][:, 1], proba["urgent"][:, 1]
        area_labels = self.heads["area"].classes
        kind_labels = self.heads["kind"].classes
        top_k = min(3, len(area_labels))
        order = np.argsort(-area_p, axis=1)[:, :top_k]
        # whole-batch numpy, then plain lists: indexing arrays per row costs more than this
        top_p = np.take_along_axis(area_p, order, axis=1).tolist()
        top_labels = [[area_labels[j] for j in row] for row in order.tolist()]
        kinds = np.argmax(kind_p, axis=1)
        kind_conf = kind_p[np.arange(len(kinds)), kinds].tolist()
        innovation, urgent_scores = innovation_p.tolist(), urgent_p.tolist()
        version, review, urgent_t, legacy = self.version, self._review, self._urgent, self._legacy
        results = []
        for i, (item, k) in enumerate(zip(prepared, kinds.tolist(), strict=True)):
            top = list(zip(top_labels[i], top_p[i], strict=True))
            urgent_score = urgent_scores[i]
            rules = list(item.urgent_rules)
            kind = kind_labels[k]
            if (kind == "question" and innovation[i] >= PROPOSAL_QUESTION
                    and "cue_propose_question" in item.cues):
                kind = "idea"  # "Could we get a bench by the pond?" proposes, not asks
            if legacy:  # a version from before the calibrated urgency head
                thanked = kind == "praise" and kind_conf[i] >= PRAISE_VETO
                urgent = not thanked and (bool(rules) or urgent_score >= urgent_t)
                urgent_score = max(urgent_score, 0.99 if rules else 0.0)
            else:
                urgent = urgent_score >= urgent_t
                # the reasons of a flag: the rules the model weighed, or its words alone
                rules = (rules or ["model"]) if urgent else []
            results.append(TriageResult(
                area=top[0][0],
                area_confidence=top[0][1],
                top_areas=top,
                kind=kind,
                kind_confidence=kind_conf[i],
                innovation=innovation[i],
                urgent=urgent,
                urgent_score=urgent_score,
                needs_review=top[0][1] < review or not item.content,
                model_version=version,
                urgent_reasons=rules,
            ))
        return results
