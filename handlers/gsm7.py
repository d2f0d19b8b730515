"""SMS segment arithmetic: the GSM 03.38 7-bit alphabet and UCS-2 fallback.

An SMS carries 140 bytes: 160 GSM-7 characters alone, or 153 per part once a message is
split (the rest holds the concatenation header). A single character outside GSM-7 turns the
whole message into UCS-2: 70 characters alone, 67 per part. Extension characters (``{``,
``}``, ``[``, ``]``, ``~``, ``\\``, ``|``, ``^``, ``€``, form feed) cost two septets, and a
part never ends between the escape and its character.
"""

from __future__ import annotations

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE_GSM7 = 160
PART_GSM7 = 153
SINGLE_UCS2 = 70
PART_UCS2 = 67

# Typography that word processors and phones put in, with its GSM-7 spelling.
_PLAIN = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\u2026": "...", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u200b": "",
    "\u2022": "-", "\t": " ",
})  # fmt: skip


def is_gsm7(text: str) -> bool:
    """Return True if every character of ``text`` can be sent in GSM-7."""
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def gsm7_length(text: str) -> int:
    """Return how many septets ``text`` takes in GSM-7 (extension characters count two).

    Raises ``ValueError`` if ``text`` holds a character outside GSM-7.
    """
    total = 0
    for c in text:
        if c in GSM7_BASIC:
            total += 1
        elif c in GSM7_EXTENSION:
            total += 2
        else:
            raise ValueError(f"U+{ord(c):04X} is not in the GSM-7 alphabet")
    return total


def _parts(units: list[int], single: int, part: int) -> int:
    """Count parts for a list of per-character widths, never splitting one character."""
    if not units:
        return 0
    if sum(units) <= single:
        return 1
    parts, used = 1, 0
    for width in units:
        if used + width > part:
            parts, used = parts + 1, 0
        used += width
    return parts


def gsm7_segments(text: str) -> int:
    """Return how many SMS segments ``text`` needs (0 for the empty text).

    GSM-7 when every character allows it (160 alone, 153 per part), otherwise UCS-2
    (70 alone, 67 per part, counted in UTF-16 code units so an emoji takes two).
    """
    if is_gsm7(text):
        return _parts([2 if c in GSM7_EXTENSION else 1 for c in text], SINGLE_GSM7, PART_GSM7)
    return _parts([2 if ord(c) > 0xFFFF else 1 for c in text], SINGLE_UCS2, PART_UCS2)


def to_gsm7(text: str) -> str:
    """Return ``text`` with curly quotes, dashes, ellipses and odd spaces made plain.

    Only typography changes; words and other characters are left as they are, so the result
    may still need UCS-2 (check with ``is_gsm7``).
    """
    return text.translate(_PLAIN)


def fits_sms(text: str, segments: int = 2) -> bool:
    """Return True if ``text`` fits in at most ``segments`` SMS segments."""
    return gsm7_segments(text) <= segments
