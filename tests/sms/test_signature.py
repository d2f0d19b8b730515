"""Signature checks: Twilio's documented example, ports, repeated keys, forgeries."""

from __future__ import annotations

from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from bot.channels.sms.signature import is_valid, parse_form, public_url
from tests.sms.conftest import sign

DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOC_TOKEN = "12345"
DOC_FIELDS = {"CallSid": "CA1234567890ABCDE", "Caller": "+14158675309", "Digits": "1234",
              "From": "+14158675309", "To": "+18005551212"}
DOC_SIGNATURE = "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_twilio_documented_example() -> None:
    assert RequestValidator(DOC_TOKEN).compute_signature(DOC_URL, DOC_FIELDS) == DOC_SIGNATURE
    form = parse_form(urlencode(DOC_FIELDS).encode())
    assert is_valid(DOC_TOKEN, DOC_URL, form, DOC_SIGNATURE)
    assert not is_valid("54321", DOC_URL, form, DOC_SIGNATURE)
    assert not is_valid(DOC_TOKEN, DOC_URL.replace("foo=1", "foo=2"), form, DOC_SIGNATURE)
    tampered = parse_form(urlencode(DOC_FIELDS | {"Digits": "9999"}).encode())
    assert not is_valid(DOC_TOKEN, DOC_URL, tampered, DOC_SIGNATURE)


def test_with_and_without_default_port() -> None:
    form = parse_form(urlencode(DOC_FIELDS).encode())
    with_port = sign("https://mycompany.com:443/myapp.php?foo=1&bar=2", DOC_FIELDS, DOC_TOKEN)
    assert is_valid(DOC_TOKEN, DOC_URL, form, with_port)
    assert is_valid(DOC_TOKEN, "https://mycompany.com:443/myapp.php?foo=1&bar=2", form,
                    DOC_SIGNATURE)
    other_port = sign("https://mycompany.com:8443/myapp.php?foo=1&bar=2", DOC_FIELDS, DOC_TOKEN)
    assert not is_valid(DOC_TOKEN, DOC_URL, form, other_port)


def test_repeated_keys_all_count() -> None:
    pairs = [("Body", "hi"), ("MediaUrl", "https://a.example/1"),
             ("MediaUrl", "https://a.example/2")]
    form = parse_form(urlencode(pairs).encode())
    assert form.getlist("MediaUrl") == ["https://a.example/1", "https://a.example/2"]
    url = "https://feedback.example.gov/sms/twilio"
    good = sign(url, pairs, DOC_TOKEN)
    assert is_valid(DOC_TOKEN, url, form, good)
    only_first = sign(url, pairs[:2], DOC_TOKEN)
    assert not is_valid(DOC_TOKEN, url, form, only_first)


def test_missing_or_empty_inputs_are_refused() -> None:
    form = parse_form(b"")
    url = "https://feedback.example.gov/sms/twilio"
    assert not is_valid(DOC_TOKEN, url, form, None)
    assert not is_valid(DOC_TOKEN, url, form, "")
    assert not is_valid("", url, form, sign(url, {}, DOC_TOKEN))
    assert is_valid(DOC_TOKEN, url, form, sign(url, {}, DOC_TOKEN))
    assert not is_valid(DOC_TOKEN, url, form, sign(url, {}, DOC_TOKEN),
                        "algorithm=HMAC_MD5")


def test_public_url_keeps_query() -> None:
    assert public_url("https://x.example/", "/sms/twilio", "a=1") == (
        "https://x.example/sms/twilio?a=1")
    assert public_url("https://x.example", "/sms/twilio") == "https://x.example/sms/twilio"
