"""Staff-group links and staff identities, kept in the store's meta table as JSON.

* ``telegram:code:<sha256>`` -> ``{"areas": [...], "expires": ISO}``: a one-time link code
  (only its hash is kept; emptied once used).
* ``telegram:group:<chat id>`` -> ``{"areas": [...]}`` and ``telegram:groups`` -> the list
  of linked group chat ids (group ids, never a citizen's).
* ``telegram:staff:<pseudonym of the Telegram user id>`` -> the staff user id, set by
  ``/iam EMAIL TOKEN``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from bot.security import hash_token, pseudonymise
from bot.storage import FeedbackStore, StaffUser

CODE_TTL = timedelta(hours=24)
_GROUPS = "telegram:groups"


def _code_key(code: str) -> str:
    return f"telegram:code:{hash_token(code.strip())}"


def _group_key(chat_id: int) -> str:
    return f"telegram:group:{chat_id}"


async def create_code(store: FeedbackStore, areas: Iterable[str],
                      ttl: timedelta = CODE_TTL) -> str:
    """Store a new one-time code for ``areas`` and return it (shown once)."""
    codes = sorted({a.strip() for a in areas if a.strip()})
    if not codes:
        raise ValueError("at least one area is needed")
    code = secrets.token_urlsafe(12)
    expires = (datetime.now(UTC) + ttl).isoformat()
    await store.set_meta(_code_key(code), json.dumps({"areas": codes, "expires": expires}))
    return code


class StaffLinks:
    """Which groups get which areas, and which Telegram users are which staff accounts."""

    def __init__(self, store: FeedbackStore, secret_key: str) -> None:
        self._store = store
        self._secret = secret_key

    async def redeem(self, code: str, chat_id: int) -> list[str] | None:
        """Link group ``chat_id`` to the code's areas (added to any it had); None if invalid."""
        key = _code_key(code)
        raw = await self._store.get_meta(key)
        if not raw:
            return None
        data = json.loads(raw)
        if datetime.fromisoformat(data["expires"]) < datetime.now(UTC):
            return None
        await self._store.set_meta(key, "")  # one time only
        areas = sorted(set(await self.group_areas(chat_id)) | set(data["areas"]))
        await self._store.set_meta(_group_key(chat_id), json.dumps({"areas": areas}))
        groups = set(await self._groups())
        groups.add(chat_id)
        await self._store.set_meta(_GROUPS, json.dumps(sorted(groups)))
        return areas

    async def group_areas(self, chat_id: int) -> list[str]:
        raw = await self._store.get_meta(_group_key(chat_id))
        return list(json.loads(raw)["areas"]) if raw else []

    async def groups_for(self, area: str) -> list[int]:
        """Return the linked groups that receive ``area`` ("*" in a link means every area)."""
        found = []
        for chat_id in await self._groups():
            areas = await self.group_areas(chat_id)
            if area in areas or "*" in areas:
                found.append(chat_id)
        return found

    async def _groups(self) -> list[int]:
        raw = await self._store.get_meta(_GROUPS)
        return [int(c) for c in json.loads(raw)] if raw else []

    def _user_key(self, telegram_user_id: int) -> str:
        pseudonym = pseudonymise(self._secret, "telegram-staff", str(telegram_user_id))
        return f"telegram:staff:{pseudonym}"

    async def link_user(self, telegram_user_id: int, email: str, token: str) -> StaffUser | None:
        """Link a Telegram user to the staff account owning ``token`` if ``email`` matches."""
        user = await self._store.get_user_by_token_hash(hash_token(token.strip()))
        if user is None or not user.active or user.email.casefold() != email.strip().casefold():
            return None
        await self._store.set_meta(self._user_key(telegram_user_id), str(user.id))
        return user

    async def staff_user(self, telegram_user_id: int) -> StaffUser | None:
        """Return the active staff account linked to this Telegram user, if any."""
        raw = await self._store.get_meta(self._user_key(telegram_user_id))
        if not raw:
            return None
        user = await self._store.get_user(int(raw))
        return user if user is not None and user.active else None
