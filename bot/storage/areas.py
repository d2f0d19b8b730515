"""The service-area record: the taxonomy staff route to, with its Open311 forwarding."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

AREA_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
"""An area code: lower-case letters, digits and underscores, 2-40 characters."""

AREA_FIELDS = frozenset({
    "label", "description", "group", "keywords", "requires_confirmation",
    "open311_endpoint", "open311_service_code", "open311_api_key_encrypted",
    "open311_jurisdiction_id",
})
"""What ``update_area`` may change; ``retire_area`` does the rest."""


def check_area_code(code: str) -> str:
    """Return ``code`` if it is a valid area code, else raise ``ValueError``."""
    if not AREA_CODE.match(code):
        raise ValueError(f"area code {code!r} must be 2-40 lower-case letters, digits or _, "
                         "starting with a letter")
    return code


@dataclass(frozen=True, slots=True)
class ServiceArea:
    """One service area. ``moved_to`` names where a retired area's work went.

    ``requires_confirmation`` holds Open311 forwarding until staff confirm the area. The
    Open311 API key is kept encrypted (``bot.security.AddressCipher``) and out of ``repr``.
    """

    code: str
    label: str
    description: str = ""
    group: str = ""
    keywords: tuple[str, ...] = ()
    active: bool = True
    moved_to: str | None = None
    requires_confirmation: bool = False
    open311_endpoint: str | None = None
    open311_service_code: str | None = None
    open311_api_key_encrypted: str | None = field(default=None, repr=False)
    open311_jurisdiction_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    retired_at: datetime | None = None

    @property
    def forwards_to_open311(self) -> bool:
        """Whether this area's reports go to a city's Open311 endpoint."""
        return bool(self.active and self.open311_endpoint and self.open311_service_code)
