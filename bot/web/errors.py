"""JSON error handlers: every client error is ``{"detail": "..."}`` with a 4xx status.

``install_error_handlers(app)`` maps the exceptions routes and services raise:

* invalid JSON in a request body -> 400; other ``RequestValidationError`` -> 422 with the
  first problem in one short line (``query.limit: Input should be ...``);
* ``Forbidden`` -> 403; any other ``PermissionError`` -> 404, so a staff member cannot
  tell an item outside their areas from one that does not exist;
* ``LookupError`` -> 404; ``ValueError`` -> 400;
* a client that hung up mid-request -> one short log line now and then
  (``bot.web.limits``), never a traceback;
* anything else -> 500 ``{"detail": "internal error"}``, logged with its traceback.

Reasons never quote the request body back, so a citizen's words or a token cannot end up in
a response or a log through this module.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.web.limits import ClientDisconnect, client_disconnected
from bot.web.openapi import ErrorOut, documented_methods

__all__ = ["ErrorOut", "Forbidden", "error_response", "install_error_handlers"]

logger = logging.getLogger(__name__)

MAX_REASON_CHARS = 300
NOT_FOUND = "not found"
_NOT_AN_OBJECT = frozenset({"model_type", "model_attributes_type", "dict_type"})


class Forbidden(PermissionError):
    """The caller is known but may not do this, and saying so reveals nothing (403)."""


def _reason(value: object) -> str:
    line = " ".join(str(value).split())
    return line[:MAX_REASON_CHARS] or "bad request"


def error_response(
    status_code: int, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """Return the one JSON error shape every route uses."""
    return JSONResponse({"detail": _reason(detail)}, status_code=status_code, headers=headers)


def _location(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc)


def validation_reason(errors: Sequence[Any]) -> str:
    """Return the first validation problem as ``where: what`` (and how many more)."""
    if not errors:
        return "invalid request"
    first = errors[0]
    if tuple(first.get("loc", ())) == ("body",) and first.get("type") in _NOT_AN_OBJECT:
        return "the request body must be a JSON object (Content-Type: application/json)"
    where, what = _location(first.get("loc", ())), first.get("msg", "invalid value")
    reason = f"{where}: {what}" if where else str(what)
    if len(errors) > 1:
        reason += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return reason


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(status.HTTP_400_BAD_REQUEST, "request body is not valid JSON")
    return error_response(status.HTTP_422_UNPROCESSABLE_CONTENT, validation_reason(errors))


async def _permission(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, Forbidden):
        return error_response(status.HTTP_403_FORBIDDEN, str(exc) or "forbidden")
    return error_response(status.HTTP_404_NOT_FOUND, NOT_FOUND)


async def _lookup(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, KeyError | IndexError):  # a bug, not a missing resource
        return await _unexpected(request, exc)
    return error_response(status.HTTP_404_NOT_FOUND, str(exc) or NOT_FOUND)


async def _value(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, ValidationError):  # our own model failed to build: a bug
        return await _unexpected(request, exc)
    return error_response(status.HTTP_400_BAD_REQUEST, str(exc) or "bad request")


async def _http(request: Request, exc: Exception) -> Response:
    """Starlette's own errors; a 405 names every method the path serves (as the published
    schema documents them), not only those of the first route that matched."""
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        methods = documented_methods(request.app.openapi(), request.url.path)
        if methods:
            exc.headers = {**(exc.headers or {}), "Allow": ", ".join(sorted(methods))}
    return await http_exception_handler(request, exc)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.error("unhandled error in %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(status.HTTP_500_INTERNAL_SERVER_ERROR, "internal error")


def install_error_handlers(app: FastAPI) -> None:
    """Make every error ``app`` answers JSON: 4xx for client errors, 500 only for bugs."""
    # A hang-up is handled here, not as a 500: that handler's error is re-raised to the
    # server, which logs a traceback for it.
    app.add_exception_handler(ClientDisconnect, client_disconnected)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(PermissionError, _permission)
    app.add_exception_handler(LookupError, _lookup)
    app.add_exception_handler(ValueError, _value)
    app.add_exception_handler(Exception, _unexpected)
