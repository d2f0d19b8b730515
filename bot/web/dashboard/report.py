"""One report: its page with history and audit trail, and the staff actions on it.

Every action goes through ``StaffActions`` so corrections (training labels), the audit
trail and messages to the citizen happen exactly as they do through the JSON API.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from bot.security import normalise_reference
from bot.storage import FeedbackItem, StaffUser
from bot.web.dashboard.common import (
    KINDS,
    STATUSES,
    area_names,
    known_areas,
    redirect,
    render,
)
from bot.web.dashboard.session import (
    Session,
    check_csrf,
    load_session,
    require_user,
    services,
)
from handlers.staff_actions import CitizenUnreachable

router = APIRouter()
MAX_TEXT = 2000


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "no feedback item with this reference")


async def _item(request: Request, user: StaffUser, reference: str) -> FeedbackItem:
    """Return the item, answering 404 for unknown and not-visible ones alike."""
    ref = normalise_reference(reference)
    item = await services(request).store.get_feedback(ref) if ref else None
    if item is None or not services(request).staff.can_see(user, item):
        raise _not_found()
    return item


@router.get("/staff/feedback/{reference}", response_class=HTMLResponse)
async def report_page(request: Request, reference: str) -> HTMLResponse:
    """Show a report: redacted text, triage, attachments, history and actions."""
    session = load_session(request)
    user = await require_user(request, session)
    item = await _item(request, user, reference)
    svc = services(request)
    return render(request, session, "report.html", {
        "user": user, "item": item, "areas": await known_areas(svc.store),
        "area_labels": await area_names(svc.store),
        "statuses": STATUSES, "kinds": KINDS,
        "attachments": await svc.store.list_attachments(item.id),
        "history": await svc.staff.history(item.reference, user),
    })  # fmt: skip


async def _action(request: Request, reference: str) -> tuple[Session, StaffUser, FeedbackItem,
                                                              dict[str, str]]:
    session = load_session(request)
    form = await request.form()
    check_csrf(session, form)
    user = await require_user(request, session)
    item = await _item(request, user, reference)
    values = {k: str(v).strip()[:MAX_TEXT] for k, v in form.items() if isinstance(v, str)}
    return session, user, item, values


def _back(request: Request, session: Session, item: FeedbackItem) -> RedirectResponse:
    return redirect(request, session, f"/staff/feedback/{item.reference}")


@router.post("/staff/feedback/{reference}/triage")
async def correct(request: Request, reference: str) -> RedirectResponse:
    """Change (or confirm) the area and kind: a correction kept as a training label."""
    session, user, item, form = await _action(request, reference)
    changes = {k: form[k] for k in ("area", "kind") if form.get(k)}
    if not changes:
        session.flash("Choose an area or a kind.")
        return _back(request, session, item)
    try:
        await services(request).staff.update(item.reference, user, changes)
    except ValueError as exc:
        session.flash(f"Not changed: {exc}")
        return _back(request, session, item)
    if changes.get("area") and not user.may_see_area(changes["area"]):
        session.flash(f"{item.reference} moved to {changes['area']}, outside your areas.")
        return redirect(request, session, "/staff")
    session.flash(f"Triage of {item.reference} recorded.")
    return _back(request, session, item)


@router.post("/staff/feedback/{reference}/status")
async def change_status(request: Request, reference: str) -> RedirectResponse:
    """Change the status, with an optional note; the citizen hears about it."""
    session, user, item, form = await _action(request, reference)
    try:
        await services(request).staff.update(item.reference, user,
                                              {"status": form.get("status", "")},
                                              form.get("note") or None)
    except ValueError as exc:
        session.flash(f"Not changed: {exc}")
    else:
        session.flash(f"Status of {item.reference} is now {form.get('status')}.")
    return _back(request, session, item)


@router.post("/staff/feedback/{reference}/merge")
async def merge(request: Request, reference: str) -> RedirectResponse:
    """Mark the report a duplicate of another one the user may see."""
    session, user, item, form = await _action(request, reference)
    target_ref = normalise_reference(form.get("duplicate_of", ""))
    store = services(request).store
    target = await store.get_feedback(target_ref) if target_ref else None
    if (target is None or target.id == item.id
            or not services(request).staff.can_see(user, target)):
        session.flash("Not merged: give the reference of another report you can see.")
        return _back(request, session, item)
    # StaffActions does not take duplicate_of; the store audits this change itself.
    await store.update_feedback(item.reference, f"staff:{user.id}",
                                {"duplicate_of": target.reference})
    try:
        await services(request).staff.update(item.reference, user, {"status": "duplicate"},
                                              form.get("note") or None)
    except ValueError as exc:
        session.flash(f"Linked to {target.reference}, status not changed: {exc}")
    else:
        session.flash(f"{item.reference} merged as a duplicate of {target.reference}.")
    return _back(request, session, item)


@router.post("/staff/feedback/{reference}/reply")
async def reply(request: Request, reference: str) -> RedirectResponse:
    """Send a message to the citizen on their own channel."""
    session, user, item, form = await _action(request, reference)
    try:
        await services(request).staff.reply(item.reference, user, form.get("text", ""))
    except CitizenUnreachable:
        session.flash("Not sent: the citizen stopped messages or asked to be forgotten.")
    except ValueError as exc:
        session.flash(f"Not sent: {exc}")
    else:
        session.flash(f"Reply to {item.reference} queued.")
    return _back(request, session, item)


@router.post("/staff/feedback/{reference}/note")
async def note(request: Request, reference: str) -> RedirectResponse:
    """Add an internal note: kept in the audit trail, never sent to the citizen."""
    session, user, item, form = await _action(request, reference)
    text = form.get("note", "")
    if not text:
        session.flash("Write a note first.")
        return _back(request, session, item)
    await services(request).staff.update(item.reference, user, {}, text)
    session.flash("Internal note added.")
    return _back(request, session, item)
