"""Pseudonyms, address encryption, tokens and references."""

from __future__ import annotations

import re

import pytest

from bot.security import (
    REFERENCE_ALPHABET,
    AddressCipher,
    find_reference,
    hash_token,
    new_reference,
    new_token,
    normalise_address,
    normalise_reference,
    pseudonymise,
)

KEY = "test-secret-key"


def test_pseudonym_is_stable_hex_and_hides_the_address() -> None:
    first = pseudonymise(KEY, "sms", "+44 7700 900123")
    assert first == pseudonymise(KEY, "sms", "+44 7700 900123")
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert "7700" not in first


def test_pseudonym_differs_by_key_channel_and_address() -> None:
    base = pseudonymise(KEY, "sms", "+447700900123")
    assert pseudonymise("another-key", "sms", "+447700900123") != base
    assert pseudonymise(KEY, "telegram", "+447700900123") != base
    assert pseudonymise(KEY, "sms", "+447700900124") != base


@pytest.mark.parametrize(
    "spelling", ["+44 7700 900123", "+44-7700-900-123", "0044 (7700) 900.123", "tel:+447700900123"]
)
def test_phone_spellings_share_one_pseudonym(spelling: str) -> None:
    assert normalise_address("sms", spelling) == "+447700900123"
    assert pseudonymise(KEY, "SMS ", spelling) == pseudonymise(KEY, "sms", "+447700900123")


def test_other_addresses_are_stripped_and_casefolded() -> None:
    assert normalise_address("web", "  Visitor-ABC ") == "visitor-abc"
    assert pseudonymise(KEY, "telegram", " 123456789 ") == pseudonymise(
        KEY, "telegram", "123456789"
    )


def test_empty_key_is_refused() -> None:
    with pytest.raises(ValueError):
        pseudonymise("", "sms", "+447700900123")
    with pytest.raises(ValueError):
        AddressCipher("")


def test_cipher_round_trip_and_key_separation() -> None:
    cipher = AddressCipher(KEY)
    token = cipher.encrypt("+447700900123")
    assert "+447700900123" not in token and "7700900123" not in token
    assert cipher.decrypt(token) == "+447700900123"
    assert cipher.encrypt("+447700900123") != token  # random IV: no equality leaks
    with pytest.raises(ValueError):
        AddressCipher("another-key").decrypt(token)
    with pytest.raises(ValueError):
        cipher.decrypt("not a token")
    assert KEY not in repr(cipher)


def test_cipher_reads_what_a_previous_key_wrote() -> None:
    old = AddressCipher("old-key").encrypt("12345")
    rotated = AddressCipher("new-key", previous_keys=["old-key"])
    assert rotated.decrypt(old) == "12345"
    assert AddressCipher("new-key").decrypt(rotated.encrypt("12345")) == "12345"


def test_tokens_are_random_and_hashed() -> None:
    token = new_token()
    assert len(token) >= 43 and token != new_token()
    assert hash_token(token) == hash_token(token)
    assert re.fullmatch(r"[0-9a-f]{64}", hash_token(token)) and hash_token(token) != token


def test_references_use_the_unambiguous_alphabet() -> None:
    assert not set("01OI") & set(REFERENCE_ALPHABET)
    references = {new_reference() for _ in range(2000)}
    assert len(references) > 1990
    for reference in references:
        assert re.fullmatch(rf"CV-[{REFERENCE_ALPHABET}]{{5}}", reference)
    seen = {c for r in references for c in r[3:]}
    assert seen == set(REFERENCE_ALPHABET)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("CV-7K3P2", "CV-7K3P2"),
        ("cv-7k3p2", "CV-7K3P2"),
        ("  CV7K3P2 ", "CV-7K3P2"),
        ("cv 7k3p2", "CV-7K3P2"),
        ("#CV_7K3P2", "CV-7K3P2"),
        ("7k3p2", "CV-7K3P2"),
        ("CVX23", "CV-CVX23"),
        ("CV-7K3P0", None),
        ("CV-7K3PO", None),
        ("CV-1K3P2", None),
        ("CV-IK3P2", None),
        ("CV-7K3P", None),
        ("CV-7K3P22", None),
        ("", None),
        ("'); DROP TABLE feedback;--", None),
    ],
)
def test_normalise_reference(typed: str, expected: str | None) -> None:
    assert normalise_reference(typed) == expected


def test_find_reference_in_a_message() -> None:
    assert find_reference("STATUS cv-7k3p2 please") == "CV-7K3P2"
    assert find_reference("what about CV7K3P2?") == "CV-7K3P2"
    assert find_reference("my number is 07700 900123") is None
    assert find_reference("CV-7K3P0") is None
