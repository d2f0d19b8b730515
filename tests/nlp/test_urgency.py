"""The urgency head: thresholds on three-level labels, calibration on real rows, overrides."""

from __future__ import annotations

import numpy as np
import pytest

from models.compiled import Featurizer, compile_heads, predict_proba
from nlp import urgency
from nlp.heads import head_input
from nlp.prep import Preparer, feature_rows
from nlp.urgency_training import UrgencyConfig, UrgencyRows, train_urgency

LEVELS = ["urgent", "urgent", "borderline", "not", "not", "not"]
SCORES = [0.9, 0.4, 0.6, 0.7, 0.2, 0.1]


def test_figures_count_a_flag_on_a_borderline_text_as_right() -> None:
    f = urgency.figures(SCORES, LEVELS, 0.5)
    assert f["flagged"] == 3 and f["recall"] == 0.5
    assert f["precision"] == round(2 / 3, 4)  # urgent 0.9 and borderline 0.6 right, 0.7 not
    assert f["flagged_share"] == 0.5 and f["labelled_share"] == 0.5 and f["flag_ratio"] == 1.0


def test_choose_threshold_is_the_highest_that_reaches_the_recall() -> None:
    assert urgency.choose_threshold(SCORES, LEVELS, 0.5) == 0.9
    assert urgency.choose_threshold(SCORES, LEVELS, 1.0) == 0.4
    t = urgency.choose_threshold(SCORES, LEVELS, 0.75)
    assert urgency.figures(SCORES, LEVELS, t)["recall"] >= 0.75


def test_stored_rows_give_the_table_a_models_page_shows() -> None:
    metadata = {"urgency": {"held_out": urgency.stored(SCORES, LEVELS, "test rows")}}
    rows = urgency.threshold_table(metadata, steps=(0.3, 0.5, 0.8))
    assert [r["threshold"] for r in rows] == [0.3, 0.5, 0.8]
    assert [r["recall"] for r in rows] == [1.0, 0.5, 0.5]
    assert urgency.at(metadata, 0.5) == rows[1]
    assert urgency.at({}, 0.5) is None and urgency.threshold_table({}) == []
    assert urgency.decode_levels(urgency.encode_levels(LEVELS)) == LEVELS


@pytest.mark.parametrize(("value", "level"), [("U", "urgent"), ("borderline", "borderline"),
                                               ("0", "not"), ("not urgent", "not")])
def test_levels_as_tables_write_them(value: str, level: str) -> None:
    assert urgency.level(value) == level


DANGERS = ["gas smell in the stairwell", "live wire sparking on the pavement",
           "water pouring into our basement", "a tree fell on a car, people inside",
           "manhole cover missing on the school road", "smoke coming out of the flats"]
CALM = ["bins not emptied this week", "street light flickering on elm road",
        "please add a bench in the park", "pothole on the main road for months",
        "graffiti on the bus shelter", "noise from the pub every friday"]


@pytest.fixture(scope="module")
def fitted():  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    texts, levels = [], []
    for k in range(20):  # real rows: dangers urgent, some borderline, calm not
        for t in DANGERS:
            texts.append(f"{t} {k}")
            levels.append("borderline" if rng.random() < 0.15 else "urgent")
        for t in CALM:
            texts.append(f"{t} {k}")
            levels.append("not")
    aux = [f"{t} now" for t in DANGERS] + [f"{t} again" for t in CALM]
    prepared = Preparer("en").prepare_many(texts + aux)
    n = len(texts)
    rows = UrgencyRows(real=list(range(n)), levels=levels, real_weights=[1.0] * n,
                       aux=list(range(n, n + len(aux))),
                       aux_truth=[True] * len(DANGERS) + [False] * len(CALM),
                       aux_weights=[1.0] * len(aux))
    return train_urgency(prepared, rows, UrgencyConfig(recall_target=0.9, folds=3), n_jobs=1)


def test_threshold_reaches_the_recall_target_out_of_fold(fitted) -> None:  # type: ignore[no-untyped-def]
    scores, levels = urgency.held_out({"urgency": fitted.metadata}) or ([], [])
    assert len(scores) == 240
    assert urgency.figures(scores, levels, fitted.threshold)["recall"] >= 0.9
    assert fitted.metadata["decision"] == "model"
    assert fitted.metrics["measured_on"] == "out-of-fold, real rows"
    assert fitted.metadata["table"][0]["threshold"] == 0.02


def test_calibrated_head_compiles_to_the_same_probabilities(fitted) -> None:  # type: ignore[no-untyped-def]
    prepared = Preparer("en").prepare_many(["gas smell in the hall", "bins again", ""])
    slow = fitted.model.predict_proba(head_input(prepared))
    fast = predict_proba(compile_heads({"urgent": fitted.model})["urgent"],
                         Featurizer(feature_rows(prepared)))
    np.testing.assert_allclose(fast, slow, rtol=1e-5, atol=1e-7)
    assert slow[0, 1] > 0.5 > slow[1, 1]


def test_too_few_real_rows_calibrate_on_every_row() -> None:
    texts = [f"{t} {k}" for k in range(6) for t in DANGERS + CALM]
    truth = [i % 12 < 6 for i in range(len(texts))]
    rows = UrgencyRows(aux=list(range(len(texts))), aux_truth=truth,
                       aux_weights=[1.0] * len(texts))
    fit = train_urgency(Preparer("en").prepare_many(texts), rows,
                        UrgencyConfig(folds=3), n_jobs=1)
    assert fit.metrics["measured_on"].startswith("out-of-fold, every labelled row")
    assert 0.0 < fit.threshold < 1.0


def test_an_operator_threshold_overrides_the_versions(triager) -> None:  # type: ignore[no-untyped-def]
    from models.registry import BUNDLED_DIR
    from nlp.triage import Triager

    texts = ["bins not emptied", "gas smell in the stairwell, getting stronger"]
    never = Triager.from_folder(BUNDLED_DIR, urgent_threshold=1.0)
    always = Triager.from_folder(BUNDLED_DIR, urgent_threshold=0.0)
    assert never.urgent_threshold == 1.0 and triager.urgent_threshold != 1.0
    assert [r.urgent for r in always.classify_many(texts)] == [True, True]
    assert not any(r.urgent for r in never.classify_many(texts))
    assert [r.urgent_score for r in never.classify_many(texts)] == [
        r.urgent_score for r in triager.classify_many(texts)]
    with pytest.raises(ValueError, match=r"within 0\.\.1"):
        Triager.from_folder(BUNDLED_DIR, urgent_threshold=1.5)


def test_a_few_staff_labels_keep_the_calibrated_head() -> None:
    """Retraining with a handful of urgency labels keeps the base model's urgency head (too
    few real rows to calibrate a new one on); ``nlp.urgency_training.MIN_REAL``."""
    from models.artifact import load_bundle
    from models.registry import BUNDLED_DIR
    from nlp.table import LabelledTable
    from nlp.training import TrainConfig, train_bundle

    base = load_bundle(BUNDLED_DIR)
    texts = [f"{t} {k}" for k in range(10) for t in DANGERS + CALM]
    table = LabelledTable(texts=texts, labels=["public_safety" if i % 12 < 6 else "waste"
                                               for i in range(len(texts))],
                          urgency=[None if i >= 20 else "urgent" if i % 12 < 6 else "not"
                                   for i in range(len(texts))])
    bundle = train_bundle(table, TrainConfig(n_jobs=1), base=base, version="few")
    assert bundle.metadata["heads_from"]["urgent"] == f"model {base.version}"
    assert bundle.metadata["urgency"] == base.metadata["urgency"]
    assert bundle.metadata["thresholds"]["urgent"] == base.metadata["thresholds"]["urgent"]
