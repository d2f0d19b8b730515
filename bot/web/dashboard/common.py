"""Rendering helpers shared by the dashboard pages: templates, redirects, visible areas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from bot.storage import FeedbackStore, StaffRole, StaffUser
from bot.web.dashboard.session import Session, save_session
from handlers.catalogue import AREA_LABELS, DEFAULT_LANGUAGE, area_label

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))  # autoescapes .html
templates.env.filters["area"] = area_label
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
    """Every area code in the taxonomy or used by some report, sorted."""
    used = await store.count_feedback_by("area")
    return sorted(set(AREA_LABELS[DEFAULT_LANGUAGE]) | set(used))


async def visible_areas(store: FeedbackStore, user: StaffUser) -> list[str]:
    """The areas ``user`` may see: admins every known area, staff their own."""
    if user.role is StaffRole.ADMIN:
        return await known_areas(store)
    return sorted(user.areas)


def area_filter(user: StaffUser, areas: list[str]) -> list[str] | None:
    """The ``areas=`` argument for ``list_feedback``: None (all) for admins."""
    return None if user.role is StaffRole.ADMIN else areas
