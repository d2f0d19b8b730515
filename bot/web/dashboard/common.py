"""Rendering helpers shared by the dashboard pages: templates, redirects, visible areas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from bot.storage import FeedbackStore, StaffRole, StaffUser
from bot.web.dashboard.session import Session, require_user, save_session
from handlers.catalogue import area_label

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))  # autoescapes .html


@pass_context
def _area(context: Context, code: str) -> str:
    """An area's label: the admins' own (``area_labels`` in the page) or the catalogue's."""
    labels = context.get("area_labels") or {}
    return str(labels.get(code) or area_label(code))


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


templates.env.filters["area"] = _area
templates.env.filters["score"] = _score
templates.env.filters["share"] = _share
templates.env.filters["when"] = lambda d: d.strftime("%Y-%m-%d %H:%M") if d else ""
templates.env.filters["day"] = lambda d: d.strftime("%Y-%m-%d") if d else ""

EXCERPT_CHARS = 160
STATUSES = ("new", "acknowledged", "in_progress", "resolved", "closed", "duplicate",
            "rejected")
KINDS = ("complaint", "idea", "question", "praise")


def render(request: Request, session: Session, name: str, context: dict[str, Any],
           status_code: int = 200) -> HTMLResponse:
    """Render a template with the session's CSRF token and flashes, and save the session."""
    values = {"csrf_token": session.csrf, "flashes": session.take_flashes()} | context
    response = templates.TemplateResponse(request, name, values, status_code=status_code)
    save_session(request, response, session)
    return response


def redirect(request: Request, session: Session, url: str) -> RedirectResponse:
    """Answer 303 See Other (post/redirect/get), saving the session."""
    response = RedirectResponse(url, status_code=303)
    save_session(request, response, session)
    return response


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


async def known_areas(store: FeedbackStore) -> list[str]:
    """Every active area, and any other area still used by some report, sorted.

    Retired areas are left out (their reports moved when they were retired), so they are
    no longer offered when staff re-route a report.
    """
    areas = await store.list_areas(include_retired=True)
    retired = {a.code for a in areas if not a.active}
    used = set(await store.count_feedback_by("area")) - retired
    return sorted({a.code for a in areas if a.active} | used)


async def area_names(store: FeedbackStore) -> dict[str, str]:
    """Area code -> the label admins gave it (retired areas included), for templates."""
    return {a.code: a.label for a in await store.list_areas(include_retired=True)}


async def require_admin(request: Request, session: Session) -> StaffUser:
    """Return the signed-in admin; staff get 403, anonymous visitors the sign-in page."""
    user = await require_user(request, session)
    if user.role is not StaffRole.ADMIN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this page is for admins")
    return user


def actor(user: StaffUser) -> str:
    """How admin actions name their author in the audit log and the retrain status."""
    return f"staff:{user.email}"


async def visible_areas(store: FeedbackStore, user: StaffUser) -> list[str]:
    """The areas ``user`` may see: admins every known area, staff their own."""
    if user.role is StaffRole.ADMIN:
        return await known_areas(store)
    return sorted(user.areas)


def area_filter(user: StaffUser, areas: list[str]) -> list[str] | None:
    """The ``areas=`` argument for ``list_feedback``: None (all) for admins."""
    return None if user.role is StaffRole.ADMIN else areas
