"""The staff results page and the public accountability page, with inline SVG charts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from bot.storage import FeedbackStatus, FeedbackStore, StaffUser
from bot.web.dashboard import charts, figures
from bot.web.dashboard.common import area_filter, excerpt, render, visible_areas
from bot.web.dashboard.figures import SMALL, AreaFigures, shown
from bot.web.dashboard.session import load_session, require_user, services, utcnow
from handlers.catalogue import area_label

router = APIRouter()
WEEKS = 12
SAID_DID = 20


def _hours(value: float | None) -> str:
    if value is None:
        return "no data"
    return f"{value:.0f} h" if value < 48 else f"{value / 24:.1f} days"


def _charts(rows: list[AreaFigures], public: bool) -> dict[str, Markup]:
    """Draw the per-area charts; on the public page small groups get no figure."""

    def ok(n: int) -> bool:
        return not public or n >= SMALL

    def count(n: int) -> tuple[float | None, str]:
        return (float(n), str(n)) if ok(n) else (None, "fewer than 5")

    label = area_label
    return {
        "received": charts.hbars([(label(r.area), *count(r.received)) for r in rows],
                                 "Reports per area"),
        "first_response": charts.hbars(
            [(label(r.area), r.median_first_response if ok(r.received) else None,
              _hours(r.median_first_response) if ok(r.received) else "hidden") for r in rows],
            "Median time to first response"),
        "resolution": charts.hbars(
            [(label(r.area), r.median_resolution if ok(r.received) else None,
              _hours(r.median_resolution) if ok(r.received) else "hidden") for r in rows],
            "Median time to resolution"),
        "in_target": charts.hbars(
            [(label(r.area), r.resolved_share * 100 if ok(r.received) else None,
              f"{r.resolved_share:.0%}" if ok(r.received) else "hidden") for r in rows],
            "Share resolved within target", maximum=100.0),
        "ideas": charts.hbars(
            [(f"{label(r.area)}: {kind}", *count(n)) for r in rows if r.ideas_received
             for kind, n in (("received", r.ideas_received), ("taken up", r.ideas_taken_up))],
            "Ideas received and taken up"),
        "satisfaction": charts.hbars(
            [(label(r.area), r.satisfied_yes / r.satisfied_total * 100
              if ok(r.satisfied_total) else None,
              f"{r.satisfied_yes / r.satisfied_total:.0%} fixed of {r.satisfied_total}"
              if ok(r.satisfied_total) else "fewer than 5 answers")
             for r in rows if r.satisfied_total],
            "Citizens who said it was fixed", maximum=100.0),
    }  # fmt: skip


async def _stats(store: FeedbackStore, areas: list[str] | None) -> list[Any]:
    return await store.feedback_stats(areas=areas, since=utcnow() - timedelta(weeks=WEEKS))


@router.get("/staff/results", response_class=HTMLResponse)
async def results(request: Request) -> HTMLResponse:
    """Charts of the last weeks for the areas the user may see."""
    session = load_session(request)
    user: StaffUser = await require_user(request, session)
    store = services(request).store
    areas = area_filter(user, await visible_areas(store, user))
    stats = await _stats(store, areas)
    rows = figures.by_area(stats)
    accuracy = [a for a in figures.classifier_accuracy(await store.list_corrections())
                if areas is None or a.area in areas]
    confirmed, total = sum(a.confirmed for a in accuracy), sum(a.total for a in accuracy)
    return render(request, session, "results.html", {
        "user": user, "weeks": WEEKS, "charts": _charts(rows, public=False),
        "per_week": charts.columns(figures.by_week(stats), "Reports per week"),
        "area_weeks": [(area_label(r.area), charts.columns(
            [(s.week, float(s.received)) for s in stats if s.area == r.area],
            f"Reports per week: {r.area}")) for r in rows],
        "accuracy": charts.hbars(
            [(area_label(a.area), a.share * 100, f"{a.share:.0%} of {a.total} confirmed")
             for a in accuracy], "Classifier accuracy by staff labels", maximum=100.0),
        "accuracy_total": f"{confirmed / total:.0%} ({confirmed} of {total})" if total else "",
    })  # fmt: skip


@router.get("/accountability", response_class=HTMLResponse)
async def accountability(request: Request) -> HTMLResponse:
    """The public page: figures by area with small counts suppressed, and "you said, we did"."""
    store = services(request).store
    rows = figures.by_area(await _stats(store, None))
    ideas = await store.list_feedback(kind="idea", status=FeedbackStatus.RESOLVED,
                                      limit=SAID_DID)
    done = []
    for item in ideas:
        resolved = [e.at for e in await store.list_audit("feedback", item.id)
                    if (e.after or {}).get("status") == FeedbackStatus.RESOLVED]
        done.append({"text": excerpt(item.redacted_text, 200), "area": item.area,
                     "date": resolved[-1] if resolved else item.updated_at})
    table = [{"area": r.area, "received": shown(r.received),
              "in_target": f"{r.resolved_share:.0%}" if r.received >= SMALL else "hidden",
              "ideas": shown(r.ideas_received) if r.ideas_received else "0",
              "taken_up": shown(r.ideas_taken_up) if r.ideas_taken_up else "0"} for r in rows]
    return render(request, load_session(request), "accountability.html", {
        "weeks": WEEKS, "charts": _charts(rows, public=True), "table": table, "done": done,
    })  # fmt: skip
