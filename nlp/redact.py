"""Redaction of personal data for digests, exports and training tables.

Phone numbers, e-mail addresses, card-like numbers (Luhn-valid) and IBANs are replaced by
placeholders; person names too when a trained spaCy pipeline with NER is installed. Dates,
times, prices, house numbers and postcodes are kept: they help staff find the place.
"""

from __future__ import annotations

import re
from collections.abc import Callable

EMAIL = "[EMAIL]"
PHONE = "[PHONE]"
CARD = "[CARD]"
IBAN = "[IBAN]"
PERSON = "[PERSON]"

_EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
# A run of digits with the separators people type in numbers: spaces, dots, dashes, slashes
# and brackets; at least 7 digits in all. What it is (phone, card, date) is decided below.
_NUMBER_RUN = re.compile(r"(?<![\w.])(\+|00)?\(?\d[\d\s().\-/]{5,}\d(?![\w])")
_DATE_RE = re.compile(
    r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$"  # 12/03/2024, 2024-03-12, 12.03.24
    r"|^\d{1,2}[./-]\d{1,2}$"
)
_CURRENCY_BEFORE = re.compile(r"(?:[$€£₹¥]|\b(?:rs|inr|usd|eur|gbp|aud)\.?)\s*$", re.I)
_CURRENCY_AFTER = re.compile(r"^\s*(?:[$€£₹]|(?:rs|rupees|dollars|euros?|pounds|usd|eur)\b)",
                             re.I)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _classify_number(text: str, match: re.Match[str]) -> str | None:
    """Return the placeholder for a number run, or None to keep it."""
    raw = match.group(0).strip()
    digits = re.sub(r"\D", "", raw)
    if _DATE_RE.match(raw) or re.fullmatch(r"\d{1,2}:\d{2}", raw):
        return None
    if _CURRENCY_BEFORE.search(text[: match.start()]) or _CURRENCY_AFTER.match(
        text[match.end():]
    ):
        return None
    grouped = re.fullmatch(r"\d{1,3}(?:[.,\s]\d{3})+(?:[.,]\d{1,2})?", raw)
    if grouped and not raw.startswith("0") and len(digits) < 10:
        return None  # 1.250.000 or 12 500 000: an amount or a count, not a number to call
    if 13 <= len(digits) <= 19 and _luhn_ok(digits):
        return CARD
    if raw.startswith(("+", "00")) and 8 <= len(digits) <= 15:
        return PHONE
    if 9 <= len(digits) <= 15:
        return PHONE
    if 7 <= len(digits) <= 8 and re.search(r"\d{3,4}[\s.\-]\d{3,4}$", raw):
        return PHONE  # a local number such as 555-1234 or 2345 6789
    return None


def redact(text: str, person_spans: Callable[[str], list[tuple[int, int]]] | None = None) -> str:
    """Return ``text`` with personal data replaced by placeholders such as ``[PHONE]``.

    ``person_spans`` (e.g. ``Preparer.person_spans``) finds names; without it names stay.
    """
    if not text:
        return text
    if person_spans is not None:
        for start, end in sorted(person_spans(text), reverse=True):
            text = text[:start] + PERSON + text[end:]
    text = _EMAIL_RE.sub(EMAIL, text)
    text = _IBAN_RE.sub(IBAN, text)

    def replace(match: re.Match[str]) -> str:
        label = _classify_number(text, match)
        if label is None:
            return match.group(0)
        # keep the space or bracket the run may have swallowed at its edges
        lead = match.group(0)[: len(match.group(0)) - len(match.group(0).lstrip())]
        return lead + label

    return _NUMBER_RUN.sub(replace, text)
