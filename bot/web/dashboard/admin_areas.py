"""The admins' service-areas page: examples per area, add, rename, retire.

Every change goes through ``handlers.areas.AreaDirectory`` (the store audits it with the
admin as actor; retiring also re-routes the model's predictions of the retired area).
Mistakes (a bad or taken code, an empty label, retiring into a retired area) come back as
a message on the page.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from bot.storage import ConflictError, StaffUser
from bot.web.dashboard.common import actor, redirect, render, require_admin
from bot.web.dashboard.session import Session, check_csrf, load_session, services
from handlers.areas import MIN_EXAMPLES, AreaDirectory

router = APIRouter()
PAGE = "/staff/admin/areas"
MAX_FIELD = 500
MAX_KEYWORDS = 50


def directory(request: Request) -> AreaDirectory:
    """The service's area directory (503 in a service built without one)."""
    found = services(request).areas
    if found is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "areas are not available")
    return found


def keywords(text: str) -> tuple[str, ...]:
    """``"pothole, kerb ,tarmac"`` -> ``("pothole", "kerb", "tarmac")``."""
    found = [k.strip() for k in text.replace("\n", ",").split(",")]
    return tuple(k[:60] for k in found if k)[:MAX_KEYWORDS]


@router.get(PAGE, response_class=HTMLResponse)
async def areas_page(request: Request) -> HTMLResponse:
    """Every area with its label, status, labelled examples and any warning."""
    session = load_session(request)
    user = await require_admin(request, session)
    rows = await directory(request).examples()
    reports = await services(request).store.count_feedback_by("area")
    return render(request, session, "admin_areas.html", {
        "user": user, "rows": rows, "reports": reports, "min_examples": MIN_EXAMPLES,
        "active": [r.area for r in rows if r.area.active],
        "area_labels": {r.area.code: r.area.label for r in rows},
    })  # fmt: skip


async def _form(request: Request) -> tuple[Session, StaffUser, dict[str, str]]:
    session = load_session(request)
    form = await request.form()
    check_csrf(session, form)
    user = await require_admin(request, session)
    values = {k: str(v).strip()[:MAX_FIELD] for k, v in form.items() if isinstance(v, str)}
    return session, user, values


def _back(request: Request, session: Session) -> RedirectResponse:
    return redirect(request, session, PAGE)


@router.post(PAGE)
async def add_area(request: Request) -> RedirectResponse:
    """Add an area: staff can route to it at once; the model learns it when retrained."""
    session, user, form = await _form(request)
    code = form.get("code", "").lower()
    try:
        area = await directory(request).add(
            code, form.get("label", ""), actor=actor(user),
            description=form.get("description", ""), group=form.get("group", ""),
            keywords=keywords(form.get("keywords", "")))
    except (ValueError, ConflictError) as exc:
        session.flash(f"Not added: {exc}")
    else:
        session.flash(f"Area {area.label} ({area.code}) added. Label at least {MIN_EXAMPLES} "
                      "reports with it, then retrain, so the model learns it.")
    return _back(request, session)


@router.post(PAGE + "/{code}/rename")
async def rename_area(request: Request, code: str) -> RedirectResponse:
    """Give an area a new label; its code stays."""
    session, user, form = await _form(request)
    try:
        area = await directory(request).rename(code, form.get("label", ""), actor=actor(user))
    except (ValueError, LookupError, ConflictError) as exc:
        session.flash(f"Not renamed: {exc}")
    else:
        session.flash(f"Area {area.code} is now called {area.label}.")
    return _back(request, session)


@router.post(PAGE + "/{code}/retire")
async def retire_area(request: Request, code: str) -> RedirectResponse:
    """Retire an area, moving its reports and staff to another active area."""
    session, user, form = await _form(request)
    move_to = form.get("move_to", "")
    if form.get("confirm") != "yes":
        session.flash(f"Not retired: tick the box to confirm that {code}'s reports move to "
                      f"{move_to or 'the area you choose'}.")
        return _back(request, session)
    try:
        moved = await directory(request).retire(code, move_to, actor=actor(user))
    except (ValueError, LookupError, ConflictError) as exc:
        session.flash(f"Not retired: {exc}")
    else:
        session.flash(f"Area {code} retired: {moved} report{'' if moved == 1 else 's'} moved "
                      f"to {move_to}.")
    return _back(request, session)
