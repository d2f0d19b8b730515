"""Reading GeoReport v2 arguments: the ``POST requests`` fields and the ``GET requests`` filters.

Every problem is an ``Open311Error`` (400) naming the argument, never quoting its value, so
a description or a contact detail cannot reach a response or a log through here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from bot.security import normalise_reference
from bot.web.open311.render import Open311Error

MAX_DESCRIPTION = 4000
MAX_FIELD = 255
MAX_MEDIA_URL = 2048
MAX_WINDOW = timedelta(days=90)
MAX_PAGE_SIZE = 1000
MAX_REQUEST_IDS = 1000

ADDRESS_ID_PREFIX = "address_id:"
"""How a location given only as ``address_id`` is kept in ``location_text``."""
CONTACT_FIELDS = ("email", "device_id", "account_id", "first_name", "last_name", "phone")
"""Accepted on POST, used only inside the idempotency key, never stored or shown."""


@dataclass(frozen=True, slots=True)
class NewRequest:
    """A validated ``POST requests``: what to file, and where."""

    service_code: str
    description: str = field(repr=False)
    latitude: float | None = None
    longitude: float | None = None
    address_string: str | None = field(default=None, repr=False)
    address_id: str | None = None
    media_url: str | None = None
    contact: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    @property
    def location_text(self) -> str | None:
        """The place in words as stored (an address id is kept as ``address_id:ID``)."""
        if self.address_string:
            return self.address_string
        return f"{ADDRESS_ID_PREFIX}{self.address_id}" if self.address_id else None


@dataclass(frozen=True, slots=True)
class RequestQuery:
    """Validated ``GET requests`` filters: either explicit ids, or a window and filters."""

    references: tuple[str, ...] | None
    service_codes: tuple[str, ...] | None
    since: datetime | None
    until: datetime | None
    closed: bool | None  # None: both open and closed
    page: int
    page_size: int


def _text(form: Mapping[str, str], name: str, limit: int = MAX_FIELD) -> str | None:
    value = (form.get(name) or "").strip()
    if len(value) > limit:
        raise Open311Error(400, f"{name} must be at most {limit:,} characters")
    return value or None


def _coordinate(form: Mapping[str, str], name: str, bound: float) -> float | None:
    raw = _text(form, name, 64)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, f"{name} must be a number (WGS84 degrees)") from None
    if not math.isfinite(value) or abs(value) > bound:
        raise Open311Error(400, f"{name} must be between -{bound:g} and {bound:g}")
    return value


def _media_url(form: Mapping[str, str]) -> str | None:
    url = _text(form, "media_url", MAX_MEDIA_URL)
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Open311Error(400, "media_url must be an http or https URL")
    return url


def new_request(form: Mapping[str, str]) -> NewRequest:
    """Return the validated fields of ``POST requests`` (the api_key is checked first)."""
    code = _text(form, "service_code", 64)
    if code is None:
        raise Open311Error(400, "service_code is required")
    latitude = _coordinate(form, "lat", 90)
    longitude = _coordinate(form, "long", 180)
    if (latitude is None) != (longitude is None):
        raise Open311Error(400, "lat and long must be given together")
    address_string = _text(form, "address_string", 1000)
    address_id = _text(form, "address_id")
    if latitude is None and address_string is None and address_id is None:
        raise Open311Error(400, "a location is required: lat and long, address_string "
                                "or address_id")
    description = (form.get("description") or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description must be at most {MAX_DESCRIPTION:,} characters")
    contact = tuple((name, value) for name in CONTACT_FIELDS
                    if (value := _text(form, name)) is not None)
    return NewRequest(service_code=code, description=description, latitude=latitude,
                      longitude=longitude, address_string=address_string,
                      address_id=address_id, media_url=_media_url(form), contact=contact)


def parse_datetime(name: str, raw: str | None) -> datetime | None:
    """Return an ISO 8601 / W3C time (UTC when it has no zone), or raise a 400 error."""
    if raw is None or not raw.strip():
        return None
    value = raw.strip()
    if value.endswith(("z", "Z")):
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Open311Error(400, f"{name} must be an ISO 8601 date-time, e.g. "
                                "2010-04-14T06:37:38-08:00") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _positive(name: str, raw: str | None, default: int, upper: int) -> int:
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise Open311Error(400, f"{name} must be a whole number") from None
    if not 1 <= value <= upper:
        raise Open311Error(400, f"{name} must be between 1 and {upper:,}")
    return value


def _csv(raw: str | None) -> list[str]:
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


def _status(raw: str | None) -> bool | None:
    wanted = {part.lower() for part in _csv(raw)}
    if not wanted:
        return None
    if not wanted <= {"open", "closed"}:
        raise Open311Error(400, "status must be open or closed (comma-delimited for both)")
    return None if len(wanted) == 2 else "closed" in wanted


def _window(start: datetime | None, end: datetime | None, now: datetime
            ) -> tuple[datetime, datetime | None]:
    """Return ``[since, until)`` on requested_datetime: 90 days at most, the last 90 by default."""
    if start is not None and end is not None:
        if end < start:
            raise Open311Error(400, "end_date must not be before start_date")
        if end - start > MAX_WINDOW:
            raise Open311Error(400, "start_date and end_date may be at most 90 days apart")
    if start is None:
        start = (end or now) - MAX_WINDOW
    if end is None:
        end = start + MAX_WINDOW if start + MAX_WINDOW < now else None
    # end_date is the latest time to include; the store's ``until`` is exclusive.
    return start, None if end is None else end + timedelta(microseconds=1)


def request_query(args: Mapping[str, str], now: datetime) -> RequestQuery:
    """Return the validated filters of ``GET requests``."""
    page = _positive("page", args.get("page"), 1, 1_000_000)
    page_size = _positive("page_size", args.get("page_size"), MAX_PAGE_SIZE, MAX_PAGE_SIZE)
    ids = _csv(args.get("service_request_id"))
    if ids:  # the spec: explicit ids override every other argument
        if len(ids) > MAX_REQUEST_IDS:
            raise Open311Error(400, f"at most {MAX_REQUEST_IDS:,} service_request_id values")
        references = tuple(dict.fromkeys(ref for i in ids if (ref := normalise_reference(i))))
        return RequestQuery(references, None, None, None, None, page, page_size)
    start = parse_datetime("start_date", args.get("start_date"))
    end = parse_datetime("end_date", args.get("end_date"))
    since, until = _window(start, end, now)
    codes = tuple(_csv(args.get("service_code"))) or None
    return RequestQuery(None, codes, since, until, _status(args.get("status")), page, page_size)
