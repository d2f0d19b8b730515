from __future__ import annotations

import pytest

from nlp.normalize import normalise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("PLS fix the lite ASAP!!!", "please fix the light as soon as possible!"),
        ("sooooo dirty", "soo dirty"),
        ("Gas leak 🔥", "gas leak fire"),
        ("see www.example.org/x", "see urltoken"),
        ("It’s “broken” – again…", "it's \"broken\" - again."),
        ("  lots   of\n space ", "lots of space"),
    ],
)
def test_normalise_chat_writing(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_other_language_keeps_english_words() -> None:
    assert normalise("u r here", "de") == "u r here"
    assert normalise("u r here", "en") == "you are here"
