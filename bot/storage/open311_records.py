"""Records of reports forwarded to a city's Open311 (GeoReport v2) endpoint.

A ``Open311Forward`` moves through these states::

    pending -> sending -> sent -> closed
                     \\-> token_pending -> sent        (the city answered with a token)
    pending/sending/token_pending -> failed_permanent (the city refused it, or we gave up)
    pending/sending/token_pending -> cancelled        (the report left the area or was erased)

``pending`` and ``token_pending`` rows are due at ``next_attempt_at``; ``sending`` rows are
held by a worker until ``lease_until``, after which another worker may take them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Open311State(StrEnum):
    """Where a forward stands (see the module docstring for the transitions)."""

    PENDING = "pending"
    SENDING = "sending"
    TOKEN_PENDING = "token_pending"  # noqa: S105  a state, not a secret
    SENT = "sent"
    CLOSED = "closed"
    FAILED_PERMANENT = "failed_permanent"
    CANCELLED = "cancelled"

    @property
    def in_flight(self) -> bool:
        """Return True while the forwarder still has work to do on the row."""
        return self in (Open311State.PENDING, Open311State.SENDING, Open311State.TOKEN_PENDING)


@dataclass(frozen=True, slots=True)
class Open311Target:
    """An area whose reports go to ``endpoint``, held until staff confirm if asked to."""

    area: str
    endpoint: str
    requires_confirmation: bool = False


@dataclass(frozen=True, slots=True)
class Open311Forward:
    """One report's trip to a city's Open311 endpoint and what the city said since.

    ``external_id`` is the city's ``service_request_id``; ``external_token`` the token it
    answered with when it could not give an id at once. ``attempts`` counts claims (each
    is one try at posting or resolving the token). ``external_status`` (``open`` or
    ``closed``) and ``external_status_notes`` are the city's, as last read by the status
    sync at ``last_synced_at``. No field holds the citizen's words, address or the API key.
    """

    id: int
    feedback_id: int
    reference: str
    area: str
    endpoint: str
    state: Open311State
    external_id: str | None
    external_token: str | None
    attempts: int
    uncertain: bool
    next_attempt_at: datetime
    lease_until: datetime | None
    last_error: str | None
    external_status: str | None
    external_status_notes: str | None
    last_synced_at: datetime | None
    sent_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def failed(self) -> bool:
        """Return True if it needs an admin: refused, given up, or failing and retrying."""
        return self.state is Open311State.FAILED_PERMANENT or (
            self.state.in_flight and self.last_error is not None
        )
