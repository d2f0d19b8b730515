"""The exceptions ``handlers`` raise; none of them quotes a citizen's words or address."""

from __future__ import annotations


class HandlerError(Exception):
    """Root of every error raised by the conversation and the staff actions."""


class HandlingFailed(HandlerError):
    """A stored message could not be handled; it is marked failed and kept."""

    def __init__(self, inbound_id: int, reason: str) -> None:
        super().__init__(f"inbound message {inbound_id} could not be handled: {reason}")
        self.inbound_id = inbound_id


class MessageIdConflict(HandlerError, ValueError):
    """A channel message id already belongs to another sender's message."""


class CitizenUnreachable(HandlerError, ValueError):
    """The citizen stopped messages or was forgotten, so nothing may be sent to them."""
