"""Text from outside, made safe to store and to write out as XML or JSON.

Citizens' messages, staff notes and every other free text enter through ``clean_text``:
NUL and the other C0 control characters (but tab and newline) and DEL are removed, a
carriage return becomes a newline, vertical tab and form feed become spaces, and what
UTF-8 or XML 1.0 cannot carry (lone surrogates, U+FFFE, U+FFFF) becomes U+FFFD. Outputs
apply ``xml_safe`` as well, so a document stays valid whatever an older release stored.
"""

from __future__ import annotations

import math
import re
from typing import Annotated

from pydantic import AfterValidator

_NEWLINES = re.compile(r"\r\n?")
_SPACES = re.compile(r"[\x0b\x0c]")
_DROPPED = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_UNENCODABLE = re.compile(r"[\ud800-\udfff\ufffe\uffff]")
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Return ``text`` without control characters, encodable as UTF-8 and valid in XML."""
    if text.isprintable():  # the common case: nothing to do
        return text
    text = _NEWLINES.sub("\n", text)
    text = _SPACES.sub(" ", text)
    text = _DROPPED.sub("", text)
    return _UNENCODABLE.sub("\ufffd", text)


def xml_safe(text: str) -> str:
    """Return ``text`` with every character XML 1.0 forbids replaced by U+FFFD."""
    return _XML_INVALID.sub("\ufffd", text)


def valid_coordinates(latitude: float, longitude: float) -> bool:
    """Return whether a latitude and longitude are finite and on the globe."""
    return (math.isfinite(latitude) and math.isfinite(longitude)
            and -90 <= latitude <= 90 and -180 <= longitude <= 180)


CleanStr = Annotated[str, AfterValidator(clean_text)]
"""A pydantic ``str`` field cleaned by ``clean_text``."""
