"""Staff accounts: the one path every change to a user, a password or a token takes.

The command line (``civicvoice users ...``, ``tokens ...``), the dashboard's *Users* and
password pages and the admin API call these methods; the store audits each change with
the ``actor`` given (``admin:cli`` or ``staff:EMAIL``) in the same transaction, ends a
user's sessions when their password changes or they are deactivated (revoking their API
tokens too), and refuses any change that would leave no active admin (``ConflictError``).

Bad input raises ``AccountError`` (a ``ValueError``: 400 in the API, exit 2 on the command
line); an unknown user or token raises ``NotFoundError`` (404).
"""

from __future__ import annotations

import asyncio
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.storage import ApiToken, FeedbackStore, NotFoundError, StaffRole, StaffUser

MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class AccountError(ValueError):
    """A change to an account was refused for its input (the message says why)."""


class WrongPassword(AccountError):
    """The current password given to confirm a change is not the user's."""


def hash_password(password: str) -> str:
    """Return the argon2 hash of ``password`` (slow: call it off the event loop)."""
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Return True if ``password`` matches ``stored``; as slow when there is no hash."""
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    """Return a random one-time password (96 bits), for ``users add`` and resets."""
    return secrets.token_urlsafe(12)


def check_new_password(password: str, user: StaffUser) -> None:
    """Raise ``AccountError`` unless ``password`` is acceptable for ``user``."""
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise AccountError(f"a password has at most {MAX_PASSWORD_CHARS} characters")
    if password.strip().casefold() == user.email.casefold():
        raise AccountError("a password must not be the e-mail address")


@dataclass(frozen=True, slots=True)
class Account:
    """A user with how many live dashboard sessions and unrevoked API tokens they hold."""

    user: StaffUser
    sessions: int
    tokens: int


@dataclass(frozen=True, slots=True)
class TokenEntry:
    """An API token as it may be shown again: its id, never the token or its hash."""

    id: int
    user_id: int
    email: str
    label: str
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken, email: str) -> TokenEntry:
        return cls(token.id, token.user_id, email, token.label, token.created_at,
                   token.revoked_at)

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class StaffAccounts:
    """Listing and changing staff accounts and their API tokens, audited by the store."""

    def __init__(self, store: FeedbackStore) -> None:
        self._store = store

    # -- reading -----------------------------------------------------------------------

    async def accounts(self) -> list[Account]:
        """Every account, deactivated ones included, by e-mail."""
        store = self._store
        users = await store.list_users(include_inactive=True)
        sessions = Counter(s.user_id for s in await store.list_staff_sessions())
        tokens = Counter(t.user_id for t in await store.list_api_tokens() if not t.revoked)
        return [Account(u, sessions[u.id], tokens[u.id]) for u in users]

    async def account(self, user: StaffUser) -> Account:
        """One user with their live sessions and unrevoked tokens counted."""
        sessions = await self._store.list_staff_sessions(user.id)
        tokens = [t for t in await self._store.list_api_tokens(user.id) if not t.revoked]
        return Account(user, len(sessions), len(tokens))

    async def get(self, user_id: int) -> StaffUser:
        user = await self._store.get_user(user_id)
        if user is None:
            raise NotFoundError(f"no user with the id {user_id}")
        return user

    async def find(self, email: str) -> StaffUser:
        user = await self._store.get_user_by_email(email.strip())
        if user is None:
            raise NotFoundError(f"no user with the e-mail {email.strip()}")
        return user

    async def tokens(self, user: StaffUser | None = None) -> list[TokenEntry]:
        """API tokens (of one user, or everyone's) by id, revoked ones included."""
        emails = {u.id: u.email for u in await self._store.list_users(include_inactive=True)}
        found = await self._store.list_api_tokens(None if user is None else user.id)
        return [TokenEntry.of(t, emails.get(t.user_id, "?")) for t in found]

    # -- changing ----------------------------------------------------------------------

    async def update(self, user: StaffUser, *, actor: str, active: bool | None = None,
                     role: StaffRole | None = None, areas: Iterable[str] | None = None
                     ) -> StaffUser:
        """Change any of active, role and areas in one audited step."""
        area_list = None if areas is None else await self.check_areas(areas)
        return await self._store.update_user(user.id, actor=actor, active=active,
                                             role=None if role is None else StaffRole(role),
                                             areas=area_list)

    async def check_areas(self, areas: Iterable[str]) -> list[str]:
        """Return the codes sorted and deduplicated; refuse any not active in the area table."""
        if isinstance(areas, str):
            raise TypeError("areas must be a collection of area codes, not one string")
        wanted = sorted({a.strip() for a in areas if a.strip()})
        active = {a.code for a in await self._store.list_areas()}
        unknown = [a for a in wanted if a not in active]
        if unknown:
            raise AccountError("not an active service area: " + ", ".join(unknown)
                               + " (see 'civicvoice areas list')")
        return wanted

    async def reset_password(self, user: StaffUser, *, actor: str) -> tuple[str, int]:
        """Give ``user`` a new random password, ending their sessions.

        Return the password (to show once) and how many sessions ended.
        """
        password = new_password()
        hashed = await asyncio.to_thread(hash_password, password)
        ended = await self._store.set_user_password(user.id, hashed, actor=actor)
        return password, ended

    async def change_password(self, user: StaffUser, current: str, new: str) -> None:
        """Let ``user`` replace their own password, ending all their sessions.

        The current password must be right (``WrongPassword`` if not), and the new one
        acceptable and different (``AccountError``).
        """
        if not await asyncio.to_thread(verify_password, user.password_hash, current):
            raise WrongPassword("the current password is not right")
        check_new_password(new, user)
        if new == current:
            raise AccountError("the new password is the same as the current one")
        hashed = await asyncio.to_thread(hash_password, new)
        await self._store.set_user_password(user.id, hashed, actor=f"staff:{user.email}")

    async def revoke_token(self, token_id: int, *, actor: str) -> tuple[TokenEntry, bool]:
        """Revoke a token; return it and whether this call revoked it (False: it was)."""
        changed = await self._store.revoke_token(token_id, actor=actor)
        token = await self._store.get_api_token(token_id)
        if token is None:
            raise NotFoundError(f"no API token with the id {token_id}")
        owner = await self._store.get_user(token.user_id)
        return TokenEntry.of(token, owner.email if owner else "?"), changed
