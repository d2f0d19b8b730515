"""GeoReport v2 documents as JSON or XML, and the spec's error list.

A document is built once as plain values (dicts keep the spec's element order) and written
in either format: JSON as the spec's arrays and objects; XML with the spec's declaration,
root and element names (``services/service``, ``service_requests/request``,
``errors/error``, ``discovery``, ``service_definition``). Empty values are written as JSON
``null`` and as an empty XML element, as in the spec's examples.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET  # writing XML only, never parsing it
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from fastapi.responses import Response

from bot.text import clean_text, xml_safe

Format = Literal["json", "xml"]
FORMATS: tuple[Format, ...] = ("json", "xml")
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
MEDIA_TYPES: dict[Format, str] = {"json": "application/json; charset=utf-8",
                                  "xml": "text/xml; charset=utf-8"}

ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
"""The element each list's entries are written as in XML."""


class Open311Error(Exception):
    """A client error answered as the spec's list of ``{code, description}``."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def parse_format(value: str) -> Format:
    """Return the response format a path suffix names, or raise a 400 error."""
    lowered = value.strip().lower()
    for known in FORMATS:
        if lowered == known:
            return known
    raise Open311Error(400, "the format must be json or xml (e.g. services.json)")


def iso(moment: datetime | None) -> str | None:
    """Return a time as ISO 8601 with its zone and whole seconds (W3C form)."""
    return None if moment is None else moment.replace(microsecond=0).isoformat()


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return iso(value) or ""
    return xml_safe(str(value))


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def _xml_fill(parent: ET.Element, tag: str, value: Any) -> None:
    element = ET.SubElement(parent, tag)
    if isinstance(value, Mapping):
        for key, child in value.items():
            _xml_fill(element, key, child)
    elif isinstance(value, list | tuple):
        item_tag = ITEM_TAGS.get(tag, "item")
        for child in value:
            _xml_fill(element, item_tag, child)
    elif value is not None and not (isinstance(value, float) and not math.isfinite(value)):
        element.text = _scalar(value)


def to_xml(root: str, value: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> str:
    """Return ``value`` as an XML document whose root element is ``root``."""
    holder = ET.Element("holder")
    _xml_fill(holder, root, value)
    body = ET.tostring(holder[0], encoding="unicode", short_empty_elements=False)
    return f"{XML_DECLARATION}\n{body}"


def to_json(value: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> str:
    """Return ``value`` as JSON (lists stay arrays, as the spec's examples are)."""
    return json.dumps(_json_value(value), ensure_ascii=False, separators=(",", ":"))


def document(fmt: Format, root: str, value: Sequence[Mapping[str, Any]] | Mapping[str, Any],
             status: int = 200) -> Response:
    """Return ``value`` as a response in ``fmt``; ``root`` names the XML root element."""
    body = to_json(value) if fmt == "json" else to_xml(root, value)
    return Response(body, status_code=status, media_type=MEDIA_TYPES[fmt])


def error_response(error: Open311Error, fmt: Format = "json") -> Response:
    """Return the spec's error list with the error's HTTP status."""
    errors = [{"code": error.status, "description": error.description}]
    return document(fmt, "errors", errors, status=error.status)
