"""Readiness for load balancers and orchestrators: ``GET /readyz``.

``/healthz`` says the process answers; ``/readyz`` says it should be sent traffic: 200 once
the lifespan has finished starting (store open, model loaded, workers running), 503 before
that and from the moment shut-down begins, naming what is not ready.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

router = APIRouter(tags=["service"])

STARTUP = "start-up"


class Readiness(BaseModel):
    """``ready``, or ``not ready`` with the parts still waited for."""

    status: str
    not_ready: list[str] = Field(default_factory=list)


def mark_ready(app: FastAPI, ready: bool) -> None:
    """Record that start-up has finished (``True``) or shut-down has begun (``False``)."""
    app.state.ready = ready


@router.get("/readyz", response_model=Readiness,
            responses={503: {"model": Readiness, "description": "Not ready yet, or stopping"}})
async def readyz(request: Request) -> JSONResponse:
    """Answer 200 when the service is ready for traffic, else 503 saying what is not."""
    if getattr(request.app.state, "ready", False):
        return JSONResponse({"status": "ready"})
    return JSONResponse(Readiness(status="not ready", not_ready=[STARTUP]).model_dump(),
                        status_code=503)
