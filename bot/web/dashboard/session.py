"""Dashboard sessions: a signed cookie, a per-session CSRF token, flash messages, lock-out.

The cookie holds only the user id, the CSRF token and pending flash messages, signed with
``SECRET_KEY`` (itsdangerous), HttpOnly, SameSite=Lax and Secure when the public address is
https. Failed sign-ins are counted per e-mail in store meta, so a restart does not reset them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import HTTPException, Request, Response, status
from itsdangerous import BadSignature, URLSafeTimedSerializer

from bot.services import Services
from bot.storage import FeedbackStore, StaffUser

COOKIE = "cv_staff"
SESSION_SECONDS = 12 * 3600
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)


@dataclass
class Session:
    """What the signed cookie carries."""

    user_id: int | None = None
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    flashes: list[str] = field(default_factory=list)

    def flash(self, message: str) -> None:
        self.flashes.append(message[:300])

    def take_flashes(self) -> list[str]:
        taken, self.flashes = self.flashes, []
        return taken


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(services(request).settings.secret, salt="cv-dashboard")


def load_session(request: Request) -> Session:
    """Return the request's session, or a fresh anonymous one."""
    raw = request.cookies.get(COOKIE)
    if raw:
        try:
            data = _serializer(request).loads(raw, max_age=SESSION_SECONDS)
        except BadSignature:
            data = None
        if isinstance(data, dict) and isinstance(data.get("csrf"), str):
            user_id = data.get("uid")
            return Session(user_id if isinstance(user_id, int) else None, data["csrf"],
                           [str(f) for f in data.get("flash", [])][:10])
    return Session()


def save_session(request: Request, response: Response, session: Session) -> None:
    """Write the session cookie onto ``response``."""
    value = _serializer(request).dumps(
        {"uid": session.user_id, "csrf": session.csrf, "flash": session.flashes})
    secure = services(request).settings.public_base_url.startswith("https://")
    response.set_cookie(COOKIE, value, max_age=SESSION_SECONDS, httponly=True,
                        samesite="lax", secure=secure, path="/")


def check_csrf(session: Session, form: Any) -> None:
    """Answer 403 unless the form's ``csrf_token`` matches the session's."""
    sent = form.get("csrf_token")
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(),
                                                             session.csrf.encode()):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or invalid CSRF token")


async def require_user(request: Request, session: Session) -> StaffUser:
    """Return the signed-in active user, or redirect (303) to the sign-in page."""
    user = None
    if session.user_id is not None:
        user = await services(request).store.get_user(session.user_id)
    if user is None or not user.active:
        raise HTTPException(status.HTTP_303_SEE_OTHER, "sign in first",
                            headers={"Location": "/staff/login"})
    return user


# -- lock-out -------------------------------------------------------------------------


def _key(email: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"dashboard:login-failures:{digest}"


async def locked_until(store: FeedbackStore, email: str, now: datetime) -> datetime | None:
    """Return when the e-mail's lock-out ends, or None if it may try to sign in."""
    state = await _read(store, email)
    until = state.get("locked_until")
    if isinstance(until, str):
        moment = datetime.fromisoformat(until)
        if moment > now:
            return moment
    return None


async def record_failure(store: FeedbackStore, email: str, now: datetime) -> bool:
    """Count a failed sign-in; return True if the e-mail is now locked out."""
    state = await _read(store, email)
    count = int(state.get("count", 0)) + 1
    if isinstance(state.get("locked_until"), str):
        count = 1  # a new series after an expired lock-out
    new: dict[str, Any] = {"count": count}
    if count >= MAX_FAILURES:
        new = {"count": count, "locked_until": (now + LOCKOUT).isoformat()}
    await store.set_meta(_key(email), json.dumps(new))
    return "locked_until" in new


async def clear_failures(store: FeedbackStore, email: str) -> None:
    await store.set_meta(_key(email), json.dumps({"count": 0}))


async def _read(store: FeedbackStore, email: str) -> dict[str, Any]:
    raw = await store.get_meta(_key(email))
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}


def utcnow() -> datetime:
    return datetime.now(UTC)
