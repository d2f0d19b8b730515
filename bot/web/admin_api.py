"""The admin JSON API for scripts: model versions, retraining, drift, service areas, users.

Every route needs an admin's bearer token (``civicvoice tokens create``); staff get 403.
The same operations as the dashboard's admin pages, through the same code
(``bot.web.dashboard.model_actions``, ``handlers.areas.AreaDirectory``), audited with the
admin as actor (``staff:EMAIL``). Staff accounts and API tokens: ``bot.web.admin_users``.
Error bodies are ``{"detail": "..."}`` (``bot.web.api_errors``), as the schema says.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.services import Services
from bot.storage import ConflictError, ServiceArea, StaffUser
from bot.web import admin_users
from bot.web.api_errors import errors
from bot.web.auth import AdminUser, ServicesDep
from bot.web.dashboard import model_actions
from bot.web.dashboard.versions import load_versions
from handlers.areas import AreaDirectory
from nlp.errors import ModelError

router = APIRouter(prefix="/api/v1", tags=["admin"])

_ERRORS = errors(401, 403)
Code = Annotated[str, Path(examples=["snow_clearing"], max_length=40)]


def _actor(user: StaffUser) -> str:
    return f"staff:{user.email}"


def _areas(services: Services) -> AreaDirectory:
    if services.areas is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "areas are not available")
    return services.areas


# -- models -----------------------------------------------------------------------------


class RetrainState(BaseModel):
    """The last or running retrain (``status`` is null before the first one)."""

    available: bool
    running: bool
    status: dict[str, Any] | None = Field(
        description="state (running, promoted, rejected, failed), actor, started_at, "
        "finished_at, steps, version, reason, candidate_macro_f1, current_macro_f1, "
        "labels_from_staff")


class ModelsOut(BaseModel):
    """Every model version, newest first, with its confusion matrix and retrain figures."""

    current: str
    serving: str = Field(description="The version the running service uses now")
    versions: list[dict[str, Any]]
    retrain: RetrainState


class Switched(BaseModel):
    current: str
    message: str


@router.get("/admin/models", response_model=ModelsOut, responses=_ERRORS)
async def list_models(user: AdminUser, services: ServicesDep) -> dict[str, Any]:
    """List every version (as ``civicvoice models list --json``, plus the validation
    confusion matrix and, for retrained versions, the held-out comparison)."""
    views = await asyncio.to_thread(load_versions, services.registry)
    return {"current": await asyncio.to_thread(services.registry.current_version),
            "serving": services.triage.version, "versions": [v.to_json() for v in views],
            "retrain": model_actions.retrain_state(services)}


@router.post("/admin/models/{version}/promote", response_model=Switched,
             responses=errors(400, 401, 403, 404, 422, e404="No such version",
                              e400="The version does not load"))
async def promote_model(version: Annotated[str, Path(max_length=100)], user: AdminUser,
                        services: ServicesDep) -> Switched:
    """Make a version current; the service uses it at once."""
    try:
        message = await model_actions.promote(services, version, _actor(user))
    except LookupError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    except ModelError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None
    return Switched(current=services.registry.current_version(), message=message)


@router.post("/admin/models/rollback", response_model=Switched,
             responses=errors(401, 403, 409, e409="No earlier current version"))
async def rollback_model(user: AdminUser, services: ServicesDep) -> Switched:
    """Go back to the version that was current before this one."""
    try:
        message = await model_actions.rollback(services, _actor(user))
    except ModelError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    return Switched(current=services.registry.current_version(), message=message)


@router.get("/admin/retrain", response_model=RetrainState, responses=_ERRORS)
async def retrain_status(user: AdminUser, services: ServicesDep) -> dict[str, Any]:
    """The running or last retrain: state, progress steps and decision."""
    return model_actions.retrain_state(services)


@router.post("/admin/retrain", response_model=RetrainState,
             status_code=status.HTTP_202_ACCEPTED,
             responses=errors(401, 403, 409, e409="A retrain is already running"))
async def start_retrain(user: AdminUser, services: ServicesDep) -> dict[str, Any]:
    """Start a retrain in a separate process; poll ``GET /api/v1/admin/retrain``."""
    try:
        return await model_actions.start_retrain(services, _actor(user))
    except ModelError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None


@router.get("/admin/drift", responses=_ERRORS)
async def drift(user: AdminUser, services: ServicesDep) -> dict[str, Any]:
    """This calendar month: per area, reports the model routed there and staff's labels."""
    found = await model_actions.load_drift(services.store)
    return {"since": found.since, "labelled": found.labelled, "confirmed": found.confirmed,
            "agreement": found.agreement,
            "areas": [asdict(a) | {"agreement": a.agreement, "flagged": a.flagged,
                                   "warning": a.warning} for a in found.areas],
            "confusions": [{"model": m, "staff": s, "count": n}
                           for m, s, n in found.confusions]}


# -- service areas ------------------------------------------------------------------------


class AreaOut(BaseModel):
    """A service area and how many labelled examples the model has for it."""

    code: str
    label: str
    description: str
    group: str
    keywords: list[str]
    active: bool
    moved_to: str | None
    created_at: datetime | None
    retired_at: datetime | None
    trained_examples: int | None = None
    staff_labels: int | None = None
    total_examples: int | None = None
    predicted_by_model: bool | None = None
    warning: str = ""


class AreaIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=2, max_length=40, pattern=r"^[a-z][a-z0-9_]{1,39}$",
                      examples=["snow_clearing"])
    label: str = Field(min_length=1, max_length=120, examples=["Snow clearing"])
    description: str = Field("", max_length=500)
    group: str = Field("", max_length=120)
    keywords: list[Annotated[str, Field(max_length=60)]] = Field([], max_length=50)


class AreaChange(BaseModel):
    """What to change; at least one field. The code never changes."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    label: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = Field(None, max_length=500)
    group: str | None = Field(None, max_length=120)
    keywords: list[Annotated[str, Field(max_length=60)]] | None = Field(None, max_length=50)

    @model_validator(mode="after")
    def _not_empty(self) -> AreaChange:
        if not self.model_dump(exclude_none=True):
            raise ValueError("give at least one of label, description, group, keywords")
        return self


class RetireIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    move_to: str = Field(min_length=2, max_length=40, description="An active area's code")


class Retired(BaseModel):
    code: str
    moved_to: str
    reports_moved: int


def _area(area: ServiceArea) -> AreaOut:
    return AreaOut(code=area.code, label=area.label, description=area.description,
                   group=area.group, keywords=list(area.keywords), active=area.active,
                   moved_to=area.moved_to, created_at=area.created_at,
                   retired_at=area.retired_at)


def _conflict(exc: ConflictError) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, str(exc))


@router.get("/areas", response_model=list[AreaOut], responses=_ERRORS)
async def list_areas(user: AdminUser, services: ServicesDep) -> list[AreaOut]:
    """Every area (active first) with its example counts and any too-few warning."""
    return [_area(e.area).model_copy(update={
        "trained_examples": e.trained, "staff_labels": e.staff_labels,
        "total_examples": e.total, "predicted_by_model": e.predicted_by_model,
        "warning": e.warning}) for e in await _areas(services).examples()]


@router.post("/areas", response_model=AreaOut, status_code=status.HTTP_201_CREATED,
             responses=errors(400, 401, 403, 409, 422,
                              e409="The code exists (perhaps retired)"))
async def add_area(body: AreaIn, user: AdminUser, services: ServicesDep) -> AreaOut:
    """Add an area; staff can route to it at once, the model learns it when retrained."""
    try:
        area = await _areas(services).add(
            body.code, body.label, actor=_actor(user), description=body.description,
            group=body.group, keywords=tuple(k for k in body.keywords if k.strip()))
    except ConflictError as exc:
        raise _conflict(exc) from None
    return _area(area)


@router.patch("/areas/{code}", response_model=AreaOut,
              responses=errors(400, 401, 403, 404, 409, 422, e404="No such area"))
async def update_area(code: Code, body: AreaChange, user: AdminUser, services: ServicesDep
                      ) -> AreaOut:
    """Change an area's label, description, group or keywords (audited)."""
    changes = body.model_dump(exclude_none=True)
    if "keywords" in changes:
        changes["keywords"] = tuple(changes["keywords"])
    _areas(services)
    try:
        area = await services.store.update_area(code, actor=_actor(user), **changes)
    except ConflictError as exc:
        raise _conflict(exc) from None
    return _area(area)


@router.post("/areas/{code}/retire", response_model=Retired,
             responses=errors(400, 401, 403, 404, 409, 422, e404="No such area",
                              e409="Already retired, or the target is"))
async def retire_area(code: Code, body: RetireIn, user: AdminUser, services: ServicesDep
                      ) -> Retired:
    """Retire an area: its reports and staff move to ``move_to``."""
    try:
        moved = await _areas(services).retire(code, body.move_to, actor=_actor(user))
    except ConflictError as exc:
        raise _conflict(exc) from None
    return Retired(code=code, moved_to=body.move_to, reports_moved=moved)


router.include_router(admin_users.router)
