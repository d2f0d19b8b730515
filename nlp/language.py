"""Guess the language of a table of texts from spaCy's stop-word lists."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from spacy.util import get_lang_class

from nlp.normalize import words

CANDIDATES = ("en", "de", "fr", "es", "it", "nl", "pt")


@cache
def _stop_words(lang: str) -> frozenset[str]:
    return frozenset(get_lang_class(lang).Defaults.stop_words)


def detect_language(texts: Sequence[str], sample: int = 500, default: str = "en") -> str:
    """Return the candidate language whose stop words cover most of ``texts``' words."""
    tokens = [w for text in texts[:sample] for w in words(text.lower())]
    if not tokens:
        return default
    scores = {lang: sum(t in _stop_words(lang) for t in tokens) for lang in CANDIDATES}
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] > 0 else default
