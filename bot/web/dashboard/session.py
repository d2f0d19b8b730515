"""Dashboard sessions: server-side and revocable, with a CSRF token and flash messages.

The cookie (signed with ``SECRET_KEY`` by itsdangerous; HttpOnly, SameSite=Lax, Secure
when the public address is https) carries a random session id, the CSRF token and pending
flash messages. The store keeps only the id's SHA-256 with the user, created, last seen
and expiry (12 h after sign-in), and every request checks that row: signing out ends it,
and a password change or deactivation ends every session of that user at once, so a copy
of the cookie is worth nothing afterwards. Sign-in always starts a new session id and a
new CSRF token.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import HTTPException, Request, Response, status
from itsdangerous import BadSignature, URLSafeTimedSerializer

from bot.security import hash_token
from bot.services import Services
from bot.storage import StaffUser
from bot.storage.access_records import StaffSession

COOKIE = "cv_staff"
SESSION_SECONDS = 12 * 3600
MAX_SID_CHARS = 100


@dataclass
class Session:
    """What the signed cookie carries, and the server-side session it names once checked."""

    sid: str | None = field(default=None, repr=False)
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    flashes: list[str] = field(default_factory=list)
    record: StaffSession | None = None

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


def secure_cookies(request: Request) -> bool:
    return services(request).settings.public_base_url.startswith("https://")


def load_session(request: Request) -> Session:
    """Return the request's session as its cookie says (not yet checked), or a fresh one."""
    raw = request.cookies.get(COOKIE)
    if raw:
        try:
            data = _serializer(request).loads(raw, max_age=SESSION_SECONDS)
        except BadSignature:
            data = None
        if isinstance(data, dict) and isinstance(data.get("csrf"), str):
            sid = data.get("sid")
            valid = isinstance(sid, str) and 0 < len(sid) <= MAX_SID_CHARS
            return Session(sid if valid else None, data["csrf"],
                           [str(f) for f in data.get("flash", [])][:10])
    return Session()


def save_session(request: Request, response: Response, session: Session) -> None:
    """Write the session cookie onto ``response``."""
    value = _serializer(request).dumps(
        {"sid": session.sid, "csrf": session.csrf, "flash": session.flashes})
    response.set_cookie(COOKIE, value, max_age=SESSION_SECONDS, httponly=True,
                        samesite="lax", secure=secure_cookies(request), path="/")


def check_csrf(session: Session, form: Any) -> None:
    """Answer 403 unless the form's ``csrf_token`` matches the session's."""
    sent = form.get("csrf_token")
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(),
                                                             session.csrf.encode()):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or invalid CSRF token")


async def require_user(request: Request, session: Session) -> StaffUser:
    """Return the signed-in active user, or redirect (303) to the sign-in page.

    The session must be live in the store (not signed out, not ended by a password
    change or deactivation, not expired) and its user active, on every request.
    """
    store = services(request).store
    user = None
    if session.sid is not None:
        record = await store.get_staff_session(hash_token(session.sid))
        if record is not None:
            user = await store.get_user(record.user_id)
            session.record = record
    if user is None or not user.active:
        raise HTTPException(status.HTTP_303_SEE_OTHER, "sign in first",
                            headers={"Location": "/staff/login"})
    return user


async def start_session(request: Request, session: Session, user: StaffUser) -> None:
    """Sign ``user`` in on this browser: a new session id and CSRF token (no fixation)."""
    sid = secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(seconds=SESSION_SECONDS)
    session.record = await services(request).store.create_staff_session(
        user.id, hash_token(sid), expires, actor=f"staff:{user.email}")
    session.sid = sid
    session.csrf = secrets.token_urlsafe(32)


async def end_session(request: Request, session: Session) -> None:
    """Sign this browser out: its session ends in the store, not just in the cookie."""
    store = services(request).store
    if session.sid is not None:
        found = await store.get_staff_session(hash_token(session.sid))
        if found is not None:
            user = await store.get_user(found.user_id)
            who = f"staff:{user.email}" if user is not None else f"staff:{found.user_id}"
            await store.revoke_staff_session(found.id, actor=who, reason="signed out")
    session.sid, session.record = None, None
    session.csrf = secrets.token_urlsafe(32)


def utcnow() -> datetime:
    return datetime.now(UTC)
