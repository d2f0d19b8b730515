"""Keep citizens' photos when the operator asks for it (``TELEGRAM_KEEP_PHOTOS``).

By default only Telegram's ``file_id`` is stored (the photo stays with Telegram). When
keeping is on, the largest size is fetched with ``getFile`` after the report is filed,
refused above ``TELEGRAM_PHOTO_MAX_BYTES``, saved under ``DATA_DIR/media/telegram/`` and
attached to the report. A failure is logged and never affects the report.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from telegram import Bot
from telegram.error import TelegramError

from bot.private_files import write_private
from bot.storage import AttachmentKind, FeedbackStore

logger = logging.getLogger(__name__)


async def keep_photo(bot: Bot, store: FeedbackStore, reference: str, file_id: str,
                     folder: Path, max_bytes: int) -> Path | None:
    """Download one photo for ``reference``; return where it was saved, or None."""
    item = await store.get_feedback(reference)
    if item is None:
        return None
    try:
        tg_file = await bot.get_file(file_id)
        if tg_file.file_size is not None and tg_file.file_size > max_bytes:
            logger.info("photo for %s not kept: %d bytes over the limit", reference,
                        tg_file.file_size)
            return None
        target = folder / reference / f"{tg_file.file_unique_id}.jpg"
        data = await tg_file.download_as_bytearray()
        if len(data) > max_bytes:
            return None
        await asyncio.to_thread(write_private, target, bytes(data))
    except (TelegramError, OSError) as exc:
        logger.warning("photo for %s not kept (%s)", reference, type(exc).__name__)
        return None
    await store.add_attachment(item.id, AttachmentKind.PHOTO, f"file:{target}",
                               actor="channel")
    return target
