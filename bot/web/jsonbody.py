"""Parse a JSON request body that a route reads itself, with a bound on nesting.

``json.loads`` recurses once per level and raises ``RecursionError`` (a 500) on a body
nested 100,000 deep; orjson stops at 1,024 levels with a decode error, and ``loads`` then
refuses anything deeper than ``MAX_DEPTH``, which no webhook or form this service reads
comes near. Every failure is a ``BadJson`` (a ``ValueError``), answered as a 400.
"""

from __future__ import annotations

from typing import Any

import orjson

MAX_DEPTH = 64


class BadJson(ValueError):
    """The body is not JSON we accept; the message says why, without quoting it."""


def depth(value: Any) -> int:
    """Return how deeply ``value``'s lists and objects nest (a scalar is 0)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(
            node, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children
                     if isinstance(child, dict | list))
    return deepest


def loads(body: bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Return the JSON value in ``body``; raise ``BadJson`` if it is not one or nests too deep."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if "depth" in str(exc).lower() or "recursion" in str(exc).lower():
            raise BadJson(f"the JSON body nests deeper than {max_depth} levels") from None
        raise BadJson("the request body is not valid JSON") from None
    if depth(value) > max_depth:
        raise BadJson(f"the JSON body nests deeper than {max_depth} levels")
    return value
