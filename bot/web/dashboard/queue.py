"""The per-area queue at ``/staff``."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from bot.web.dashboard.common import (
    KINDS,
    STATUSES,
    area_filter,
    area_names,
    excerpt,
    render,
    visible_areas,
)
from bot.web.dashboard.session import Session, load_session, require_user, services
from bot.web.limits import EARLIEST, LATEST

logger = logging.getLogger(__name__)
router = APIRouter()
PAGE_SIZE = 25


def _day(value: str | None, label: str, session: Session) -> datetime | None:
    """Return the ``YYYY-MM-DD`` filter as midnight UTC, or None (with a message if bad)."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        session.flash(f"The '{label}' date was not understood (use YYYY-MM-DD); it is ignored.")
        return None
    if not EARLIEST <= day <= LATEST:
        session.flash(f"The '{label}' date must be between {EARLIEST} and {LATEST}; "
                      "it is ignored.")
        return None
    return datetime.combine(day, time(), UTC)


def _page(value: str | None, session: Session) -> int:
    """Return the page asked for (1 when absent or not a page number, with a message)."""
    if not value:
        return 1
    if not value.strip().isdigit() or len(value.strip()) > 9 or int(value) < 1:
        session.flash("The page number was not understood; showing the first page.")
        return 1
    return int(value)


def _flag(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


@router.get("/staff", response_class=HTMLResponse)
async def queue(request: Request) -> HTMLResponse:
    """List the reports in the user's areas, filtered and paginated."""
    session = load_session(request)
    user = await require_user(request, session)
    store = services(request).store
    areas = await visible_areas(store, user)
    args = request.query_params
    area = args.get("area", "")
    scope = [area] if area in areas else area_filter(user, areas)
    since, until = _day(args.get("from"), "from", session), _day(args.get("to"), "to", session)
    filters: dict[str, Any] = {
        "areas": scope,
        "status": args.get("status") if args.get("status") in STATUSES else None,
        "kind": args.get("kind") if args.get("kind") in KINDS else None,
        "urgent": _flag(args.get("urgent")), "needs_review": _flag(args.get("review")),
        "since": since, "until": until + timedelta(days=1) if until else None,
        "search": (args.get("q") or "").strip()[:200] or None,
    }  # fmt: skip
    total = await store.count_feedback(**filters)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(_page(args.get("page"), session), pages)  # past the end: the last page
    items = await store.list_feedback(**filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    kept = {k: v for k, v in args.items() if k != "page" and v}
    rows = [{"item": i, "excerpt": excerpt(i.redacted_text)} for i in items]
    return render(request, session, "queue.html", {
        "user": user, "areas": areas, "area": area if area in areas else "", "rows": rows,
        "total": total, "page": page, "pages": pages,
        "args": args, "statuses": STATUSES, "kinds": KINDS,
        "area_labels": await area_names(store),
        "link": lambda **extra: "/staff?" + urlencode(kept | extra),
    })  # fmt: skip
