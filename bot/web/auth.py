"""Bearer-token authentication for the staff API.

A token is looked up only by its SHA-256 hash, so the comparison happens between digests of
equal length inside the database index and never on the token itself; tokens are never
logged or echoed back.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bot.security import hash_token
from bot.services import Services
from bot.storage import StaffRole, StaffUser

logger = logging.getLogger(__name__)

MAX_TOKEN_CHARS = 512
"""Anything longer is not a token we issued; refuse it before hashing."""

_bearer = HTTPBearer(
    auto_error=False,
    description="An API token from `civicvoice tokens create EMAIL`.",
)


def services(request: Request) -> Services:
    """Return the running service's parts (``app.state.services``)."""
    found: Services = request.app.state.services
    return found


def _unauthorized(reason: str, error: str | None = None) -> HTTPException:
    challenge = 'Bearer realm="civicvoice"'
    if error:
        challenge += f', error="{error}"'
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=reason, headers={"WWW-Authenticate": challenge}
    )


async def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> StaffUser:
    """Return the active staff user owning the request's bearer token, or answer 401."""
    if credentials is None:
        raise _unauthorized("missing bearer token: send 'Authorization: Bearer TOKEN'")
    token = credentials.credentials.strip()
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise _unauthorized("invalid or revoked token", "invalid_token")
    user = await services(request).store.get_user_by_token_hash(hash_token(token))
    if user is None:
        logger.info("rejected an API request with an unknown or revoked token")
        raise _unauthorized("invalid or revoked token", "invalid_token")
    return user


async def require_admin(user: Annotated[StaffUser, Depends(current_user)]) -> StaffUser:
    """Return the caller if they are an admin, or answer 403."""
    if user.role is not StaffRole.ADMIN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="this needs an admin account")
    return user


CurrentUser = Annotated[StaffUser, Depends(current_user)]
AdminUser = Annotated[StaffUser, Depends(require_admin)]
ServicesDep = Annotated[Services, Depends(services)]
