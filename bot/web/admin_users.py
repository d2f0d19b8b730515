"""The admin JSON API for staff accounts and API tokens, under ``/api/v1/admin``.

The same operations as ``civicvoice users ...``/``tokens ...`` and the dashboard's *Users*
page, through ``bot.staff_accounts.StaffAccounts``, audited with the calling admin as actor
(``staff:EMAIL``). Deactivation ends the user's sessions and revokes their tokens at once;
the last active admin cannot be deactivated or demoted (409). Tokens are listed by id and
never shown again; a password reset answers the new one-time password once, uncached.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.staff_accounts import Account, StaffAccounts, TokenEntry
from bot.storage import ConflictError, StaffRole, StaffUser
from bot.web.api_errors import errors
from bot.web.auth import AdminUser, ServicesDep

router = APIRouter(prefix="/admin", tags=["admin"])

UserId = Annotated[int, Path(ge=1, le=2**62, description="A user's id (see GET /admin/users)")]
TokenId = Annotated[int, Path(ge=1, le=2**62, description="A token's id, never the token")]
AreaCode = Annotated[str, Field(min_length=1, max_length=40, examples=["roads"])]


def _actor(user: StaffUser) -> str:
    return f"staff:{user.email}"


class UserOut(BaseModel):
    """A staff account; ``areas`` limits what ``staff`` see (admins see every area)."""

    id: int
    email: str
    role: StaffRole
    areas: list[str]
    active: bool
    sessions: int = Field(description="Live dashboard sessions")
    tokens: int = Field(description="Unrevoked API tokens")
    created_at: datetime
    updated_at: datetime


class UserChange(BaseModel):
    """What to change; at least one field. Areas must be active service areas."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    active: bool | None = Field(None, strict=True,  # 0 and "no" are not booleans here
                                description="false ends sessions and revokes tokens")
    role: StaffRole | None = None
    areas: list[AreaCode] | None = Field(None, max_length=100,
                                         description="Replaces the user's areas")

    @model_validator(mode="after")
    def _not_empty(self) -> UserChange:
        if not self.model_dump(exclude_none=True):
            raise ValueError("give at least one of active, role, areas")
        return self


class PasswordReset(BaseModel):
    """The new one-time password, shown this once; the user's sessions have ended."""

    id: int
    email: str
    password: str = Field(description="Give it to the user; they should change it at once")
    sessions_ended: int


class TokenOut(BaseModel):
    """An API token by id: the token itself is shown only once, when created."""

    id: int
    user_id: int
    email: str
    label: str
    created_at: datetime
    revoked_at: datetime | None
    active: bool


def _user(account: Account) -> UserOut:
    u = account.user
    return UserOut(id=u.id, email=u.email, role=u.role, areas=list(u.areas), active=u.active,
                   sessions=account.sessions, tokens=account.tokens, created_at=u.created_at,
                   updated_at=u.updated_at)


def _token(token: TokenEntry) -> TokenOut:
    return TokenOut(id=token.id, user_id=token.user_id, email=token.email, label=token.label,
                    created_at=token.created_at, revoked_at=token.revoked_at,
                    active=not token.revoked)


@router.get("/users", response_model=list[UserOut], responses=errors(401, 403))
async def list_users(admin: AdminUser, services: ServicesDep) -> list[UserOut]:
    """Every account, deactivated ones included, by e-mail."""
    return [_user(a) for a in await StaffAccounts(services.store).accounts()]


@router.get("/users/{user_id}", response_model=UserOut,
            responses=errors(401, 403, 404, 422, e404="No such user"))
async def get_user(user_id: UserId, admin: AdminUser, services: ServicesDep) -> UserOut:
    """One account with its live sessions and unrevoked tokens counted."""
    accounts = StaffAccounts(services.store)
    return _user(await accounts.account(await accounts.get(user_id)))


@router.patch("/users/{user_id}", response_model=UserOut,
              responses=errors(400, 401, 403, 404, 409, 422, e400=(
                  "Invalid JSON, or an area that is not an active service area"),
                  e404="No such user", e409="It would leave no active admin"))
async def update_user(user_id: UserId, body: UserChange, admin: AdminUser,
                      services: ServicesDep) -> UserOut:
    """Deactivate or reactivate an account, or change its role or areas (audited)."""
    accounts = StaffAccounts(services.store)
    user = await accounts.get(user_id)
    try:
        changed = await accounts.update(user, actor=_actor(admin), active=body.active,
                                        role=body.role, areas=body.areas)
    except ConflictError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    return _user(await accounts.account(changed))


@router.post("/users/{user_id}/reset-password", response_model=PasswordReset,
             responses=errors(401, 403, 404, 422, e404="No such user"))
async def reset_password(user_id: UserId, admin: AdminUser, services: ServicesDep,
                         response: Response) -> PasswordReset:
    """Give the user a new one-time password and end their dashboard sessions."""
    accounts = StaffAccounts(services.store)
    user = await accounts.get(user_id)
    password, ended = await accounts.reset_password(user, actor=_actor(admin))
    response.headers["Cache-Control"] = "no-store"
    return PasswordReset(id=user.id, email=user.email, password=password,
                         sessions_ended=ended)


@router.get("/tokens", response_model=list[TokenOut],
            responses=errors(401, 403, 404, 422, e404="No such user"))
async def list_tokens(admin: AdminUser, services: ServicesDep,
                      user_id: Annotated[int | None, Query(
                          ge=1, le=2**62, description="Only this user's tokens")] = None,
                      ) -> list[TokenOut]:
    """API tokens by id, revoked ones included (never the token or its hash)."""
    accounts = StaffAccounts(services.store)
    owner = None if user_id is None else await accounts.get(user_id)
    return [_token(t) for t in await accounts.tokens(owner)]


@router.post("/tokens/{token_id}/revoke", response_model=TokenOut,
             responses=errors(401, 403, 404, 422, e404="No such token"))
async def revoke_token(token_id: TokenId, admin: AdminUser, services: ServicesDep
                       ) -> TokenOut:
    """Revoke a token: it stops working at once (revoking it again changes nothing)."""
    token, _ = await StaffAccounts(services.store).revoke_token(token_id, actor=_actor(admin))
    return _token(token)
