"""The PTB ``Application`` in webhook or polling mode, and the one path every update takes.

Webhook: ``accept`` starts handling in a background task and waits (briefly) only until the
conversation has *stored* the message, then the route answers 200; if storing failed it
answers 503 so Telegram delivers the update again (the ``update_id`` makes that harmless).
Polling: PTB's updater feeds the same ``process`` through a ``TypeHandler``. Each update is
handled on its own; one that fails is logged and never holds up the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import random
from typing import TYPE_CHECKING, Any

from telegram import Bot, CallbackQuery, Update
from telegram.ext import AIORateLimiter, Application, ContextTypes, TypeHandler

from bot.channels.telegram import keyboards, texts
from bot.channels.telegram.adapter import (
    ALLOWED_UPDATES,
    command_of,
    is_private,
    message_of,
    to_inbound,
)
from bot.channels.telegram.admin import AdminDesk
from bot.channels.telegram.citizens import CitizenDesk
from bot.channels.telegram.links import StaffLinks
from bot.channels.telegram.photos import keep_photo
from bot.channels.telegram.sender import TelegramSender
from bot.channels.telegram.staff import StaffDesk, TelegramAlerts
from handlers.errors import HandlingFailed

if TYPE_CHECKING:
    from bot.services import Services
    from bot.settings import Settings

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
ACK_WAIT_SECONDS = 5.0
DRAIN_SECONDS = 10.0
RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 300.0
_Stored = asyncio.Future[bool]


def webhook_secret(settings: Settings) -> str:
    """Return ``TELEGRAM_WEBHOOK_SECRET``, or one derived from ``SECRET_KEY`` when unset."""
    given = settings.telegram_webhook_secret.get_secret_value()
    if given:
        return given
    return hmac.new(settings.secret.encode(), b"telegram-webhook", hashlib.sha256).hexdigest()


def file_base_url(api_base_url: str) -> str:
    """Return PTB's ``base_file_url`` beside ``base_url`` (``.../bot`` -> ``.../file/bot``)."""
    root = api_base_url.removesuffix("/bot")
    return f"{root}/file/bot"


def quiet_token_loggers() -> None:
    """Keep the bot token (in every Bot API URL) and request bodies out of the logs."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(logging.INFO)


class TelegramChannel:
    """Owns the PTB ``Application`` and routes updates to the citizen and staff desks."""

    def __init__(self, settings: Settings, services: Services) -> None:
        self.settings = settings
        self.secret = webhook_secret(settings)
        self.polling = settings.telegram_mode == "polling"
        builder = (Application.builder()
                   .token(settings.telegram_bot_token.get_secret_value())
                   .base_url(settings.telegram_api_base_url)
                   .base_file_url(file_base_url(settings.telegram_api_base_url))
                   .rate_limiter(AIORateLimiter())
                   .concurrent_updates(32))
        if not self.polling:
            builder = builder.updater(None)
        self.application: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self.sender = TelegramSender(self.application.bot)
        self.links = StaffLinks(services.store, settings.secret)
        self.alerts = TelegramAlerts(self.links, self.sender)
        self._services = services
        self._citizens = CitizenDesk(services, self.sender)
        self._staff = StaffDesk(services, self.links, self.sender)
        self._admin = AdminDesk(services, self.links, self.sender)
        self._tasks: set[asyncio.Task[None]] = set()
        self._connecting: asyncio.Task[None] | None = None
        self.connected = False

    @property
    def bot(self) -> Bot:
        return self.application.bot

    def keep_connecting(self, first_delay: float = RETRY_FIRST_SECONDS) -> None:
        """Retry ``start`` in the background, with capped backoff and jitter, until it works.

        Meanwhile the webhook route keeps taking updates (stored first, as always) and
        replies wait in the outbox, which retries them until Telegram answers again.
        """
        if self._connecting is None or self._connecting.done():
            self._connecting = asyncio.create_task(self._connect_loop(first_delay),
                                                   name="telegram-connect")

    async def _connect_loop(self, delay: float) -> None:
        attempt = 1
        while True:
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))  # noqa: S311 - jitter
            attempt += 1
            try:
                await self.start()
            except Exception as exc:
                delay = min(delay * 2, RETRY_MAX_SECONDS)
                logger.warning("Telegram still unreachable (attempt %d, %s); next try in "
                               "about %.0f s", attempt, type(exc).__name__, delay)
                continue
            logger.info("Telegram reachable again after %d attempts", attempt)
            return

    async def start(self) -> None:
        """Connect (``getMe``), then set the webhook or start polling."""
        quiet_token_loggers()
        await self.application.initialize()
        if self.polling:
            assert self.application.updater is not None
            await self.application.updater.start_polling(
                allowed_updates=list(ALLOWED_UPDATES), poll_interval=0.0, timeout=10)
        elif self.settings.public_base_url:
            await self.bot.set_webhook(
                url=self.settings.public_base_url + WEBHOOK_PATH, secret_token=self.secret,
                allowed_updates=list(ALLOWED_UPDATES), max_connections=40)
        else:
            logger.warning("Telegram webhook mode without PUBLIC_BASE_URL: setWebhook skipped")
        if not self.application.running:
            await self.application.start()
        self.connected = True
        logger.info("Telegram channel on (%s)", "polling" if self.polling else "webhook")

    async def stop(self) -> None:
        """Stop taking updates, finish those in hand, then disconnect."""
        if self._connecting is not None:
            self._connecting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._connecting
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=DRAIN_SECONDS)
        await self._admin.stop()
        await self.application.shutdown()

    async def accept(self, data: dict[str, Any]) -> bool:
        """Start handling a webhook update; return False if it could not be stored."""
        update = Update.de_json(data, self.bot)
        stored: _Stored = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(self.process(update, stored), name="telegram-update")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        try:
            return await asyncio.wait_for(asyncio.shield(stored), ACK_WAIT_SECONDS)
        except TimeoutError:
            return True  # still working; storing comes first, so it is on disk by now

    async def _on_update(self, update: object, _: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(update, Update):
            await self.process(update)

    async def _on_error(self, _: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        logger.error("telegram update failed (%s)", type(context.error).__name__)

    async def process(self, update: Update, stored: _Stored | None = None) -> None:
        """Handle one update; never raises."""
        try:
            if update.callback_query is not None:
                _settle(stored, True)
                await self._press(update.callback_query)
                return
            await self._message(update, stored)
        except Exception as exc:
            logger.error("telegram update %d failed (%s)", update.update_id,
                         type(exc).__name__, exc_info=exc)
        finally:
            _settle(stored, True)

    async def _message(self, update: Update, stored: _Stored | None) -> None:
        message = message_of(update)
        if message is None or message.chat is None:
            return  # channel posts and other update types: nothing to say
        command = command_of(message) if update.message is not None else None
        if command is not None:
            name, args = command
            if await self._staff.command(message, name, args):
                return
            if name == "/retrain":
                await self._admin.retrain(message, args)
                return
            if name == "/privacy" and is_private(message):
                await self._citizens.deliver(str(message.chat.id), texts.PRIVACY)
                return
        if not is_private(message):
            return  # groups: only staff commands; a reply to anything else would be noise
        inbound = to_inbound(update)
        if inbound is None:
            return
        try:
            outcome = await self._services.conversation.receive(
                inbound, on_stored=lambda: _settle(stored, True))  # 200 once it is stored
        except HandlingFailed:
            _settle(stored, True)  # stored and marked failed: a redelivery cannot help
            raise
        except Exception:
            _settle(stored, False)  # maybe not stored: ask Telegram to deliver it again
            raise
        _settle(stored, True)
        await self._citizens.answer(inbound, outcome)
        settings = self._services.settings
        if settings.telegram_keep_photos and outcome.reference and not outcome.duplicate:
            for media in inbound.media:
                if media.kind == "photo":
                    await keep_photo(self.bot, self._services.store, outcome.reference,
                                     media.value, settings.data_dir / "media" / "telegram",
                                     settings.telegram_photo_max_bytes)

    async def _press(self, query: CallbackQuery) -> None:
        press = keyboards.parse(query.data)
        if press is None:
            await query.answer()
        elif press.scope == keyboards.CITIZEN:
            await self._citizens.press(query, press)
        else:
            await self._staff.press(query, press)


def _settle(stored: _Stored | None, ok: bool) -> None:
    if stored is not None and not stored.done():
        with contextlib.suppress(asyncio.InvalidStateError):
            stored.set_result(ok)
