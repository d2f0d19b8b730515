"""Records of staff access: dashboard sessions and failed sign-ins (for backoff).

Secrets never appear here: a session is known by the SHA-256 of its cookie id, a throttle
key by a keyed pseudonym of the e-mail or client address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class StaffSession:
    """One signed-in browser; it counts while unrevoked, unexpired and its user active."""

    id: int
    user_id: int
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    revoked_reason: str | None = None


class ThrottleScope(StrEnum):
    """What a count of failed sign-ins is kept for."""

    ACCOUNT = "account"
    ADDRESS = "address"


@dataclass(frozen=True, slots=True)
class ThrottleKey:
    """A typed key for sign-in failures: ``key`` is a pseudonym, never the raw value."""

    scope: ThrottleScope
    key: str


@dataclass(frozen=True, slots=True)
class SigninFailures:
    """Consecutive failed sign-ins for one key, since the last success or quiet spell."""

    key: ThrottleKey
    failures: int
    first_failure_at: datetime
    last_failure_at: datetime
