"""Sign-in, sign-out and changing one's own password, under ``/staff``.

Sign-in and the password page check passwords through the same backoff
(``bot.web.dashboard.throttle``): per client address and per account, never a lock-out.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from bot.staff_accounts import (
    MIN_PASSWORD_CHARS,
    AccountError,
    StaffAccounts,
    WrongPassword,
    verify_password,
)
from bot.web.dashboard.common import redirect, render
from bot.web.dashboard.session import (
    Session,
    check_csrf,
    end_session,
    load_session,
    require_user,
    secure_cookies,
    services,
    start_session,
)
from bot.web.dashboard.throttle import SigninThrottle

router = APIRouter()
BAD_LOGIN = "E-mail or password not recognised."
OWN_ACCOUNT_PAGE = "/staff/account/password"


def _throttle(request: Request) -> SigninThrottle:
    found = services(request)
    return SigninThrottle(found.store, found.settings.secret)


def _too_many(seconds: int) -> str:
    return (f"Too many failed attempts: try again in {seconds} second"
            f"{'' if seconds == 1 else 's'}.")


def _wait_page(request: Request, session: Session, name: str, context: dict[str, Any],
               seconds: int) -> HTMLResponse:
    response = render(request, session, name, context | {"error": _too_many(seconds)}, 429)
    response.headers["Retry-After"] = str(seconds)
    return response


@router.get("/staff/login", response_class=HTMLResponse)
async def login_page(request: Request) -> HTMLResponse:
    """Show the sign-in form."""
    return render(request, load_session(request), "login.html", {"email": ""})


@router.post("/staff/login", response_model=None)
async def login(request: Request) -> HTMLResponse | RedirectResponse:
    """Check e-mail and password (argon2), with backoff after repeated failures."""
    session = load_session(request)
    form = await request.form()
    check_csrf(session, form)
    email = str(form.get("email", "")).strip()[:254]
    password = str(form.get("password", ""))[:1024]
    if not email:
        return render(request, session, "login.html", {"email": "", "error": BAD_LOGIN}, 400)
    throttle = _throttle(request)
    attempt = throttle.attempt(request, email)
    page = {"email": email}
    if wait := await throttle.wait(attempt):
        return _wait_page(request, session, "login.html", page, wait)
    store = services(request).store
    user = await store.get_user_by_email(email)
    stored = user.password_hash if user is not None and user.active else None
    if not await asyncio.to_thread(verify_password, stored, password) or user is None:
        wait = await throttle.failed(attempt)
        error = BAD_LOGIN + (" " + _too_many(wait) if wait else "")
        return render(request, session, "login.html", page | {"error": error}, 401)
    await throttle.succeeded(attempt)
    await start_session(request, session, user)
    session.flash(f"Signed in as {user.email}.")
    response = redirect(request, session, "/staff")
    throttle.remember_device(request, response, attempt, secure=secure_cookies(request))
    return response


@router.post("/staff/logout")
async def logout(request: Request) -> RedirectResponse:
    """Sign out: this browser's session ends on the server (the form carries the CSRF)."""
    session = load_session(request)
    check_csrf(session, await request.form())
    await end_session(request, session)
    session.flash("Signed out.")
    return redirect(request, session, "/staff/login")


@router.get(OWN_ACCOUNT_PAGE, response_class=HTMLResponse)
async def password_page(request: Request) -> HTMLResponse:
    """Show the form to change one's own password."""
    session = load_session(request)
    user = await require_user(request, session)
    return render(request, session, "password.html",
                  {"user": user, "min_chars": MIN_PASSWORD_CHARS})


@router.post(OWN_ACCOUNT_PAGE, response_model=None)
async def change_password(request: Request) -> HTMLResponse | RedirectResponse:
    """Change one's own password: every session ends, this browser gets a new one."""
    session = load_session(request)
    form = await request.form()
    check_csrf(session, form)
    user = await require_user(request, session)
    current = str(form.get("current", ""))[:1024]
    new, again = str(form.get("new", ""))[:2048], str(form.get("again", ""))[:2048]
    page = {"user": user, "min_chars": MIN_PASSWORD_CHARS}
    throttle = _throttle(request)
    attempt = throttle.attempt(request, user.email)
    if wait := await throttle.wait(attempt):
        return _wait_page(request, session, "password.html", page, wait)
    if new != again:
        return render(request, session, "password.html",
                      page | {"error": "The two new passwords differ."}, 400)
    try:
        await StaffAccounts(services(request).store).change_password(user, current, new)
    except WrongPassword:
        wait = await throttle.failed(attempt)
        error = "The current password is not right." + (" " + _too_many(wait) if wait else "")
        return render(request, session, "password.html", page | {"error": error}, 401)
    except AccountError as exc:
        return render(request, session, "password.html",
                      page | {"error": f"Not changed: {exc}."}, 400)
    await throttle.succeeded(attempt)
    await start_session(request, session, user)
    session.flash("Password changed. You stay signed in here; every other session of yours "
                  "was signed out.")
    return redirect(request, session, "/staff")
