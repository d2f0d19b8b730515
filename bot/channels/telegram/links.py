"""Staff-group links and staff identities.

* One-time link codes and the areas each linked group receives are store rows
  (``create_link_code``, ``redeem_link_code``): only a code's hash is kept, and redeeming
  marks it used and links the group in one transaction, so a code links one group once
  even when two ``/link`` calls race. Group ids are group chats', never a citizen's.
* ``telegram:staff:<pseudonym of the Telegram user id>`` (store meta) ->
  ``{"user": id, "token": id}``, set by ``/iam EMAIL TOKEN``; it counts only while that
  user is active and that token unrevoked.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from bot.security import hash_token, pseudonymise
from bot.storage import FeedbackStore, StaffUser

CODE_TTL = timedelta(hours=24)
MAX_CODE_CHARS = 100
"""Longer is not a code we issued; refused before hashing."""


async def create_code(store: FeedbackStore, areas: Iterable[str],
                      ttl: timedelta = CODE_TTL, *, actor: str = "system") -> str:
    """Store a new one-time code for ``areas`` and return it (shown once)."""
    codes = sorted({a.strip() for a in areas if a.strip()})
    if not codes:
        raise ValueError("at least one area is needed")
    code = secrets.token_urlsafe(12)
    await store.create_link_code(hash_token(code), codes, datetime.now(UTC) + ttl,
                                 actor=actor)
    return code


class StaffLinks:
    """Which groups get which areas, and which Telegram users are which staff accounts."""

    def __init__(self, store: FeedbackStore, secret_key: str) -> None:
        self._store = store
        self._secret = secret_key

    async def redeem(self, code: str, chat_id: int) -> list[str] | None:
        """Link group ``chat_id`` to the code's areas (added to any it had); None if invalid.

        A code works once: of two concurrent calls with it, exactly one links its group.
        """
        code = code.strip()
        if not code or len(code) > MAX_CODE_CHARS:
            return None
        return await self._store.redeem_link_code(hash_token(code), chat_id,
                                                  actor=f"telegram:group:{chat_id}")

    async def group_areas(self, chat_id: int) -> list[str]:
        return await self._store.telegram_group_areas(chat_id)

    async def groups_for(self, area: str) -> list[int]:
        """Return the linked groups that receive ``area`` ("*" in a link means every area)."""
        groups = await self._store.list_telegram_groups()
        return [chat_id for chat_id, areas in groups.items() if area in areas or "*" in areas]

    def _user_key(self, telegram_user_id: int) -> str:
        pseudonym = pseudonymise(self._secret, "telegram-staff", str(telegram_user_id))
        return f"telegram:staff:{pseudonym}"

    async def link_user(self, telegram_user_id: int, email: str, token: str) -> StaffUser | None:
        """Link a Telegram user to the staff account owning ``token`` if ``email`` matches.

        The link remembers the token: revoking it (or deactivating the user) ends the link.
        """
        hashed = hash_token(token.strip())
        user = await self._store.get_user_by_token_hash(hashed)
        if user is None or not user.active or user.email.casefold() != email.strip().casefold():
            return None
        used = [t.id for t in await self._store.list_api_tokens(user.id)
                if t.token_hash == hashed]
        link = {"user": user.id, "token": used[0] if used else None}
        await self._store.set_meta(self._user_key(telegram_user_id), json.dumps(link))
        return user

    async def staff_user(self, telegram_user_id: int) -> StaffUser | None:
        """Return the active staff account linked to this Telegram user, if any.

        None once the user is deactivated or the token they linked with is revoked.
        """
        raw = await self._store.get_meta(self._user_key(telegram_user_id))
        if not raw:
            return None
        link = json.loads(raw)
        if isinstance(link, int):  # linked before links named their token
            link = {"user": link, "token": None}
        if link.get("token") is not None:
            token = await self._store.get_api_token(int(link["token"]))
            if token is None or token.revoked:
                return None
        user = await self._store.get_user(int(link["user"]))
        return user if user is not None and user.active else None
