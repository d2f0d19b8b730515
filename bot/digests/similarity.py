"""Which items say the same thing: token Jaccard similarity and distance on the ground.

Texts are compared as sets of normalised tokens (lower case, letters and digits, words of
three or more letters without common stop words, a plural ``s`` dropped). Two texts are
similar when the Jaccard index of their sets is at least ``SIMILAR``; two reports are about
the same place when both carry coordinates less than ``NEAR_METRES`` apart.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from bot.storage import FeedbackItem

SIMILAR = 0.5
NEAR_METRES = 100.0
T = TypeVar("T")
_WORD = re.compile(r"[^\W_]+")
_STOP = frozenset(
    "the and for are but not you all any can had her was one our out has his how its may "
    "new now see who did get let put say she too use this that with have from they will "
    "would there their what about which when been were them then than into some could "
    "very just also please there here near next my by of at on in to is it a an be we "
    "i me so do if or as".split()
)


def tokens(text: str) -> frozenset[str]:
    """Return the normalised content words of ``text``."""
    words = set()
    for word in _WORD.findall(text.casefold()):
        if len(word) < 3 or word in _STOP:
            continue
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        words.add(word)
    return frozenset(words)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Return |a & b| / |a | b| (0 when both are empty)."""
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(min(1.0, math.sqrt(h)))


def near(a: FeedbackItem, b: FeedbackItem) -> bool:
    """Return True if both items have coordinates within ``NEAR_METRES``."""
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return False
    assert a.latitude is not None and a.longitude is not None  # for mypy
    assert b.latitude is not None and b.longitude is not None
    return metres(a.latitude, a.longitude, b.latitude, b.longitude) <= NEAR_METRES


def group(values: Sequence[T], same: Callable[[T, T], bool]) -> list[list[T]]:
    """Return connected groups of ``values`` under ``same`` (input order kept)."""
    parent = list(range(len(values)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(values)):
        for j in range(i + 1, len(values)):
            if root(i) != root(j) and same(values[i], values[j]):
                parent[root(j)] = root(i)
    groups: dict[int, list[T]] = {}
    for i, value in enumerate(values):
        groups.setdefault(root(i), []).append(value)
    return list(groups.values())


def similar_text(a: FeedbackItem, b: FeedbackItem) -> bool:
    return jaccard(tokens(a.redacted_text), tokens(b.redacted_text)) >= SIMILAR


def likely_duplicates(a: FeedbackItem, b: FeedbackItem) -> bool:
    """Same area and either similar words or within ``NEAR_METRES`` of each other."""
    return a.area == b.area and (similar_text(a, b) or near(a, b))
