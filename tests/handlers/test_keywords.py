"""Which texts are commands: whole messages only, any case, Telegram's slash forms."""

from __future__ import annotations

import pytest

from handlers.keywords import Command, Keyword, parse


@pytest.mark.parametrize(("text", "expected"), [
    ("HELP", Command(Keyword.HELP)),
    ("  help! ", Command(Keyword.HELP)),
    ("/help@CivicVoiceBot", Command(Keyword.HELP)),
    ("?", Command(Keyword.HELP)),
    ("Hello", Command(Keyword.WELCOME)),
    ("STATUS", Command(Keyword.STATUS)),
    ("status cv-7k3p2", Command(Keyword.STATUS, "CV-7K3P2")),
    ("/status CV 7K3P2", Command(Keyword.STATUS, "CV-7K3P2")),
    ("status of CV-7K3P2 please", Command(Keyword.STATUS, "CV-7K3P2")),
    ("status of my report", Command(Keyword.STATUS)),
    ("STATUS CV-00000", Command(Keyword.STATUS, "", bad_reference=True)),
    ("cv-7k3p2", Command(Keyword.STATUS, "CV-7K3P2")),
    ("MY", Command(Keyword.MY)),
    ("my reports", Command(Keyword.MY)),
    ("FORGET", Command(Keyword.FORGET)),
    ("forget yes", Command(Keyword.FORGET_YES)),
    ("/forget YES", Command(Keyword.FORGET_YES)),
    ("Forget no", Command(Keyword.FORGET_NO)),
    ("yes", Command(Keyword.YES)),
    ("No.", Command(Keyword.NO)),
    ("STOP", Command(Keyword.STOP)),
    ("stop.", Command(Keyword.STOP)),
    ("UNSUBSCRIBE", Command(Keyword.STOP)),
    ("OptOut", Command(Keyword.STOP)),
    ("/start", Command(Keyword.START)),
    ("/start deep-link-payload", Command(Keyword.START)),
    ("UNSTOP", Command(Keyword.START)),
    ("LANG de", Command(Keyword.LANG, "de")),
    ("language English", Command(Keyword.LANG, "english")),
    ("lang", Command(Keyword.LANG)),
])
def test_commands(text: str, expected: Command) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize("text", [
    "", "   ", "stop the noise at night", "Help, the drain is blocked on Elm Street",
    "hello there is a pothole on my street", "forget it, the light works now",
    "my street light is broken", "status of the road outside my house is terrible",
    "The end of the road is flooded", "x" * 200, "!!",
])
def test_ordinary_messages(text: str) -> None:
    assert parse(text) is None
