"""What every channel hands the conversation, and what it offers for sending.

A channel adapter verifies the request, turns the payload into an ``InboundMessage`` and
passes it on; the conversation is written once against this type (as Zulip writes bots
against ``AbstractBotHandler``). Outbound, a channel is a ``ChannelSender``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.text import clean_text, valid_coordinates


@dataclass(frozen=True, slots=True)
class Media:
    """A photo or file attached to a message: a channel's file id or a URL, never bytes."""

    kind: str  # "photo", "file", "media_url"
    value: str
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message from a citizen, whatever channel it came by.

    ``sender`` is the channel's address for the citizen (phone number, Telegram chat id,
    web sender id); it is pseudonymised before storage and never logged.
    ``channel_message_id`` is the channel's own id (Telegram ``update_id``, Twilio
    ``MessageSid``, the web client's message id) and makes redelivery harmless.

    Building one cleans ``text`` (``bot.text.clean_text``: no control characters, whatever
    the channel) and refuses, with ``ValueError``, a location that is not finite or not on
    the globe, or half a location.
    """

    channel: str
    sender: str
    channel_message_id: str
    text: str
    received_at: datetime
    media: tuple[Media, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    language: str | None = None
    edited: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", clean_text(self.text))
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("a location needs both latitude and longitude")
        if self.latitude is not None and self.longitude is not None and not (
                valid_coordinates(self.latitude, self.longitude)):
            raise ValueError("a location must be finite, within ±90 and ±180 degrees")


class SendError(Exception):
    """Sending failed. ``retry_after`` (seconds) when the channel asked us to wait;
    ``permanent`` when retrying cannot help (blocked bot, opted-out number)."""

    def __init__(self, message: str, *, retry_after: float | None = None,
                 permanent: bool = False, opted_out: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent
        self.opted_out = opted_out


class ChannelSender(Protocol):
    """Delivers text to a citizen's address on one channel."""

    channel: str

    async def send_text(self, address: str, text: str) -> str | None:
        """Send ``text``; return the provider's message id. Raise ``SendError`` on failure."""
        ...
