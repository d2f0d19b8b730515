"""Authenticate Twilio webhooks before anything reads them as a message.

Twilio signs ``URL + sorted(key + value ...)`` with the account auth token (HMAC-SHA1, or
SHA-256 when ``X-Twilio-Webhooks-Signature-Settings`` says so). The URL is the one Twilio
called, which behind a proxy or TLS terminator is not the one the app sees, so it is
rebuilt from ``PUBLIC_BASE_URL`` + path + query string. As Twilio's own libraries do, the
URL is tried both with and without the scheme's default port. Repeated form keys take part
(every value, sorted). The comparison runs in constant time.
"""

from __future__ import annotations

import hmac
from urllib.parse import parse_qsl, urlparse

from starlette.datastructures import ImmutableMultiDict
from twilio.request_validator import (
    RequestValidator,
    add_port,
    get_signature_algorithm,
    remove_port,
)

SIGNATURE_HEADER = "X-Twilio-Signature"
SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"


def parse_form(body: bytes) -> ImmutableMultiDict[str, str]:
    """Return the form fields of a url-encoded body, keeping repeated keys and blank values."""
    text = body.decode("utf-8", errors="replace")
    return ImmutableMultiDict(parse_qsl(text, keep_blank_values=True))


def public_url(base_url: str, path: str, query: str = "") -> str:
    """Return the address Twilio called: the public base, the path and any query string."""
    url = base_url.rstrip("/") + path
    return f"{url}?{query}" if query else url


def is_valid(auth_token: str, url: str, form: ImmutableMultiDict[str, str],
             signature: str | None, settings_header: str | None = None) -> bool:
    """Return True if ``signature`` is Twilio's for ``url`` and ``form`` under ``auth_token``."""
    if not signature or not auth_token:
        return False
    validator = RequestValidator(auth_token)
    try:
        algorithm = get_signature_algorithm(settings_header)
        parsed = urlparse(url)
        candidates = {validator.compute_signature(candidate, form, algorithm)
                      for candidate in (remove_port(parsed), add_port(parsed))}
    except ValueError:  # an algorithm this library does not know
        return False
    given = signature.strip().encode()
    matches = [hmac.compare_digest(c.encode(), given) for c in sorted(candidates)]
    return any(matches)
