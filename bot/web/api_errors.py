"""OpenAPI declarations of the JSON error bodies ``bot.web.errors`` answers with.

Every 4xx from the API is ``{"detail": "one short reason"}`` (FastAPI's own 422 list is
replaced by that shape), so routes declare ``responses=errors(401, 403, 404)`` with
``ErrorOut`` instead of the framework's default validation-error schema.
"""

from __future__ import annotations

from typing import Any

from bot.web.errors import ErrorOut

__all__ = ["DESCRIPTIONS", "ErrorOut", "errors"]

DESCRIPTIONS: dict[int, str] = {
    400: "Invalid JSON or an invalid value",
    401: "Missing, invalid or revoked bearer token",
    403: "The token's user is not an admin",
    404: "No such resource",
    409: "The change conflicts with the current state",
    422: "A path, query or body field is missing or invalid",
}


def errors(*codes: int, **described: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for ``codes``; ``described`` overrides a description (``e404=...``)."""
    found: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        text = described.get(f"e{code}", DESCRIPTIONS[code])
        found[code] = {"model": ErrorOut, "description": text}
    return found
