"""Staff accounts with API tokens, as the API tests need them."""

from __future__ import annotations

from bot.security import hash_token, new_token
from bot.storage import FeedbackStore, StaffRole

ACCOUNTS = (("admin", StaffRole.ADMIN, ()), ("roads", StaffRole.STAFF, ("roads",)),
            ("waste", StaffRole.STAFF, ("waste",)))


async def staff_tokens(store: FeedbackStore) -> dict[str, str]:
    """Create an admin, a roads and a waste account (``NAME@city.example``) with one API
    token each; return the tokens by name."""
    tokens = {}
    for who, role, areas in ACCOUNTS:
        user = await store.create_user(f"{who}@city.example", role, areas)
        tokens[who] = new_token()
        await store.create_api_token(user.id, hash_token(tokens[who]))
    return tokens
