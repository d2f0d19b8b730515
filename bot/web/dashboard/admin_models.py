"""The admins' models page: versions, confusion matrices, promote, roll back, retrain, drift."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from markupsafe import Markup

from bot.storage import StaffUser
from bot.web.dashboard import charts, model_actions
from bot.web.dashboard.common import (
    HERE,
    actor,
    area_names,
    redirect,
    render,
    require_admin,
)
from bot.web.dashboard.session import (
    Session,
    check_csrf,
    load_session,
    services,
    utcnow,
)
from bot.web.dashboard.versions import VersionView, load_versions
from nlp.errors import ModelError

router = APIRouter()
PAGE = "/staff/admin/models"
MAX_VERSION_CHARS = 100


def _matrix(view: VersionView, names: dict[str, str]) -> Markup | None:
    if not view.labels:
        return None
    return charts.heatmap(view.labels, view.matrix,
                          f"Confusion matrix of {view.info.version} (validation rows)",
                          [names.get(code, code) for code in view.labels])


@router.get(PAGE, response_class=HTMLResponse)
async def models_page(request: Request) -> HTMLResponse:
    """Every version with its figures and confusion matrix, the retrain, and this month's
    drift between the model's routing and staff labels."""
    session = load_session(request)
    user = await require_admin(request, session)
    svc = services(request)
    views = await asyncio.to_thread(load_versions, svc.registry)
    names = await area_names(svc.store)
    retrain = model_actions.retrain_state(svc)
    return render(request, session, "admin_models.html", {
        "user": user, "versions": views, "area_labels": names,
        "matrices": {v.info.version: _matrix(v, names) for v in views},
        "serving": svc.triage.version, "retrain": retrain,
        "status": retrain["status"], "drift": await model_actions.load_drift(svc.store, utcnow()),
    })  # fmt: skip


@router.get(PAGE + "/retrain.json")
async def retrain_json(request: Request) -> JSONResponse:
    """The retrain's progress for the page's polling script (admins only)."""
    await require_admin(request, load_session(request))
    return JSONResponse(model_actions.retrain_state(services(request)),
                        headers={"Cache-Control": "no-store"})


@router.get("/staff/static/admin.js")
async def script() -> FileResponse:
    return FileResponse(HERE / "admin.js", media_type="text/javascript",
                        headers={"Cache-Control": "max-age=3600"})


async def _form(request: Request) -> tuple[Session, StaffUser, dict[str, str]]:
    session = load_session(request)
    form = await request.form()
    check_csrf(session, form)
    user = await require_admin(request, session)
    values = {k: str(v).strip()[:MAX_VERSION_CHARS] for k, v in form.items()
              if isinstance(v, str)}
    return session, user, values


@router.post(PAGE + "/retrain")
async def retrain(request: Request) -> RedirectResponse:
    """Start a retrain in its own process; refuse plainly if one is running."""
    session, user, _ = await _form(request)
    try:
        await model_actions.start_retrain(services(request), actor(user))
    except ModelError as exc:
        session.flash(f"Not started: {exc}.")
    else:
        session.flash("Retrain started: it runs in the background; progress is shown below.")
    return redirect(request, session, PAGE + "#retrain")


@router.post(PAGE + "/promote")
async def promote(request: Request) -> RedirectResponse:
    """Make a version current, at once, without a restart."""
    session, user, form = await _form(request)
    version = form.get("version", "")
    try:
        message = await model_actions.promote(services(request), version, actor(user))
    except (ModelError, LookupError) as exc:
        message = f"Not promoted: {exc}"
    session.flash(message)
    return redirect(request, session, PAGE)


@router.post(PAGE + "/rollback")
async def rollback(request: Request) -> RedirectResponse:
    """Go back to the version that was current before this one."""
    session, user, _ = await _form(request)
    try:
        message = await model_actions.rollback(services(request), actor(user))
    except ModelError as exc:
        message = f"Not rolled back: {exc}"
    session.flash(message)
    return redirect(request, session, PAGE)
