"""Sign-in and sign-out at ``/staff/login`` and ``/staff/logout``."""

from __future__ import annotations

import asyncio
import logging
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from bot.web.dashboard.common import redirect, render
from bot.web.dashboard.session import (
    check_csrf,
    clear_failures,
    load_session,
    locked_until,
    record_failure,
    services,
    utcnow,
)

logger = logging.getLogger(__name__)
router = APIRouter()
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password of anyone")
BAD_LOGIN = "E-mail or password not recognised."


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


@router.get("/staff/login", response_class=HTMLResponse)
async def login_page(request: Request) -> HTMLResponse:
    """Show the sign-in form."""
    return render(request, load_session(request), "login.html", {"email": ""})


@router.post("/staff/login", response_model=None)
async def login(request: Request) -> HTMLResponse | RedirectResponse:
    """Check e-mail and password (argon2), with lock-out after repeated failures."""
    session = load_session(request)
    form = await request.form()
    check_csrf(session, form)
    email = str(form.get("email", "")).strip()[:254]
    password = str(form.get("password", ""))[:1024]
    store = services(request).store
    now = utcnow()
    if not email or await locked_until(store, email, now) is not None:
        error = ("Too many failed attempts: try again in 15 minutes." if email
                 else BAD_LOGIN)
        return render(request, session, "login.html", {"email": email, "error": error}, 429
                      if email else 400)
    user = await store.get_user_by_email(email)
    stored = user.password_hash if user is not None and user.active else None
    if not await asyncio.to_thread(_verify, stored, password) or user is None:
        locked = await record_failure(store, email, now)
        logger.info("failed dashboard sign-in%s", " (now locked out)" if locked else "")
        error = "Too many failed attempts: try again in 15 minutes." if locked else BAD_LOGIN
        return render(request, session, "login.html", {"email": email, "error": error}, 401)
    await clear_failures(store, email)
    session.user_id = user.id
    session.csrf = secrets.token_urlsafe(32)  # a new token for the new identity
    session.flash(f"Signed in as {user.email}.")
    return redirect(request, session, "/staff")


@router.post("/staff/logout")
async def logout(request: Request) -> RedirectResponse:
    """Sign out (the form carries the CSRF token)."""
    session = load_session(request)
    check_csrf(session, await request.form())
    session.user_id = None
    session.flash("Signed out.")
    return redirect(request, session, "/staff/login")
