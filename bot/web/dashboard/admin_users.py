"""The admins' *Users* page: accounts, their role and areas, passwords and API tokens.

Every change goes through ``bot.staff_accounts.StaffAccounts`` (audited with the admin as
actor). Deactivating ends the user's sessions and revokes their tokens at once; the last
active admin cannot be deactivated or demoted. A reset password is shown once, on a page
that is not cached, never in a flash message (those travel in the cookie).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from bot.staff_accounts import AccountError, StaffAccounts
from bot.storage import ConflictError, NotFoundError, StaffRole, StaffUser
from bot.web.dashboard.common import actor, area_names, redirect, render, require_admin
from bot.web.dashboard.session import Session, check_csrf, load_session, services

router = APIRouter()
PAGE = "/staff/admin/users"
_REFUSED = (AccountError, ConflictError, NotFoundError)


def _accounts(request: Request) -> StaffAccounts:
    return StaffAccounts(services(request).store)


@router.get(PAGE, response_class=HTMLResponse)
async def users_page(request: Request) -> HTMLResponse:
    """Every account with its role, areas, sessions and tokens, and the forms to change them."""
    session = load_session(request)
    user = await require_admin(request, session)
    accounts = _accounts(request)
    store = services(request).store
    return render(request, session, "admin_users.html", {
        "user": user, "accounts": await accounts.accounts(),
        "tokens": await accounts.tokens(), "roles": [r.value for r in StaffRole],
        "areas": await store.list_areas(), "area_labels": await area_names(store),
    })  # fmt: skip


async def _change(request: Request, user_id: int) -> tuple[Session, StaffUser, StaffUser,
                                                            dict[str, list[str]]]:
    """CSRF, the admin, the user changed and the form (every value of each field)."""
    session = load_session(request)
    form = await request.form()
    check_csrf(session, form)
    admin = await require_admin(request, session)
    values: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            values.setdefault(key, []).append(value.strip()[:100])
    return session, admin, await _accounts(request).get(user_id), values


def _one(form: dict[str, list[str]], key: str) -> str:
    return (form.get(key) or [""])[0]


def _back(request: Request, session: Session) -> RedirectResponse:
    return redirect(request, session, PAGE)


@router.post(PAGE + "/{user_id}/active")
async def set_active(request: Request, user_id: int) -> RedirectResponse:
    """Deactivate (sessions and tokens end at once) or reactivate an account."""
    session, admin, target, form = await _change(request, user_id)
    active = _one(form, "active") == "yes"
    if not active and _one(form, "confirm") != "yes":
        session.flash(f"Not deactivated: tick the box to confirm {target.email}.")
        return _back(request, session)
    try:
        held = await _accounts(request).account(target)
        await _accounts(request).update(target, actor=actor(admin), active=active)
    except _REFUSED as exc:
        session.flash(f"Not changed: {exc}")
    else:
        session.flash(f"{target.email} reactivated; their old API tokens stay revoked."
                      if active else
                      f"{target.email} deactivated: {held.sessions} session(s) ended, "
                      f"{held.tokens} API token(s) revoked.")
    return _back(request, session)


@router.post(PAGE + "/{user_id}/role")
async def set_role(request: Request, user_id: int) -> RedirectResponse:
    """Make an account staff or admin."""
    session, admin, target, form = await _change(request, user_id)
    try:
        changed = await _accounts(request).update(target, actor=actor(admin),
                                                  role=StaffRole(_one(form, "role")))
    except (*_REFUSED, ValueError) as exc:
        session.flash(f"Not changed: {exc}")
    else:
        session.flash(f"{changed.email} is now {changed.role}.")
        if changed.id == admin.id and changed.role is not StaffRole.ADMIN:
            return redirect(request, session, "/staff")  # the Users page is not theirs now
    return _back(request, session)


@router.post(PAGE + "/{user_id}/areas")
async def set_areas(request: Request, user_id: int) -> RedirectResponse:
    """Replace the service areas an account works on (active areas only)."""
    session, admin, target, form = await _change(request, user_id)
    try:
        changed = await _accounts(request).update(target, actor=actor(admin),
                                                  areas=form.get("area", []))
    except _REFUSED as exc:
        session.flash(f"Not changed: {exc}")
    else:
        session.flash(f"{changed.email} now works on {', '.join(changed.areas) or 'no areas'}.")
    return _back(request, session)


@router.post(PAGE + "/{user_id}/reset-password", response_model=None)
async def reset_password(request: Request, user_id: int) -> HTMLResponse | RedirectResponse:
    """Give an account a new one-time password (ending its sessions) and show it once."""
    session, admin, target, form = await _change(request, user_id)
    if _one(form, "confirm") != "yes":
        session.flash(f"Not reset: tick the box to confirm {target.email}.")
        return _back(request, session)
    password, ended = await _accounts(request).reset_password(target, actor=actor(admin))
    response = render(request, session, "password_reset.html", {
        "user": admin, "target": target, "password": password, "ended": ended})
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/staff/admin/tokens/{token_id}/revoke")
async def revoke_token(request: Request, token_id: int) -> RedirectResponse:
    """Revoke an API token by its id: it stops working at once."""
    session = load_session(request)
    check_csrf(session, await request.form())
    admin = await require_admin(request, session)
    try:
        token, changed = await _accounts(request).revoke_token(token_id, actor=actor(admin))
    except NotFoundError as exc:
        session.flash(f"Not revoked: {exc}")
    else:
        session.flash(f"Token {token.id} of {token.email} "
                      f"{'revoked' if changed else 'was already revoked'}.")
    return _back(request, session)
