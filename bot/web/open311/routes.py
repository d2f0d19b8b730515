"""The GeoReport v2 routes under ``/open311/v2/``, each in ``.json`` or ``.xml``.

``api_key`` is an API token from ``civicvoice tokens create`` (the staff API's bearer
token). ``POST requests`` needs one; reads do not, but with one (and the item in the key's
areas) a request also shows its text and place (``bot.web.open311.views``). Every error is
the spec's list of ``{code, description}``: 400 bad argument, 403 missing or invalid
api_key, 404 unknown service or request. ``jurisdiction_id`` is accepted (one jurisdiction).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response

from bot.digests.config import parse_targets
from bot.security import hash_token, normalise_reference
from bot.services import Services
from bot.storage import OPEN_STATUSES, FeedbackItem, FeedbackStatus, StaffUser
from bot.web import jsonbody
from bot.web.auth import MAX_TOKEN_CHARS
from bot.web.limits import OPEN311_BODY
from bot.web.open311 import intake, views
from bot.web.open311.params import new_request, request_query
from bot.web.open311.render import Format, Open311Error, document, error_response, parse_format

PREFIX = "/open311/v2"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-29 00:00"
"""When this endpoint's behaviour last changed (discovery's sortable ``changeset``)."""
CLOSED = tuple(s for s in FeedbackStatus if s not in OPEN_STATUSES)
_MULTI = ("service_request_id", "service_code", "status")  # may be repeated or comma-listed


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Give the outbox a sender for this channel, so nothing waits to be pushed to it."""
    services: Services | None = getattr(app.state, "services", None)
    if services is not None and services.outbox is not None:
        services.outbox.add_sender(intake.Open311Sender())
    yield


router = APIRouter(prefix=PREFIX, tags=["open311"], lifespan=_lifespan,
                   max_body_size=OPEN311_BODY)


def _services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


async def _answer(raw_format: str, build: Callable[[Format], Awaitable[Response]]) -> Response:
    """Run ``build`` in the requested format; answer an ``Open311Error`` as the spec's list."""
    fallback: Format = "xml" if raw_format.strip().lower() == "xml" else "json"
    try:
        return await build(parse_format(raw_format))
    except Open311Error as exc:
        return error_response(exc, fallback)


def _args(request: Request) -> dict[str, str]:
    params = request.query_params
    return {key: ",".join(params.getlist(key)) if key in _MULTI else params[key]
            for key in params}


async def _caller(services: Services, api_key: str | None, *, required: bool
                  ) -> StaffUser | None:
    """Return the active user owning ``api_key``; 403 if it is invalid (or missing and needed)."""
    key = (api_key or "").strip()
    if not key:
        if required:
            raise Open311Error(403, "api_key is required")
        return None
    user = None
    if len(key) <= MAX_TOKEN_CHARS:
        user = await services.store.get_user_by_token_hash(hash_token(key))
    if user is None:
        raise Open311Error(403, "Invalid api_key")
    return user


async def _body(request: Request) -> dict[str, str]:
    """Return the POST arguments: query string, then a form or JSON body (which wins)."""
    fields = {key: request.query_params[key] for key in request.query_params}
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data: Any = jsonbody.loads(await request.body() or b"{}")
        except jsonbody.BadJson as exc:
            raise Open311Error(400, str(exc)) from None
        if not isinstance(data, dict):
            raise Open311Error(400, "the JSON body must be an object of fields")
        values = {str(k): v for k, v in data.items()}
    else:
        try:
            form = await request.form()
        except Exception:  # malformed multipart or urlencoded body
            raise Open311Error(400, "the request body could not be read as a form") from None
        values = dict(form.items())
    for key, value in values.items():
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            fields[key] = str(value)
    return fields


async def _requests(services: Services, items: list[FeedbackItem], user: StaffUser | None
                    ) -> list[dict[str, Any]]:
    store = services.store
    areas = {area.code: area for area in await store.list_areas(include_retired=True)}
    default_target, targets = parse_targets(services.settings.digest_target_days)
    out = []
    for item in items:
        detailed = user is not None and user.active and user.may_see_area(item.area)
        context = views.RequestContext(
            history=await store.list_audit("feedback", item.id),
            attachments=await store.list_attachments(item.id) if detailed else (),
            detailed=detailed)
        out.append(views.service_request(item, context, areas, targets, default_target))
    return out


@router.get("/discovery.{fmt}", summary="GeoReport v2 discovery")
async def discovery(fmt: str, request: Request) -> Response:
    """Describe this endpoint: specification, address, formats and how to get a key."""
    async def build(f: Format) -> Response:
        settings = _services(request).settings
        base = settings.public_base_url.rstrip("/") or str(request.base_url).rstrip("/")
        endpoint = {"specification": SPECIFICATION, "url": base + PREFIX,
                    "changeset": CHANGESET,
                    "type": "production" if settings.environment == "production" else "test",
                    "formats": ["text/xml", "application/json"]}
        return document(f, "discovery", {
            "changeset": CHANGESET, "contact": None,
            "key_service": "API keys are issued by the service's administrators "
                           "(civicvoice tokens create EMAIL).",
            "endpoints": [endpoint]})
    return await _answer(fmt, build)


@router.get("/services.{fmt}", summary="GeoReport v2 service list")
async def list_services(fmt: str, request: Request) -> Response:
    """List the current service areas as services."""
    async def build(f: Format) -> Response:
        areas = await _services(request).store.list_areas()
        return document(f, "services", [views.service(a) for a in areas if a.active])
    return await _answer(fmt, build)


@router.get("/services/{service_code}.{fmt}", summary="GeoReport v2 service definition")
async def service_definition(service_code: str, fmt: str, request: Request) -> Response:
    """Return a service's definition (no service has attributes today)."""
    async def build(f: Format) -> Response:
        area = await _services(request).store.get_area(service_code.strip())
        if area is None or not area.active:
            raise Open311Error(404, "no service with this service_code")
        return document(f, "service_definition", views.service_definition(area))
    return await _answer(fmt, build)


@router.post("/requests.{fmt}", summary="GeoReport v2 create a service request")
async def create_request(fmt: str, request: Request) -> Response:
    """File a service request (form-encoded as in the spec, or JSON); needs ``api_key``."""
    async def build(f: Format) -> Response:
        services = _services(request)
        # A key in the query string is checked before the body is read; one in the body
        # before any other field is looked at.
        if request.query_params.get("api_key"):
            await _caller(services, request.query_params["api_key"], required=True)
        fields = await _body(request)
        user = await _caller(services, fields.get("api_key"), required=True)
        assert user is not None
        submitted = new_request(fields)
        jurisdiction = (fields.get("jurisdiction_id") or "").strip()[:64] or None
        reference = await intake.file_request(services, user, submitted, jurisdiction)
        return document(f, "service_requests", [
            {"service_request_id": reference, "service_notice": None, "account_id": None}])
    return await _answer(fmt, build)


@router.get("/requests.{fmt}", summary="GeoReport v2 query service requests")
async def list_requests(fmt: str, request: Request) -> Response:
    """Requests filed in a window of at most 90 days (the last 90 by default), newest first."""
    async def build(f: Format) -> Response:
        services, args = _services(request), _args(request)
        user = await _caller(services, args.get("api_key"), required=False)
        query = request_query(args, datetime.now(UTC))
        start = (query.page - 1) * query.page_size
        if query.references is not None:
            found = [await services.store.get_feedback(ref) for ref in query.references]
            items = [i for i in found if i is not None][start:start + query.page_size]
        else:
            wanted = None if query.closed is None else CLOSED if query.closed else OPEN_STATUSES
            items = await services.store.list_feedback(
                areas=query.service_codes, status=wanted, since=query.since,
                until=query.until, limit=query.page_size, offset=start)
        return document(f, "service_requests", await _requests(services, items, user))
    return await _answer(fmt, build)


@router.get("/requests/{service_request_id}.{fmt}", summary="GeoReport v2 one request")
async def get_request(service_request_id: str, fmt: str, request: Request) -> Response:
    """Return one service request (as a list of one, as the spec does)."""
    async def build(f: Format) -> Response:
        services = _services(request)
        user = await _caller(services, request.query_params.get("api_key"), required=False)
        reference = normalise_reference(service_request_id)
        item = await services.store.get_feedback(reference) if reference else None
        if item is None:
            raise Open311Error(404, "no service request with this service_request_id")
        return document(f, "service_requests", await _requests(services, [item], user))
    return await _answer(fmt, build)


@router.get("/tokens/{token}.{fmt}", summary="GeoReport v2 token lookup (tokens not used)")
async def get_token(token: str, fmt: str) -> Response:
    """Tokens are not used: ``POST requests`` returns the ``service_request_id`` at once."""
    async def build(f: Format) -> Response:
        raise Open311Error(404, "tokens are not used: POST requests returns the "
                                "service_request_id")
    return await _answer(fmt, build)


@router.api_route("/{path:path}", methods=["GET", "POST"], include_in_schema=False)
async def unknown(path: str) -> Response:
    """Anything else under the prefix: the spec's 404 (in XML if the path asks for it)."""
    return error_response(Open311Error(404, "no such Open311 resource"),
                          "xml" if path.lower().endswith(".xml") else "json")
