"""Make outbound text cheap to send: GSM-7 where possible, emoji replaced or dropped.

One character outside GSM-7 turns a whole SMS into UCS-2 (70 characters a segment instead
of 160), so every text is cleaned before sending: typography becomes plain
(``handlers.gsm7.to_gsm7``), a few common emoji become words or ASCII, other emoji and
invisible joiners are dropped, and accented Latin letters outside GSM-7 lose their accent
(``á`` -> ``a``). Letters of other scripts are kept: they need UCS-2, and losing them
would lose the meaning.
"""

from __future__ import annotations

import unicodedata

from handlers.gsm7 import GSM7_BASIC, GSM7_EXTENSION, to_gsm7

_EMOJI_WORDS = {
    "\U0001f642": ":)", "\U0001f600": ":D", "\U0001f603": ":D", "\U0001f604": ":D",
    "\U0001f60a": ":)", "\U0001f641": ":(", "\U0001f622": ":(", "\U0001f609": ";)",
    "\U0001f44d": "OK", "\u2705": "OK", "\u2714": "OK", "\u274c": "X", "\u2757": "!",
    "\u26a0": "!", "\U0001f6a8": "!", "\u2764": "<3", "\U0001f4cd": "", "\U0001f4f7": "",
    "\u2192": "->", "\u2190": "<-", "\u2122": "TM", "\u00a9": "(c)", "\u00ae": "(R)",
}  # fmt: skip
_INVISIBLE = frozenset({"\u200d", "\ufe0f", "\ufe0e", "\u200c", "\u2060", "\ufeff"})


def _is_gsm7(char: str) -> bool:
    return char in GSM7_BASIC or char in GSM7_EXTENSION


def _is_emoji(char: str) -> bool:
    code = ord(char)
    return (0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF
            or 0x1F1E6 <= code <= 0x1F1FF or unicodedata.category(char) == "So")


def _plain_letter(char: str) -> str:
    """Return ``char`` without its accent when that makes it GSM-7, else ``char``."""
    base = "".join(c for c in unicodedata.normalize("NFKD", char)
                   if not unicodedata.combining(c))
    return base if base and all(_is_gsm7(c) for c in base) else char


def clean_for_sms(text: str) -> str:
    """Return ``text`` in GSM-7 where that keeps its meaning; see the module docstring."""
    out: list[str] = []
    for char in to_gsm7(text):
        if _is_gsm7(char):
            out.append(char)
        elif char in _INVISIBLE:
            continue
        elif char in _EMOJI_WORDS:
            out.append(_EMOJI_WORDS[char])
        elif _is_emoji(char):
            continue
        else:
            out.append(_plain_letter(char))
    cleaned = "".join(out)
    while "  " in cleaned:
        cleaned = cleaned.replace("  ", " ")
    return cleaned.strip() or text.strip()
