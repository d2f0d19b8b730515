"""Admins in Telegram: ``/retrain`` and ``/retrain status`` from a linked account.

Only a Telegram account linked (``/iam``) to an active *admin* may start a retrain. The
retrain runs as its own process (``bot.retraining``); when it ends, its decision is posted
to the chat that asked for it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from telegram import Message

from bot.channels.base import SendError
from bot.channels.telegram import texts
from bot.channels.telegram.links import StaffLinks
from bot.channels.telegram.sender import TelegramSender
from bot.retraining import RetrainStatus
from bot.storage import StaffRole
from handlers.tasks import cancel_and_wait
from nlp.errors import ModelError

if TYPE_CHECKING:
    from bot.services import Services

logger = logging.getLogger(__name__)

def describe(status: RetrainStatus | None) -> str:
    """One short message on the last retrain."""
    if status is None:
        return texts.RETRAIN_NEVER
    if status.running:
        step = status.steps[-1] if status.steps else "starting"
        return texts.RETRAIN_RUNNING.format(actor=status.actor, step=step)
    if status.state in ("promoted", "rejected"):
        return texts.RETRAIN_DONE.format(
            decision=status.state.upper(), version=status.version,
            candidate=status.candidate_macro_f1 or 0.0, current=status.current_macro_f1 or 0.0,
            labels=status.labels_from_staff or 0, reason=(status.reason or "")[:300])
    return texts.RETRAIN_FAILED.format(reason=(status.reason or "unknown")[:300])


class AdminDesk:
    """The ``/retrain`` command."""

    def __init__(self, services: Services, links: StaffLinks, sender: TelegramSender) -> None:
        self._services = services
        self._links = links
        self._sender = sender
        self._watchers: set[asyncio.Task[None]] = set()

    async def retrain(self, message: Message, args: list[str]) -> None:
        """Start a retrain (admins only), or say how the last one went (``status``)."""
        launcher = self._services.retrain
        user = (await self._links.staff_user(message.from_user.id)
                if message.from_user is not None else None)
        if user is None or user.role is not StaffRole.ADMIN:
            await self._say(message.chat.id, texts.ADMIN_ONLY)
            return
        if launcher is None:
            await self._say(message.chat.id, texts.RETRAIN_FAILED.format(reason="not available"))
            return
        if args[:1] == ["status"]:
            await self._say(message.chat.id, describe(launcher.status()))
            return
        try:
            await launcher.start(f"staff:{user.email}")
        except ModelError as exc:
            await self._say(message.chat.id, texts.RETRAIN_BUSY.format(reason=exc))
            return
        await self._say(message.chat.id, texts.RETRAIN_STARTED)
        task = asyncio.create_task(self._report_when_done(message.chat.id),
                                   name="retrain-report")
        self._watchers.add(task)
        task.add_done_callback(self._watchers.discard)

    async def _report_when_done(self, chat_id: int) -> None:
        assert self._services.retrain is not None
        status = await self._services.retrain.wait()
        await self._say(chat_id, describe(status))

    async def _say(self, chat_id: int, text: str) -> None:
        try:
            await self._sender.send(chat_id, text)
        except SendError as exc:
            logger.info("admin reply failed (%s)", exc)

    async def stop(self) -> None:
        for task in list(self._watchers):
            await cancel_and_wait(task)
