"""Normalise chat and SMS writing before tokenising.

Lower-cases, folds look-alike Unicode, turns emoji into words, shortens letters repeated for
emphasis ("sooooo" -> "soo"), and expands common SMS abbreviations of the text's language.
The result is for the classifiers only; citizens' words are stored as they wrote them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import emoji

from nlp.lexicon import abbreviations

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_REPEAT_LETTER = re.compile(r"([^\W\d_])\1{2,}")
_REPEAT_ASCII_LETTER = re.compile(r"([a-z])\1{2,}")  # the same on lower-case ASCII, faster
_REPEAT_PUNCT = re.compile(r"([!?.,])\1+")
_DOUBLE_PUNCT = ("!!", "??", "..", ",,")
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?|\S", re.UNICODE)
_SMART = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."})


def _emoji_words(text: str) -> str:
    # ":fire:" -> " fire ", ":police_car_light:" -> " police car light "
    return emoji.replace_emoji(
        text, replace=lambda chars, data: " " + data["en"].strip(":").replace("_", " ") + " "
    )


@lru_cache(maxsize=16)
def _abbreviation_pattern(lang: str) -> tuple[re.Pattern[str], dict[str, str]] | None:
    table = abbreviations(lang)
    if not table:
        return None
    keys = sorted(table, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w'])(" + "|".join(map(re.escape, keys)) + r")(?![\w'])")
    return pattern, table


def normalise(text: str, lang: str = "en", expand: bool = True) -> str:
    """Return ``text`` cleaned for classification (lower case, emoji as words, SMS expanded).

    ``expand=False`` leaves shorthand to the caller (the lemmatizer's lookup table does it
    faster).
    """
    if not text.isascii():  # the cheap checks keep plain SMS text on the fast path
        text = unicodedata.normalize("NFKC", text).translate(_SMART)
        if max(text) >= "\u2000" and emoji.emoji_count(text):
            text = _emoji_words(text)
    if "://" in text or "www." in text.lower():
        text = _URL.sub(" urltoken ", text)
    if "@" in text:
        text = _EMAIL.sub(" emailtoken ", text)
    text = text.lower()
    repeat = _REPEAT_ASCII_LETTER if text.isascii() else _REPEAT_LETTER
    text = repeat.sub(r"\1\1", text)
    if any(pair in text for pair in _DOUBLE_PUNCT):
        text = _REPEAT_PUNCT.sub(r"\1", text)
    compiled = _abbreviation_pattern(lang) if expand else None
    if compiled is not None:
        pattern, table = compiled
        text = pattern.sub(lambda m: table[m.group(1)], text)
    return " ".join(text.split())  # str.split's whitespace is the same as re's \s


_PLAIN_LETTERS = {"de": str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})}


def spelling_variants(text: str, lang: str) -> list[str]:
    """``text`` and, where it differs, how it is typed without the language's special
    letters ("kühe" -> "kuehe"): many people write German on keyboards without umlauts."""
    table = _PLAIN_LETTERS.get(lang)
    plain = text.translate(table) if table else text
    return [text] if plain == text else [text, plain]


def words(text: str) -> list[str]:
    """Split already-normalised text into words and punctuation marks (no spaCy needed)."""
    return _WORD.findall(text)
