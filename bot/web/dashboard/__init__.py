"""The staff dashboard (``/staff``) and the public accountability page.

Server-rendered with Jinja2 (autoescaped), no JavaScript framework; one small stylesheet.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from bot.web.dashboard import (
    account,
    admin_areas,
    admin_models,
    admin_open311,
    admin_users,
    queue,
    report,
    results,
)
from bot.web.dashboard.common import HERE

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
router.include_router(account.router)
router.include_router(queue.router)
router.include_router(report.router)
router.include_router(results.router)
router.include_router(admin_models.router)
router.include_router(admin_areas.router)
router.include_router(admin_open311.router)
router.include_router(admin_users.router)


@router.get("/staff/static/dashboard.css")
async def stylesheet() -> FileResponse:
    return FileResponse(HERE / "dashboard.css", media_type="text/css",
                        headers={"Cache-Control": "max-age=3600"})
