"""Decide whether a message adds to the citizen's fresh report or is a report of its own.

Only consulted when the citizen filed a report within the follow-up window. A location, a
photo alone, or a short text that points back ("it's outside number 12", "near the
school", "photo attached", "also ...") adds to it. A text naming a problem of its own
needs a second opinion: the conversation triages it and attaches it only when it lands in
the same area (and raises no new danger). Anything longer is a new report.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Followup(StrEnum):
    """What to do with a message that arrives soon after a report."""

    ATTACH = "attach"  # adds to the latest report
    CHECK = "check"  # attach only if triage agrees it is about the same thing
    NEW = "new"  # a report of its own


SHORT_WORDS = 6
"""Texts under this many words, with no problem of their own, add to the latest report."""
MARKED_MAX_WORDS = 25
"""A text opening with "also"/"it's" longer than this reads as a report of its own."""

_OPENERS = re.compile(
    r"^(?:also|and|plus|btw|ps|it'?s|it\s+is|its|this\s+is|that\s+is|that'?s|"
    r"here|same|update|forgot|sorry|the\s+address|address|location|located|exact)\b",
    re.IGNORECASE,
)
_POINTERS = re.compile(
    r"\b(?:outside|opposite|near|nearby|next\s+to|in\s+front\s+of|behind|across\s+from|"
    r"corner\s+of|junction\s+(?:of|with)|close\s+to|beside|by\s+the|at\s+number|"
    r"number\s+\d+|no\.?\s*\d+|#\s*\d+|same\s+(?:place|spot|location|street|road|one|issue)|"
    r"photo|picture|pic|image|attached|see\s+(?:photo|picture|above)|postcode|"
    r"still|again|getting\s+worse|worse\s+now|for\s+\d+\s+(?:days?|weeks?|months?))\b",
    re.IGNORECASE,
)
# Words that describe a problem of the message's own; "it's outside number 12" has none.
_PROBLEM = re.compile(
    r"\b(?:pot\s*holes?|broken|leak\w*|overflow\w*|flood\w*|blocked|blockage|burst|"
    r"damag\w*|crack\w*|collaps\w*|fallen|fell\s+down|missing|stolen|dump\w*|fly\s*tip\w*|"
    r"litter\w*|rubbish|garbage|trash|rats|pests?|smell\w*|stink\w*|noise|noisy|loud|"
    r"barking|graffiti|vandal\w*|abandoned|speeding|dark|not\s+working|out\s+of\s+order|"
    r"no\s+(?:water|light|power)|sewage|fire|smoke|gas|wires?|spark\w*|dangerous|unsafe|"
    r"hazard\w*|injur\w*|accident|dead|mou?ld|damp|lights?\s+(?:is\s+|are\s+)?out|"
    r"not\s+(?:been\s+)?collected|uncollected|overgrown|idea|suggest\w*|should|"
    r"please\s+(?:add|install|fix|put))\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")


def word_count(text: str) -> int:
    """Return how many words ``text`` has."""
    return len(_WORD.findall(text))


def names_a_problem(text: str) -> bool:
    """Return True if ``text`` describes a problem or idea of its own."""
    return _PROBLEM.search(text) is not None


def classify_followup(
    text: str, *, has_location: bool = False, has_media: bool = False, edited: bool = False
) -> Followup:
    """Return whether a message soon after a report attaches to it, needs a check, or is new."""
    words = word_count(text)
    if words == 0:
        return Followup.ATTACH if has_location or has_media or edited else Followup.NEW
    if edited:
        return Followup.ATTACH  # a corrected message belongs to what it corrected
    if names_a_problem(text):
        opener = _OPENERS.search(text.strip()) is not None
        return Followup.CHECK if words < SHORT_WORDS or (
            opener and words <= MARKED_MAX_WORDS) else Followup.NEW
    pointing = _OPENERS.search(text.strip()) is not None or _POINTERS.search(text) is not None
    if words < SHORT_WORDS or (pointing and words <= MARKED_MAX_WORDS) or has_location or (
            has_media):
        return Followup.ATTACH
    return Followup.NEW
