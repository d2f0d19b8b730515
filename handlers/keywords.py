"""Recognise the commands a citizen types: ``HELP``, ``STATUS CV-7K3P2``, ``/stop``, ``Lang de``.

A command is the whole message: case does not matter, surrounding spaces and punctuation
are ignored, a leading ``/`` (Telegram) and an ``@botname`` suffix are dropped. A keyword
inside a longer sentence ("stop the noise at night") is not a command, so a report that
happens to start with one is filed as a report. The opt-out words are Twilio's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.security import find_reference, normalise_reference


class Keyword(StrEnum):
    """What a command asks for."""

    HELP = "help"
    WELCOME = "welcome"
    STATUS = "status"
    MY = "my"
    FORGET = "forget"
    FORGET_YES = "forget_yes"
    FORGET_NO = "forget_no"
    YES = "yes"
    NO = "no"
    STOP = "stop"
    START = "start"
    LANG = "lang"


@dataclass(frozen=True, slots=True)
class Command:
    """A parsed command; ``argument`` is the reference (``STATUS``) or language (``LANG``).

    ``STATUS`` with an empty argument means the citizen's latest report; ``bad_reference``
    is set when the argument was meant as a reference but is not a valid one.
    """

    keyword: Keyword
    argument: str = ""
    bad_reference: bool = False


MAX_COMMAND_CHARS = 80
_PUNCTUATION = " \t\r\n.,;:!?'\"()[]{}<>*_~`-"

STOP_WORDS = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke",
                        "optout"})
START_WORDS = frozenset({"start", "unstop"})
_HELP = frozenset({"help", "info", "hilfe", "commands", "menu"})
_GREETINGS = frozenset({"hi", "hello", "hey", "hiya", "hallo", "moin", "servus"})
_YES = frozenset({"yes", "y", "ja", "confirm"})
_NO = frozenset({"no", "n", "nein"})
_MY = frozenset({"my", "mine", "list", "meine"})
_MY_TAIL = frozenset({"", "reports", "report", "meldungen", "requests"})
_STATUS = frozenset({"status", "track"})
_FORGET = frozenset({"forget", "vergessen", "delete"})
_LANG = frozenset({"lang", "language", "sprache"})
_MAX_STATUS_WORDS = 4  # "status of my report please" is a STATUS; a longer text is a report
_SPACES = re.compile(r"\s+")


def _first_word(token: str) -> str:
    """Return a command word without ``/``, ``@botname`` and punctuation, lower-cased."""
    word = token.lstrip("/").split("@", 1)[0]
    return word.strip(_PUNCTUATION).casefold()


def _status(rest: str) -> Command | None:
    if not rest:
        return Command(Keyword.STATUS)
    words = rest.split()
    if len(words) == 1:
        ref = normalise_reference(words[0])
        return Command(Keyword.STATUS, ref or "", bad_reference=ref is None)
    ref = normalise_reference(rest) or find_reference(rest)
    if ref is not None:
        return Command(Keyword.STATUS, ref)
    if len(words) <= _MAX_STATUS_WORDS:
        return Command(Keyword.STATUS)
    return None


def parse(text: str) -> Command | None:
    """Return the command ``text`` is, or None when it is an ordinary message."""
    stripped = text.strip()
    if not stripped or len(stripped) > MAX_COMMAND_CHARS:
        return None
    if set(stripped) <= set("?! "):
        return Command(Keyword.HELP) if "?" in stripped else None
    words = _SPACES.split(stripped)
    first = _first_word(words[0])
    rest = " ".join(words[1:]).strip(_PUNCTUATION)
    rest_key = rest.casefold()
    if not rest:
        single = _single_word(first)
        if single is not None:
            return single
    elif stripped.startswith("/") and first in START_WORDS | _HELP:
        # "/start abc" is a Telegram deep link; "/help me" is still help.
        return Command(Keyword.START if first in START_WORDS else Keyword.HELP)
    if first in _STATUS:
        return _status(rest)
    if first in _LANG:
        return Command(Keyword.LANG, rest_key.split()[0] if rest_key else "")
    if first in _FORGET:
        if rest_key in _YES:
            return Command(Keyword.FORGET_YES)
        if rest_key in _NO:
            return Command(Keyword.FORGET_NO)
        return None
    if first in _MY and rest_key in _MY_TAIL:
        return Command(Keyword.MY)
    bare = normalise_reference(first) if first.startswith("cv") else None
    if not rest and bare is not None:
        return Command(Keyword.STATUS, bare)  # a reference alone asks where it stands
    return None


def _single_word(first: str) -> Command | None:
    """Return the command a one-word message is, if any."""
    table = (
        (_HELP, Keyword.HELP), (_GREETINGS, Keyword.WELCOME), (STOP_WORDS, Keyword.STOP),
        (START_WORDS, Keyword.START), (_YES, Keyword.YES), (_NO, Keyword.NO),
        (_MY, Keyword.MY), (_FORGET, Keyword.FORGET), (_STATUS, Keyword.STATUS),
        (_LANG, Keyword.LANG),
    )  # fmt: skip
    for words, keyword in table:
        if first in words:
            return Command(keyword)
    return None
