"""The message catalogue: every template fits two GSM-7 segments and names its reference."""

from __future__ import annotations

import string

import pytest

from handlers import catalogue
from handlers.catalogue import (
    AREA_LABELS,
    FIELDS,
    MESSAGES,
    STATUS_LABELS,
    area_label,
    gsm7_segments,
    is_gsm7,
    render,
    render_my,
    status_label,
)
from handlers.gsm7 import gsm7_length, to_gsm7

DEFAULT_AREAS = ["roads", "street_lighting", "waste", "water_drainage", "parks_trees",
                 "traffic_parking", "public_transport", "noise_nuisance", "graffiti_vandalism",
                 "housing", "public_safety", "environment_health", "other"]
ABOUT_A_REPORT = {"filed", "filed_review", "urgent", "attached", "need_words", "status",
                  "flood", "status_changed", "status_changed_note", "staff_reply",
                  "resolved_ask", "resolved_ask_note", "fixed_thanks", "reopened"}


@pytest.mark.parametrize(("text", "segments"), [
    ("", 0),
    ("a", 1),
    ("a" * 160, 1),
    ("a" * 161, 2),
    ("a" * 306, 2),
    ("a" * 307, 3),
    ("€" * 80, 1),  # extension characters take two septets
    ("€" * 81, 2),
    ("a" * 152 + "€" + "a" * 152, 3),  # 306 septets, but the escape pair is never split
    ("Grüße aus München, ¿qué tal? Ça va", 1),  # all in the GSM-7 basic table
    ("ł" * 70, 1),  # UCS-2
    ("ł" * 71, 2),
    ("ł" * 134, 2),
    ("ł" * 135, 3),
    ("\U0001f600" * 35, 1),  # an emoji is two UTF-16 units
    ("\U0001f600" * 36, 2),
    ("a" * 159 + "\u2019", 3),  # one curly quote turns it all into UCS-2
])
def test_gsm7_segments(text: str, segments: int) -> None:
    assert gsm7_segments(text) == segments


def test_gsm7_helpers() -> None:
    assert gsm7_length("a{b}") == 6
    with pytest.raises(ValueError):
        gsm7_length("ł")
    assert to_gsm7("\u201cIt\u2019s fixed\u201d \u2013 ok\u2026") == '"It\'s fixed" - ok...'
    assert is_gsm7(to_gsm7("\u2018quoted\u2019\u00a0text"))


def _realistic(lang: str, key: str) -> dict[str, object]:
    """The longest values a real message could carry."""
    values: dict[str, object] = {
        "reference": "CV-7K3P2",
        "area": max(AREA_LABELS[lang].values(), key=len),
        "status": max(STATUS_LABELS[lang].values(), key=len),
        "updated": "2026-12-31",
        "emergency": "112 or 999 (or 911 from abroad)",
        "references": ", ".join(f"CV-7K3P{i} (being worked on)" for i in range(2, 6)),
        "count": 123, "minutes": 10, "language": "Deutsch", "languages": "de, en, es, fr, pt",
        "limit": 20_000, "note": "Crew booked for Tuesday morning; the lane will be closed 9-11",
        "text": "We have sent a crew; please keep the area clear until Friday evening.",
    }  # fmt: skip
    return {name: values[name] for name in FIELDS[key]}


@pytest.mark.parametrize("lang", sorted(MESSAGES))
@pytest.mark.parametrize("key", sorted(FIELDS))
def test_every_template_fits_two_segments(lang: str, key: str) -> None:
    text = render(key, lang, **_realistic(lang, key))
    assert is_gsm7(text), text
    assert gsm7_segments(text) <= 2, (len(text), text)
    if lang == "en":
        assert text.isascii(), text
    if key in ABOUT_A_REPORT:
        assert "CV-7K3P2" in text


@pytest.mark.parametrize("lang", sorted(MESSAGES))
def test_templates_use_exactly_their_fields(lang: str) -> None:
    assert set(MESSAGES["en"]) == set(FIELDS)
    for key, template in MESSAGES[lang].items():
        used = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        assert used == set(FIELDS[key]), (lang, key)


def test_labels_cover_the_default_taxonomy_and_statuses() -> None:
    for lang in MESSAGES:
        assert set(AREA_LABELS[lang]) >= set(DEFAULT_AREAS)
        assert set(STATUS_LABELS[lang]) == set(STATUS_LABELS["en"])
    assert area_label("roads") == "roads and pavements"
    assert area_label("street_lighting") == "street lighting"
    assert area_label("snow_clearing") == "snow clearing"  # an admin's own area
    assert area_label("roads", "de") == "Straßen und Gehwege"
    assert area_label("snow_clearing", "de") == "snow clearing"
    assert status_label("in_progress") == "being worked on"


def test_render_falls_back_to_english() -> None:
    assert render("help", "fr") == render("help", "en") == render("help", None)
    assert render("help", "DE-at") == MESSAGES["de"]["help"]
    catalogue.MESSAGES["xx"] = {"help": "xx help"}
    try:
        assert render("help", "xx") == "xx help"
        assert render("empty", "xx") == render("empty", "en")
    finally:
        del catalogue.MESSAGES["xx"]
    with pytest.raises(KeyError):
        render("no_such_key", "en")
    with pytest.raises(KeyError):
        render("filed", "en", reference="CV-7K3P2")  # area missing: a bug, not a blank


@pytest.mark.parametrize("lang", sorted(MESSAGES))
def test_my_lists_what_fits_and_counts_the_rest(lang: str) -> None:
    entries = [(f"CV-{i:02d}ABC".replace("0", "Z").replace("1", "Y"), "in_progress")
               for i in range(40)]
    text = render_my(entries, lang)
    assert gsm7_segments(text) <= 2 and entries[0][0] in text
    assert render("my_more", lang, count=0).split()[0] in text
    assert render_my([], lang) == render("my_none", lang)


@pytest.mark.parametrize("lang", sorted(MESSAGES))
def test_the_resolved_question_fits_with_an_80_character_note(lang: str) -> None:
    note = "Pothole filled and the kerb repaired; the lane reopens at 6pm. Thanks, Roads team"
    assert len(note) >= 80
    text = render("resolved_ask_note", lang, reference="CV-7K3P2", note=note)
    assert gsm7_segments(text) <= 2 and note in text and "CV-7K3P2" in text
    assert text.rstrip().endswith(("1 yes, 2 no", "1 ja, 2 nein"))
