"""The staff JSON API under ``/api/v1``: list, read, change and answer feedback items.

Every route needs ``Authorization: Bearer TOKEN`` (``civicvoice tokens create``). Staff see
the items in their areas, admins see all; an item a caller may not see answers 404 exactly
as an unknown reference does. Staff always get the *redacted* text: the API never returns a
citizen's original words, address or pseudonym.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, status
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from bot.security import normalise_reference
from bot.storage import (
    Attachment,
    AttachmentKind,
    AuditEntry,
    FeedbackItem,
    FeedbackStatus,
    StaffRole,
)
from bot.web.auth import CurrentUser, ServicesDep
from bot.web.limits import MAX_OFFSET, STAFF_API_BODY, check_time
from handlers.staff_actions import CitizenUnreachable

router = APIRouter(prefix="/api/v1", tags=["staff"], max_body_size=STAFF_API_BODY)

Kind = Literal["complaint", "idea", "question", "praise"]
MAX_LIMIT = 500
NOT_FOUND = "no feedback item with this reference"
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing, invalid or revoked bearer token"},
    404: {"description": "No such item, or not one the caller may see"},
}


class AttachmentOut(BaseModel):
    """A photo id, a ``lat,lon`` location or a media URL the citizen added."""

    kind: AttachmentKind
    value: str
    created_at: datetime


class FeedbackOut(BaseModel):
    """One feedback item as staff see it: redacted text and triage, never the citizen."""

    reference: str = Field(examples=["CV-7K3P2"])
    redacted_text: str = Field(
        description="The citizen's words with personal data (phone numbers, e-mail, "
        "addresses, names where detected) replaced by placeholders; the original is never "
        "served by this API."
    )
    channel: str
    area: str
    area_confidence: float
    top_areas: list[tuple[str, float]] = Field(description="[area, probability], best first")
    kind: str
    innovation: float
    urgent: bool
    needs_review: bool
    status: FeedbackStatus
    model_version: str | None
    duplicate_of: str | None = Field(description="Reference of the item this duplicates")
    created_at: datetime
    updated_at: datetime
    attachments: list[AttachmentOut]


class HistoryEntry(BaseModel):
    """One audited change: who, what, when, and the changed fields before and after."""

    at: datetime
    actor: str = Field(description="'staff:ID', 'system', or 'citizen' for the citizen")
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class FeedbackDetail(FeedbackOut):
    """An item with its audit history, oldest first."""

    history: list[HistoryEntry]


class FeedbackPage(BaseModel):
    """A page of items, newest first, and how many match in all."""

    items: list[FeedbackOut]
    total: int
    limit: int
    offset: int


class FeedbackChange(BaseModel):
    """What staff change; at least one field. An area or kind given is kept as a training
    label even when it confirms the current value. The citizen hears about status changes
    that matter to them, on their own channel."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True,
                              json_schema_extra={"minProperties": 1})

    area: str | None = Field(None, min_length=1, max_length=64, examples=["roads"])
    kind: Kind | None = None
    status: FeedbackStatus | None = None
    note: str | None = Field(None, min_length=1, max_length=2000,
                             description="A remark kept in the item's history; when the "
                             "citizen is told about a status change, the note goes with it")

    @model_validator(mode="after")
    def _not_empty(self) -> FeedbackChange:
        if self.area is None and self.kind is None and self.status is None and self.note is None:
            raise ValueError("give at least one of area, kind, status, note")
        return self

    def changes(self) -> dict[str, str]:
        values = {"area": self.area, "kind": self.kind, "status": self.status}
        return {key: str(value) for key, value in values.items() if value is not None}


class ReplyIn(BaseModel):
    """A message to the citizen who filed the item (sent on their own channel)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=1000)

    @field_validator("text")
    @classmethod
    def _has_words(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text must not be blank")
        return value.strip()


class ReplyQueued(BaseModel):
    """The reply was queued; the outbox sends it with retries."""

    reference: str
    outbound_id: int
    status: Literal["queued"] = "queued"


Reference = Annotated[str, Path(examples=["CV-7K3P2"], description="Any spelling: cv-7k3p2")]


def _reference(value: str) -> str:
    reference = normalise_reference(value)
    if reference is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return reference


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)


QueryTime = Annotated[datetime | None, AfterValidator(check_time)]
"""A time in a query: read as UTC without a zone, refused (422) outside 2000-2999."""


def _out(item: FeedbackItem, attachments: list[Attachment]) -> dict[str, Any]:
    return {
        "reference": item.reference,
        "redacted_text": item.redacted_text,
        "channel": item.channel,
        "area": item.area,
        "area_confidence": item.area_confidence,
        "top_areas": [list(pair) for pair in item.top_areas],
        "kind": item.kind,
        "innovation": item.innovation,
        "urgent": item.urgent,
        "needs_review": item.needs_review,
        "status": item.status,
        "model_version": item.model_version,
        "duplicate_of": item.duplicate_of_reference,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "attachments": [
            {"kind": a.kind, "value": a.value, "created_at": a.created_at} for a in attachments
        ],
    }


def _history(entry: AuditEntry) -> HistoryEntry:
    actor = "citizen" if entry.actor.startswith("citizen") else entry.actor
    return HistoryEntry(at=entry.at, actor=actor, action=entry.action,
                        before=None if entry.before is None else dict(entry.before),
                        after=None if entry.after is None else dict(entry.after))


@router.get("/feedback", response_model=FeedbackPage, responses=_ERRORS)
async def list_feedback(
    user: CurrentUser,
    services: ServicesDep,
    area: Annotated[list[str] | None, Query(description="Repeat for several")] = None,
    status_: Annotated[list[FeedbackStatus] | None, Query(alias="status")] = None,
    kind: Annotated[list[Kind] | None, Query()] = None,
    urgent: bool | None = None,
    needs_review: bool | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Text or reference")] = None,
    since: Annotated[QueryTime, Query(description="Filed at or after (UTC if no zone)")]
    = None,
    until: Annotated[QueryTime, Query(description="Filed before (UTC if no zone)")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> dict[str, Any]:
    """List the items the caller may see (staff: their areas; admins: all), newest first."""
    areas: list[str] | None = area
    if user.role is not StaffRole.ADMIN:  # staff: never beyond their own areas
        areas = [a for a in (area or user.areas) if user.may_see_area(a)]
    if since is not None and until is not None and since >= until:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "since must be before until")
    filters: dict[str, Any] = {
        "areas": areas, "status": status_, "kind": kind, "urgent": urgent,
        "needs_review": needs_review, "since": since, "until": until, "search": q,
    }  # fmt: skip
    store = services.store
    items = await store.list_feedback(**filters, limit=limit, offset=offset)
    total = await store.count_feedback(**filters)
    page = [_out(item, await store.list_attachments(item.id)) for item in items]
    return {"items": page, "total": total, "limit": limit, "offset": offset}


@router.get("/feedback/{reference}", response_model=FeedbackDetail, responses=_ERRORS)
async def get_feedback(reference: Reference, user: CurrentUser, services: ServicesDep
                       ) -> dict[str, Any]:
    """Return one item with its attachments and its history of changes."""
    ref = _reference(reference)
    item = await services.store.get_feedback(ref)
    if item is None or not services.staff.can_see(user, item):
        raise _not_found()
    history = await services.staff.history(ref)
    attachments = await services.store.list_attachments(item.id)
    return _out(item, attachments) | {"history": [_history(e) for e in history]}


@router.patch("/feedback/{reference}", response_model=FeedbackOut,
              responses=_ERRORS | {400: {"description": "Invalid JSON or value"}})
async def update_feedback(reference: Reference, change: FeedbackChange, user: CurrentUser,
                          services: ServicesDep) -> dict[str, Any]:
    """Change an item's area, kind or status, or add a note; return the item."""
    ref = _reference(reference)
    try:
        item = await services.staff.update(ref, user, change.changes(), change.note)
    except (PermissionError, LookupError):
        raise _not_found() from None
    return _out(item, await services.store.list_attachments(item.id))


@router.post("/feedback/{reference}/replies", response_model=ReplyQueued,
             status_code=status.HTTP_202_ACCEPTED,
             responses=_ERRORS | {409: {"description": "The citizen stopped messages or "
                                                       "was forgotten"}})
async def reply(reference: Reference, body: ReplyIn, user: CurrentUser, services: ServicesDep
                ) -> ReplyQueued:
    """Queue a reply to the citizen who filed the item, on their own channel."""
    ref = _reference(reference)
    try:
        outbound_id = await services.staff.reply(ref, user, body.text)
    except CitizenUnreachable:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            "the citizen cannot be reached: they stopped messages or asked to be forgotten",
        ) from None
    except (PermissionError, LookupError):
        raise _not_found() from None
    return ReplyQueued(reference=ref, outbound_id=outbound_id)
