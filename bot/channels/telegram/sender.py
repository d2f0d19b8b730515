"""Outbound Telegram messages through PTB's rate-limited bot, with errors the outbox knows.

A 429 becomes ``SendError(retry_after=...)``; "bot was blocked" (403) becomes a permanent,
opted-out ``SendError``; texts over Telegram's 4,096 characters are split at line or word
breaks. Error messages never include the bot token, chat id or text.
"""

from __future__ import annotations

import datetime as dtm
import warnings

from telegram import Bot, InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove
from telegram.constants import MessageLimit
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from bot.channels.base import SendError
from bot.channels.telegram.adapter import CHANNEL

MAX_CHARS = int(MessageLimit.MAX_TEXT_LENGTH)
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


def _units(text: str) -> int:
    """Return the length Telegram counts: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_CHARS) -> list[str]:
    """Split ``text`` into parts Telegram accepts, preferring line, then word, breaks."""
    parts: list[str] = []
    rest = text
    while _units(rest) > limit:
        cut = limit
        while _units(rest[:cut]) > limit:
            cut -= 1
        window = rest[:cut]
        brk = max(window.rfind("\n"), window.rfind(" "))
        if brk > cut // 2:
            cut = brk + 1
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest or not parts:
        parts.append(rest)
    return parts


def retry_seconds(exc: RetryAfter) -> float:
    """Return how long Telegram asked us to wait, whatever PTB's time type."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def as_send_error(exc: TelegramError) -> SendError:
    """Translate a PTB error into the ``SendError`` the outbox understands."""
    name = type(exc).__name__
    if isinstance(exc, RetryAfter):
        return SendError("telegram rate limit (429)", retry_after=retry_seconds(exc))
    if isinstance(exc, Forbidden):  # blocked, deactivated, kicked: the citizen is gone
        return SendError("telegram refused (403): bot blocked or user deactivated",
                         permanent=True, opted_out=True)
    if isinstance(exc, BadRequest):
        gone = "chat not found" in exc.message.lower()
        return SendError(f"telegram bad request ({name})", permanent=True, opted_out=gone)
    if isinstance(exc, NetworkError):
        return SendError(f"telegram network error ({name})")
    return SendError(f"telegram error ({name})")


class TelegramSender:
    """The ``ChannelSender`` for Telegram: ``address`` is the chat id."""

    channel = CHANNEL

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send_text(self, address: str, text: str) -> str | None:
        """Send ``text`` (split if long); return the last message id."""
        return await self.send(int(address), text)

    async def send(self, chat_id: int, text: str, markup: Markup | None = None) -> str:
        """Send ``text`` to ``chat_id``; ``markup`` goes with the last part."""
        parts = split_text(text)
        message_id = ""
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            try:
                sent = await self._bot.send_message(
                    chat_id=chat_id, text=part, reply_markup=markup if last else None)
            except TelegramError as exc:
                raise as_send_error(exc) from None
            message_id = str(sent.message_id)
        return message_id
