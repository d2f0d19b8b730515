"""Sign-in throttling: exponential backoff per client address and per account.

There is no hard lock-out an outsider could trigger with someone's e-mail. Failed
sign-ins are counted per client address (``bot.web.clients.client_address``: the peer, or
``X-Forwarded-For`` from a proxy in ``TRUSTED_PROXIES``) and per account, as keyed
pseudonyms in the store, so a restart forgets nothing. From the third consecutive failure
on a key, the next attempt on it must wait ``BASE`` (5 s), doubling with each further
failure up to ``ACCOUNT_CAP`` (5 min) for an account and ``ADDRESS_CAP`` (15 min) for an
address. While a key waits, every attempt on it is refused with 429 and "try again in N
seconds", even with the right password, and is not counted. A successful sign-in clears
the account's count; an address's count is forgotten after ``FORGET_AFTER`` (1 h) without
failures.

A browser where an account signed in before carries a signed ``cv_device`` cookie naming
it (up to five accounts, 90 days); there the account's backoff does not apply, only the
address's, so strangers guessing at a colleague's e-mail cannot keep them out on their own
computer.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from bot.security import pseudonymise
from bot.storage import FeedbackStore
from bot.storage.access_records import SigninFailures, ThrottleKey, ThrottleScope
from bot.web.clients import client_address

logger = logging.getLogger(__name__)

FREE_FAILURES = 3
"""Failures on a key before attempts on it have to wait."""
BASE = timedelta(seconds=5)
ACCOUNT_CAP = timedelta(minutes=5)
ADDRESS_CAP = timedelta(minutes=15)
FORGET_AFTER = timedelta(hours=1)
DEVICE_COOKIE = "cv_device"
DEVICE_SECONDS = 90 * 24 * 3600
DEVICE_ACCOUNTS = 5


def utcnow() -> datetime:
    return datetime.now(UTC)


def sign_in_address(request: Request) -> str:
    """The client address sign-ins are counted by (``X-Forwarded-For`` only from proxies
    in ``TRUSTED_PROXIES``, as for the web channel)."""
    return client_address(request)


def backoff(failures: int, cap: timedelta) -> timedelta:
    """How long a key with ``failures`` consecutive failures waits after the last one."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(cap, BASE * 2 ** min(failures - FREE_FAILURES, 20))


def _cap(key: ThrottleKey) -> timedelta:
    return ACCOUNT_CAP if key.scope is ThrottleScope.ACCOUNT else ADDRESS_CAP


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))  # round up: never "0 seconds"


@dataclass(frozen=True, slots=True)
class Attempt:
    """One sign-in attempt: who it claims to be, where it comes from, and its keys."""

    account: ThrottleKey
    address: ThrottleKey
    known_device: bool

    def keys(self) -> list[ThrottleKey]:
        """The keys whose backoff applies (the account's only on an unknown device)."""
        return [self.address] if self.known_device else [self.account, self.address]


class SigninThrottle:
    """Backoff for dashboard sign-ins (and password checks), kept in the store."""

    def __init__(self, store: FeedbackStore, secret_key: str) -> None:
        self._store = store
        self._secret = secret_key
        self._devices = URLSafeTimedSerializer(secret_key, salt="cv-known-device")

    def attempt(self, request: Request, email: str) -> Attempt:
        """The keys of a sign-in as ``email`` from ``request``'s client."""
        account = self._account(email)
        address = pseudonymise(self._secret, "signin-address", sign_in_address(request))
        return Attempt(account, ThrottleKey(ThrottleScope.ADDRESS, address),
                       account.key in self._known(request))

    async def wait(self, attempt: Attempt) -> int:
        """Seconds the attempt must wait before it is heard (0: go ahead)."""
        now = utcnow()
        found = await self._store.signin_failures(attempt.keys(), since=now - FORGET_AFTER)
        return self._remaining(found, attempt, now)

    async def failed(self, attempt: Attempt) -> int:
        """Count a failure against the address and the account; return the wait it causes."""
        now = utcnow()
        found = await self._store.add_signin_failure(
            [attempt.account, attempt.address], forget_before=now - FORGET_AFTER, at=now)
        wait = self._remaining(found, attempt, now)
        worst = max(f.failures for f in found)
        logger.info("failed dashboard sign-in (%d in a row on its account or address)", worst)
        return wait

    async def succeeded(self, attempt: Attempt) -> None:
        """Clear the account's count; the address keeps its own until it goes quiet."""
        await self._store.clear_signin_failures(attempt.account)

    def remember_device(self, request: Request, response: Response, attempt: Attempt,
                        *, secure: bool) -> None:
        """Mark this browser as one where the account signed in (``cv_device`` cookie)."""
        known = [k for k in self._known(request) if k != attempt.account.key]
        value = self._devices.dumps([attempt.account.key, *known][:DEVICE_ACCOUNTS])
        response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_SECONDS, httponly=True,
                            samesite="lax", secure=secure, path="/staff")

    def _account(self, email: str) -> ThrottleKey:
        key = pseudonymise(self._secret, "signin-account", email.strip())
        return ThrottleKey(ThrottleScope.ACCOUNT, key)

    def _known(self, request: Request) -> list[str]:
        raw = request.cookies.get(DEVICE_COOKIE)
        if not raw:
            return []
        try:
            found = self._devices.loads(raw, max_age=DEVICE_SECONDS)
        except BadSignature:
            return []
        return [str(k) for k in found][:DEVICE_ACCOUNTS] if isinstance(found, list) else []

    @staticmethod
    def _remaining(found: list[SigninFailures], attempt: Attempt, now: datetime) -> int:
        applies = set(attempt.keys())
        until = [f.last_failure_at + backoff(f.failures, _cap(f.key))
                 for f in found if f.key in applies]
        late = max(until, default=now)
        return _seconds(late - now) if late > now else 0
