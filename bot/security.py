"""Keyed pseudonyms, address encryption, API tokens and citizen-facing references.

Nothing here logs or stores its inputs: callers pass a citizen's address in and get back
a pseudonym (stable, one-way) or ciphertext (reversible only with ``SECRET_KEY``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

REFERENCE_PREFIX = "CV-"
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
"""Digits and capitals without 0/O/1/I, so a reference read aloud or retyped survives."""
REFERENCE_LENGTH = 5
REFERENCE_RE = re.compile(rf"\bCV-?[{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}}\b", re.IGNORECASE)
"""Finds a reference inside a longer text such as ``status cv-7k3p2``."""

_REFERENCE_SEPARATORS = " \t-_.:#"
_PHONE_CHANNELS = frozenset({"sms", "whatsapp", "voice"})
_PHONE_PUNCTUATION = re.compile(r"[\s\-.()/]")
_HKDF_SALT = b"civicvoice/v1"
_HKDF_INFO = b"civicvoice address encryption"


def normalise_address(channel: str, address: str) -> str:
    """Return ``address`` in the one spelling a channel's sender always gets.

    Phone numbers lose spaces, dashes, dots and brackets, and a leading ``00`` becomes ``+``;
    any ``tel:`` or ``whatsapp:`` prefix is dropped. Other addresses (Telegram chat ids, web
    sender ids, e-mail) are stripped and case-folded.
    """
    value = address.strip()
    if channel.strip().lower() in _PHONE_CHANNELS:
        lowered = value.lower()
        for prefix in ("tel:", "whatsapp:", "sms:"):
            if lowered.startswith(prefix):
                value = value[len(prefix) :]
                lowered = lowered[len(prefix) :]
        value = _PHONE_PUNCTUATION.sub("", value)
        if value.startswith("00"):
            value = "+" + value[2:]
        return value
    return value.casefold()


def pseudonymise(secret_key: str, channel: str, address: str) -> str:
    """Return the HMAC-SHA256 hex of ``channel`` and the normalised ``address``.

    The same sender always gets the same pseudonym under one ``SECRET_KEY``; another key or
    another channel gives an unrelated one, and the address cannot be recovered from it.
    """
    if not secret_key:
        raise ValueError("secret_key must not be empty")
    channel_name = channel.strip().lower()
    message = f"{channel_name}\x1f{normalise_address(channel_name, address)}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def _fernet_for(secret_key: str) -> Fernet:
    if not secret_key:
        raise ValueError("secret_key must not be empty")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


class AddressCipher:
    """Encrypts the addresses replies need (Fernet, key derived from ``SECRET_KEY`` by HKDF).

    ``previous_keys`` lets a rotated ``SECRET_KEY`` still read what older keys encrypted;
    new ciphertext always uses ``secret_key``.
    """

    def __init__(self, secret_key: str, previous_keys: Iterable[str] = ()) -> None:
        keys = [_fernet_for(secret_key), *(_fernet_for(k) for k in previous_keys)]
        self._fernet = MultiFernet(keys)

    def encrypt(self, address: str) -> str:
        """Return ``address`` encrypted and authenticated, as URL-safe text."""
        return self._fernet.encrypt(address.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        """Return the address in ``token``; raise ``ValueError`` if no key opens it."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode()
        except (InvalidToken, UnicodeError) as exc:
            raise ValueError("address ciphertext is invalid or was made with another key") from exc

    def __repr__(self) -> str:
        return "AddressCipher(<hidden>)"


def hash_token(token: str) -> str:
    """Return the SHA-256 hex of an API token, the only form a store keeps."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """Return a new random API token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def new_reference() -> str:
    """Return a random citizen-facing reference such as ``CV-7K3P2``."""
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return REFERENCE_PREFIX + body


def normalise_reference(text: str) -> str | None:
    """Return ``text`` as a canonical reference (``CV-7K3P2``), or None if it is not one.

    Accepts lower case, surrounding space, a missing or different separator and a missing
    ``CV`` prefix. Characters outside the alphabet (0, O, 1, I among them) make it invalid
    rather than being guessed at.
    """
    value = text.strip().upper().lstrip("#")
    candidates = [value]
    if value.startswith("CV"):
        candidates.insert(0, value[2:].lstrip(_REFERENCE_SEPARATORS))
    for body in candidates:
        if len(body) == REFERENCE_LENGTH and all(c in REFERENCE_ALPHABET for c in body):
            return REFERENCE_PREFIX + body
    return None


def find_reference(text: str) -> str | None:
    """Return the first reference inside a longer text, canonicalised, or None."""
    match = REFERENCE_RE.search(text)
    return normalise_reference(match.group(0)) if match else None
