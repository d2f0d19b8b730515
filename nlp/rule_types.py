"""The two shapes of a matching rule (see ``nlp.rules``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Near:
    """Phrases from ``a`` and from ``b`` within ``gap`` tokens of each other, either order."""

    a: tuple[str, ...]
    b: tuple[str, ...]
    gap: int = 4


Rule = tuple[str, ...] | Near
