"""The admins' Open311 page: which areas forward to a city's 311 system, and how it goes.

Shows each forwarding area's endpoint and service code (never its API key), the forwards
that need an admin (refused by the city, given up, or failing and retrying) with the
city's error and the next attempt, the most recent forwards, and a Retry button that makes
a failed forward due again (audited by the store with the admin as actor).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from bot.security import normalise_reference
from bot.web.dashboard.common import actor, redirect, render, require_admin
from bot.web.dashboard.session import check_csrf, load_session, services

router = APIRouter()
PAGE = "/staff/admin/open311"
RECENT = 50


@router.get(PAGE, response_class=HTMLResponse)
async def open311_page(request: Request) -> HTMLResponse:
    """Forwarding areas, failing forwards and the latest ones."""
    session = load_session(request)
    user = await require_admin(request, session)
    store = services(request).store
    areas = [a for a in await store.list_areas() if a.open311_endpoint]
    return render(request, session, "admin_open311.html", {
        "user": user, "areas": areas,
        "failed": await store.list_open311_forwards(failed_only=True, limit=200),
        "recent": await store.list_open311_forwards(limit=RECENT),
    })  # fmt: skip


@router.post(PAGE + "/{reference}/retry")
async def retry(request: Request, reference: str) -> RedirectResponse:
    """Make one failed or cancelled forward due now."""
    session = load_session(request)
    check_csrf(session, await request.form())
    user = await require_admin(request, session)
    store = services(request).store
    canonical = normalise_reference(reference)
    item = await store.get_feedback(canonical) if canonical else None
    if item is None:
        session.flash(f"Not retried: no report {reference}.")
        return redirect(request, session, PAGE)
    try:
        await store.retry_open311_forward(item.id, actor=actor(user))
    except (ValueError, LookupError) as exc:
        session.flash(f"Not retried: {exc}")
    else:
        session.flash(f"{item.reference} will be sent to the city again shortly.")
    return redirect(request, session, PAGE)
