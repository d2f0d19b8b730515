from __future__ import annotations

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


# (text, the urgent rule that must fire, or None)
URGENT_CASES = [
    ("I can smell gas near the school", "gas_leak"),
    ("Live wire hanging from the pole on 5th", "live_wire"),
    ("the manhole cover is missing on Elm Rd", "open_manhole"),
    ("water is pouring into our basement", "flooding_home"),
    ("traffic lights are out at the junction", "traffic_signal_out"),
    ("a tree fell on a car on Oak Ave", "fallen_tree"),
    ("smoke coming out of the roof of the hall", "fire"),
    ("fire hydrant is leaking", None),
    ("thanks for fixing the gas leak last week", None),
    ("who do I call if I smell gas?", None),
    ("who do I call? I smell gas right now!", "gas_leak"),
    ("we got a flood of emails about bins", None),
    ("Gas leak on Elm St. Thanks.", "gas_leak"),
]


@pytest.mark.parametrize(("text", "rule"), URGENT_CASES)
def test_urgent_rules(prep: Preparer, text: str, rule: str | None) -> None:
    rules = prep.prepare(text).urgent_rules
    if rule is None:
        assert rules == ()
    else:
        assert rule in rules


def test_batch_equals_single(prep: Preparer) -> None:
    texts = ["bin not emptied", "", "x" * 20_000, "When is bin day?"]
    batch = prep.prepare_many(texts)
    assert [prep.prepare(t) for t in texts] == batch
    assert batch[1].content == ""


def test_german_pipeline() -> None:
    de = Preparer("de")
    p = de.prepare("Die Radwege sind kaputt und es riecht nach Gas!")
    assert "radweg" in p.content or "radwege" in p.content
    assert "gas_leak" in p.urgent_rules
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
    assert prep.prepare("gas smell in the hall").urgent_rules == ("gas_leak",)
