"""The Telegram channel (python-telegram-bot v22): webhook or polling, citizens and staff.

``start_telegram`` is what ``bot.app`` calls in its lifespan: with no token it says once
that the channel is off and returns None; otherwise it starts the PTB ``Application``,
adds the sender to the outbox and the staff-group alerts to ``alerts``. If the Bot API is
unreachable at start-up the channel is still returned: it keeps trying in the background
(capped backoff) while the webhook route takes updates and the outbox holds the replies.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.channels.telegram.alerts import AlertFanout
from bot.channels.telegram.runtime import TelegramChannel

if TYPE_CHECKING:
    from bot.services import Services
    from bot.settings import Settings

__all__ = ["AlertFanout", "TelegramChannel", "start_telegram", "stop_telegram"]

logger = logging.getLogger(__name__)


async def start_telegram(settings: Settings, services: Services,
                         alerts: AlertFanout | None = None) -> TelegramChannel | None:
    """Start the channel if a token is set; return it (None when off)."""
    if not settings.telegram_enabled:
        logger.info("Telegram channel off (no TELEGRAM_BOT_TOKEN)")
        return None
    channel = TelegramChannel(settings, services)
    try:
        await channel.start()
    except Exception as exc:  # the other channels keep working meanwhile
        logger.error("Telegram channel could not start (%s); retrying in the background",
                     type(exc).__name__)
        channel.keep_connecting()
    if services.outbox is not None:
        services.outbox.add_sender(channel.sender)
    if alerts is not None:
        alerts.add(channel.alerts)
    return channel


async def stop_telegram(channel: TelegramChannel | None,
                        alerts: AlertFanout | None = None) -> None:
    """Stop what ``start_telegram`` started."""
    if channel is None:
        return
    if alerts is not None:
        alerts.remove(channel.alerts)
    await channel.stop()
