"""Turn a Telegram ``Update`` into the channel-neutral ``InboundMessage``.

Pure and synchronous: no network, no storage. The ``update_id`` becomes the
``channel_message_id``, so a redelivered update is recognised by the conversation.
"""

from __future__ import annotations

import logging

from telegram import Chat, Message, Update

from bot.channels.base import InboundMessage, Media
from bot.text import valid_coordinates

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")
"""The update types asked for in ``setWebhook`` and ``getUpdates``."""

_UNSUPPORTED = (
    "sticker", "poll", "dice", "voice", "video_note", "video", "audio", "animation",
    "document", "contact", "venue", "game", "story",
)  # fmt: skip


def message_of(update: Update) -> Message | None:
    """Return the citizen or staff message an update carries (new or edited), else None."""
    return update.message or update.edited_message


def is_private(message: Message) -> bool:
    return message.chat.type == Chat.PRIVATE


def command_of(message: Message) -> tuple[str, list[str]] | None:
    """Return ``("/name", args)`` when the message text is a bot command, else None."""
    text = (message.text or "").strip()
    if not text.startswith("/"):
        return None
    words = text.split()
    return words[0].split("@", 1)[0].lower(), words[1:]


def unsupported_kind(message: Message) -> str | None:
    """Return what the message holds that the conversation cannot read (e.g. ``sticker``)."""
    if message.venue is not None:
        return None  # a venue carries a location, which is kept
    for kind in _UNSUPPORTED:
        if getattr(message, kind, None):
            return kind
    return None


def to_inbound(update: Update) -> InboundMessage | None:
    """Return the update as an ``InboundMessage``, or None when it is not a chat message
    (or carries a location no phone could send: not finite, or off the globe)."""
    message = message_of(update)
    if message is None or message.chat is None:
        return None
    text = message.text or message.caption or ""
    media: tuple[Media, ...] = ()
    if message.photo:
        largest = max(message.photo, key=lambda size: size.width * size.height)
        media = (Media(kind="photo", value=largest.file_id, content_type="image/jpeg"),)
    latitude = longitude = None
    location = message.location or (message.venue.location if message.venue else None)
    if location is not None:
        latitude, longitude = location.latitude, location.longitude
        if not valid_coordinates(latitude, longitude):
            logger.warning("refused telegram update %d: its location is not on the globe",
                           update.update_id)
            return None
    extra: dict[str, str] = {}
    kind = unsupported_kind(message)
    if kind and not text and not media:
        extra["unsupported"] = kind
    user = message.from_user
    return InboundMessage(
        channel=CHANNEL, sender=str(message.chat.id),
        channel_message_id=str(update.update_id), text=text,
        received_at=(message.edit_date if update.edited_message else None) or message.date,
        media=media, latitude=latitude, longitude=longitude,
        language=user.language_code if user else None,
        edited=update.edited_message is not None, extra=extra,
    )  # fmt: skip
