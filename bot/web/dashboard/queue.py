"""The per-area queue at ``/staff``."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
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
from bot.web.dashboard.session import load_session, require_user, services

logger = logging.getLogger(__name__)
router = APIRouter()
PAGE_SIZE = 25


def _day(value: str | None) -> datetime | None:
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC) if value else None
    except ValueError:
        return None


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
    until = _day(args.get("to"))
    filters: dict[str, Any] = {
        "areas": scope,
        "status": args.get("status") if args.get("status") in STATUSES else None,
        "kind": args.get("kind") if args.get("kind") in KINDS else None,
        "urgent": _flag(args.get("urgent")), "needs_review": _flag(args.get("review")),
        "since": _day(args.get("from")), "until": until + timedelta(days=1) if until else None,
        "search": (args.get("q") or "").strip()[:200] or None,
    }  # fmt: skip
    try:
        page = max(1, int(args.get("page", "1")))
    except ValueError:
        page = 1
    total = await store.count_feedback(**filters)
    items = await store.list_feedback(**filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    kept = {k: v for k, v in args.items() if k != "page" and v}
    rows = [{"item": i, "excerpt": excerpt(i.redacted_text)} for i in items]
    return render(request, session, "queue.html", {
        "user": user, "areas": areas, "area": area if area in areas else "", "rows": rows,
        "total": total, "page": page, "pages": max(1, -(-total // PAGE_SIZE)),
        "args": args, "statuses": STATUSES, "kinds": KINDS,
        "area_labels": await area_names(store),
        "link": lambda **extra: "/staff?" + urlencode(kept | extra),
    })  # fmt: skip
