"""A GeoReport v2 (Open311) client on ``httpx.AsyncClient``: create, resolve a token, read status.

Every call takes the endpoint's base URL (``https://city.example/open311/v2/``) and asks for
JSON (``requests.json``, ``tokens/{token}.json``). Failures raise ``Open311Error`` saying
whether to retry (``permanent``), when (``retry_after``, from a 429's ``Retry-After``) and
whether the city may have acted on the request anyway (``uncertain``: the request was sent
but no answer came back, or a gateway timed out). Error texts name the method, the
document and the city's error description; never the API key or the report's words.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

logger = logging.getLogger(__name__)

_MAX_ERROR = 300
_UNCERTAIN_STATUSES = frozenset({502, 504})  # a gateway gave up; the city may have it


class Open311Error(Exception):
    """A call to an Open311 endpoint failed (the message is safe to store and show)."""

    def __init__(self, message: str, *, permanent: bool = False,
                 retry_after: float | None = None, uncertain: bool = False,
                 status: int | None = None) -> None:
        super().__init__(message[:_MAX_ERROR])
        self.permanent = permanent
        self.retry_after = retry_after
        self.uncertain = uncertain
        self.status = status


@dataclass(frozen=True, slots=True)
class NewRequest:
    """What a ``POST requests.json`` sends; ``description`` must already be redacted."""

    service_code: str
    description: str = field(repr=False)
    lat: float | None = None
    long: float | None = None
    address_string: str | None = field(default=None, repr=False)
    jurisdiction_id: str | None = None

    def form(self, api_key: str | None) -> dict[str, str]:
        """Return the form fields, leaving out what is unknown."""
        fields = {"service_code": self.service_code, "description": self.description}
        if api_key:
            fields["api_key"] = api_key
        if self.jurisdiction_id:
            fields["jurisdiction_id"] = self.jurisdiction_id
        if self.lat is not None and self.long is not None:
            fields["lat"], fields["long"] = repr(self.lat), repr(self.long)
        if self.address_string:
            fields["address_string"] = self.address_string
        return fields


@dataclass(frozen=True, slots=True)
class Created:
    """The city's answer to a new request: its id, or a token to exchange for one later."""

    service_request_id: str | None
    token: str | None


@dataclass(frozen=True, slots=True)
class RequestStatus:
    """One request as ``GET requests.json`` describes it."""

    service_request_id: str
    status: str
    status_notes: str | None
    description: str | None = field(default=None, repr=False)


def _url(endpoint: str, document: str) -> str:
    return endpoint.rstrip("/") + "/" + document


def _text(value: Any) -> str | None:
    """Return an id or note as text (some servers send ids as numbers), None when empty."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None  # an HTTP date, or nothing: the caller's backoff decides


def _city_error(response: httpx.Response) -> str:
    """Return the city's error description (GeoReport's ``[{code, description}]``)."""
    try:
        body = response.json()
    except ValueError:
        return response.reason_phrase or "error"
    errors = body if isinstance(body, list) else [body]
    words = [_text(e.get("description")) for e in errors if isinstance(e, dict)]
    return "; ".join(w for w in words if w) or response.reason_phrase or "error"


class GeoReportClient:
    """Talks GeoReport v2 over a shared ``httpx.AsyncClient`` (the caller closes it)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def create(self, endpoint: str, api_key: str | None, request: NewRequest) -> Created:
        """POST a new service request; return the city's id or token."""
        body = await self._call("POST", endpoint, "requests.json", data=request.form(api_key))
        first = body[0] if isinstance(body, list) and body else body
        if isinstance(first, dict):
            created = Created(_text(first.get("service_request_id")), _text(first.get("token")))
            if created.service_request_id or created.token:
                return created
        # The city answered success without an id or token: it probably has the report.
        raise Open311Error("POST requests.json: the answer had no service_request_id or token",
                           uncertain=True)

    async def resolve_token(self, endpoint: str, token: str,
                            jurisdiction_id: str | None = None) -> str | None:
        """Return the id a token stands for, or None while the city has not assigned one."""
        params = {"jurisdiction_id": jurisdiction_id} if jurisdiction_id else None
        try:
            body = await self._call("GET", endpoint, f"tokens/{token}.json", params=params)
        except Open311Error as exc:
            if exc.status == 404:  # many servers say "not found" until the id exists
                return None
            raise
        for entry in body if isinstance(body, list) else [body]:
            if isinstance(entry, dict) and _text(entry.get("service_request_id")):
                return _text(entry.get("service_request_id"))
        return None

    async def statuses(self, endpoint: str, ids: Sequence[str],
                       jurisdiction_id: str | None = None) -> list[RequestStatus]:
        """Return the status of each listed request the city knows (in one GET)."""
        params = {"service_request_id": ",".join(ids)}
        if jurisdiction_id:
            params["jurisdiction_id"] = jurisdiction_id
        return self._statuses(await self._call("GET", endpoint, "requests.json", params=params))

    async def search(self, endpoint: str, service_code: str, since: datetime,
                     jurisdiction_id: str | None = None) -> list[RequestStatus]:
        """Return requests of ``service_code`` filed since ``since`` (to find our own)."""
        params = {"service_code": service_code, "start_date": since.isoformat()}
        if jurisdiction_id:
            params["jurisdiction_id"] = jurisdiction_id
        return self._statuses(await self._call("GET", endpoint, "requests.json", params=params))

    @staticmethod
    def _statuses(body: Any) -> list[RequestStatus]:
        found = []
        for entry in body if isinstance(body, list) else []:
            if not isinstance(entry, dict):
                continue
            request_id, status = _text(entry.get("service_request_id")), _text(entry.get("status"))
            if request_id and status:
                found.append(RequestStatus(request_id, status.lower(),
                                           _text(entry.get("status_notes")),
                                           _text(entry.get("description"))))
        return found

    async def _call(self, method: str, endpoint: str, document: str, *,
                    data: Mapping[str, str] | None = None,
                    params: Mapping[str, str] | None = None) -> Any:
        what = f"{method} {document.split('/')[0]}"
        sending = method == "POST"
        try:
            response = await self._http.request(method, _url(endpoint, document), data=data,
                                                params=params, follow_redirects=not sending)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise Open311Error(f"{what}: cannot connect ({type(exc).__name__})") from None
        except httpx.TimeoutException as exc:
            raise Open311Error(f"{what}: no answer in time ({type(exc).__name__})",
                               uncertain=sending) from None
        except httpx.HTTPError as exc:
            raise Open311Error(f"{what}: {type(exc).__name__}", uncertain=sending) from None
        status = response.status_code
        if status == 429:
            raise Open311Error(f"{what}: 429 too many requests",
                               retry_after=_retry_after(response), status=status)
        if status >= 500:
            raise Open311Error(f"{what}: {status} {_city_error(response)}",
                               uncertain=sending and status in _UNCERTAIN_STATUSES,
                               status=status)
        if status >= 300:
            raise Open311Error(f"{what}: {status} {_city_error(response)}",
                               permanent=status != 408, status=status)
        try:
            return response.json()
        except ValueError:
            raise Open311Error(f"{what}: {status} but the answer is not JSON",
                               uncertain=sending) from None
