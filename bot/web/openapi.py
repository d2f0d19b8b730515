"""The published OpenAPI schema, made true to what the routes answer.

FastAPI documents every 422 as its own list of validation errors, but ``bot.web.errors``
answers ``{"detail": "one line"}``; it leaves out the 400 for a body that is not JSON and
the 413 for one over the route's limit; and it knows nothing of the Open311 routes' own
errors (the spec's list of ``{code, description}`` in JSON or XML) or that their
``{fmt}`` is ``json`` or ``xml``. ``install_openapi`` corrects the generated document once,
when it is first asked for; ``tests/api_schema`` holds the server to it with schemathesis.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel


class ErrorOut(BaseModel):
    """Every error this service answers in JSON: one short line saying what is wrong."""

    detail: str


ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
OPEN311_PREFIX = "/open311/v2/"
OPEN311_ERRORS = {
    "type": "array",
    "items": {"type": "object", "required": ["code", "description"],
              "properties": {"code": {"type": "integer"}, "description": {"type": "string"}}},
}
_FRAMEWORK_SCHEMAS = ("HTTPValidationError", "ValidationError")
_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def _json_error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


def _open311_error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": OPEN311_ERRORS},
                        "text/xml": {"schema": {"type": "string"}}}}


def _fix_operation(path: str, operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if path.startswith(OPEN311_PREFIX):
        responses.pop("422", None)
        ok = responses.setdefault("200", {"description": "Successful Response"})
        ok["content"] = {"application/json": {"schema": {}},
                         "text/xml": {"schema": {"type": "string"}}}
        responses.setdefault("400", _open311_error("A bad argument, or a format other than "
                                                   "json or xml"))
        responses.setdefault("403", _open311_error("api_key missing (where needed) or invalid"))
        responses.setdefault("404", _open311_error("No such service or service request"))
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "path" and parameter.get("name") == "fmt":
                parameter["schema"] = {"type": "string", "enum": ["json", "xml"]}
    elif "422" in responses:
        responses["422"] = _json_error("A path, query or body field is missing or invalid")
    body = operation.get("requestBody", {}).get("content", {})
    if "application/json" in body and not path.startswith(OPEN311_PREFIX):
        responses.setdefault("400", _json_error("The body is not valid JSON, or a value is "
                                                "refused"))
    if body:
        responses.setdefault("413", {
            "description": "The body is over this route's size limit; it was not read",
            "content": {"application/json": {"schema": ERROR_REF},
                        "text/plain": {"schema": {"type": "string"}}}})


def true_schema(document: dict[str, Any]) -> dict[str, Any]:
    """Correct a generated OpenAPI ``document`` in place (see the module docstring)."""
    for path, operations in document.get("paths", {}).items():
        for operation in operations.values():
            _fix_operation(path, operation)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in _FRAMEWORK_SCHEMAS:
        schemas.pop(name, None)
    schemas.setdefault("ErrorOut", ErrorOut.model_json_schema())
    return document


@lru_cache(maxsize=256)
def _template(path: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", path)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts))


def documented_methods(document: dict[str, Any], path: str) -> set[str]:
    """Return the methods ``document`` lists for the path template ``path`` matches."""
    methods: set[str] = set()
    for template, operations in document.get("paths", {}).items():
        if _template(template).fullmatch(path):
            methods |= {m.upper() for m in operations if m.lower() in _METHODS}
    return methods


def install_openapi(app: FastAPI) -> None:
    """Serve ``true_schema`` of the app's generated schema at ``/openapi.json``."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = true_schema(get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
