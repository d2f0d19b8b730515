from __future__ import annotations

import functools

import pytest

from nlp.prep import Preparer


@pytest.fixture(scope="module")
def prep() -> Preparer:
    return Preparer("en")


def test_lemmas_and_shorthand(prep: Preparer) -> None:
    p = prep.prepare("pls fix the lites, they r not wrking")
    assert p.content == "please fix the light they be not work"


def test_form_view_masks_topic_words(prep: Preparer) -> None:
    p = prep.prepare("Why not add a bike lane on Main St?")
    assert "bike" not in p.form and "F_why F_not F_add" in p.form
    assert {"cue_why_not", "cue_question"} <= p.cues


def test_numbers_become_placeholders(prep: Preparer) -> None:
    assert prep.prepare("3 weeks at no. 12").content == "NUM week at no NUM"


# (text, the urgent rule that must fire, or None). The rules are features of the urgency
# model, not decisions (see nlp.rules): these only check that each still matches its words.
URGENT_CASES = [
    ("Live wire hanging from the pole on 5th", "live_wire"),
    ("live wires hanging out of the lamp post base, sparking every time it rains", "live_wire"),
    ("the manhole cover is missing on Elm Rd", "open_manhole"),
    ("traffic lights are out at the junction", "traffic_signal_out"),
    ("the signals at the ring road junction went dark", "traffic_signal_out"),
    ("green man showing while cars have green at the school crossing",
     "traffic_signal_out"),
    ("a tree fell on a car on Oak Ave", "fallen_tree"),
    ("fire hydrant is leaking", None),
    ("bins not emptied on Elm St for a week", None),
    ("wires hanging between the poles, looks messy", None),
]


@pytest.mark.parametrize(("text", "rule"), URGENT_CASES)
def test_urgent_rules(prep: Preparer, text: str, rule: str | None) -> None:
    p = prep.prepare(text)
    if rule is None:
        assert p.urgent_rules == () and p.tags == ""
    else:
        assert rule in p.urgent_rules and f"urg_{rule}" in p.tags.split()


def test_rules_are_features_of_their_own_view(prep: Preparer) -> None:
    """The tags view carries the rules; the form view stays free of them (it is for kind and
    ideas, whatever the topic)."""
    p = prep.prepare("Live wire down on Elm, please fix it")
    assert p.tags == "urg_live_wire" and "urg_" not in p.form
    assert p.form.startswith("F_BOS") and "cue_please" in p.form


def test_german_has_cues_and_no_urgent_rules() -> None:
    """No German text of the real set is urgent: a German urgent rule could only raise
    false alarms there, so there are none (nlp.rules)."""
    p = _german().prepare("Man sollte hier einen Radweg anlegen, die Straße ist gefährlich!")
    assert p.urgent_rules == () and p.tags == ""
    assert "cue_modal" in p.cues


@functools.cache
def _german() -> Preparer:
    return Preparer("de")


def test_english_form_view_reads_german_proposals(prep: Preparer) -> None:
    p = prep.prepare("Eine Ampel wäre sinnvoll, man sollte sie bitte einrichten")
    assert {"cue_would_be", "cue_modal", "cue_please", "cue_improve"} <= p.cues
    assert "F_man F_sollte" in p.form


def test_batch_equals_single(prep: Preparer) -> None:
    texts = ["bin not emptied", "", "x" * 20_000, "When is bin day?"]
    batch = prep.prepare_many(texts)
    assert [prep.prepare(t) for t in texts] == batch
    assert batch[1].content == ""


def test_texts_prepared_together_stay_apart(prep: Preparer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Many texts share one Doc: no rule may join the end of one to the start of the next,
    and each text keeps its own words, sentences and rules, whatever the group size."""
    texts = ["the bins smell", "gas leak on Elm St", "", "I can smell", "gas prices are high",
             "Don't worry.", "  ", "last week", "a wire is down", "and sparking now"] * 30
    single = [prep.prepare(t) for t in texts]
    assert single[3].urgent_rules == () and single[4].urgent_rules == ()
    for size in (1, 60, 1_000, 100_000):
        monkeypatch.setattr("nlp.prep.JOIN_CHARS", size)
        assert prep.prepare_many(texts) == single


def test_german_pipeline() -> None:
    p = _german().prepare("Die Radwege sind kaputt und es riecht nach Gas!")
    assert "radweg" in p.content or "radwege" in p.content
    assert "cue_fault" in p.cues


def test_language_without_lookups_still_works() -> None:
    p = Preparer("xx").prepare("Hello there, something")  # multi-language blank pipeline
    assert p.content == "hello there something"


def test_operator_pipeline_with_ner_redacts_names(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """SPACY_PIPELINE may name an installed pipeline (a package or a folder)."""
    import spacy

    from nlp.redact import redact

    trained = spacy.blank("en")
    ruler = trained.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([{"label": "PERSON", "pattern": "Asha Rao"}])  # type: ignore[attr-defined]
    trained.to_disk(tmp_path / "pipeline")
    prep = Preparer("en", str(tmp_path / "pipeline"))
    assert prep.has_ner
    text = "Asha Rao says the bins on Elm St are full, call 07700 900123"
    assert redact(text, prep.person_spans) == (
        "[PERSON] says the bins on Elm St are full, call [PHONE]")
    assert prep.prepare("the manhole cover is missing in the hall").urgent_rules == (
        "open_manhole",)
