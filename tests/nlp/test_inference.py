"""The fast scorer gives the same probabilities as scikit-learn's own predict_proba."""

from __future__ import annotations

import numpy as np

from nlp.heads import head_input
from nlp.inference import BatchScorer

TEXTS = ["Street light flickering on Elm Rd", "", "Could we have more buses at night?",
         "Gas smell in the stairwell!!", "thank you for the new bins", "x " * 3000]


def test_fast_path_matches_sklearn(triager) -> None:  # type: ignore[no-untyped-def]
    rows = head_input(triager.preparer.prepare_many(TEXTS))
    scorer = BatchScorer(rows)
    for name, head in triager.bundle.heads.items():
        fast = scorer.predict_proba(head)
        slow = np.asarray(head.predict_proba(rows))
        assert fast.shape == slow.shape, name
        np.testing.assert_allclose(fast, slow, rtol=1e-5, atol=1e-6, err_msg=name)
