"""Staff in Telegram: ``/iam`` and ``/link`` commands, urgent alerts, and the staff buttons.

A button press acts only if the presser linked their Telegram account to an active staff
account (``/iam EMAIL TOKEN`` in a private chat, with an API token from ``civicvoice
tokens create``), the press comes from a group linked to the report's area, and that
account may see the report. Everyone else's presses are refused with an alert.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from telegram import CallbackQuery, Message
from telegram.error import TelegramError

from bot.channels.base import SendError
from bot.channels.telegram import keyboards, texts
from bot.channels.telegram.links import StaffLinks
from bot.channels.telegram.sender import TelegramSender
from bot.storage import FeedbackItem
from handlers import catalogue

if TYPE_CHECKING:
    from bot.services import Services

logger = logging.getLogger(__name__)

_STATUS = {keyboards.TAKE: ("in_progress", "Taken"), keyboards.RESOLVE: ("resolved", "Resolved")}
_ALERT_CHARS = 600


class TelegramAlerts:
    """``UrgentAlerts`` (and reopen alerts) posted to every group linked to the item's area."""

    def __init__(self, links: StaffLinks, sender: TelegramSender) -> None:
        self._links = links
        self._sender = sender

    async def urgent(self, item: FeedbackItem) -> None:
        """Post the report (redacted text) with take/resolve/re-route buttons."""
        await self._post(item, texts.URGENT, "urgent")

    async def reopened(self, item: FeedbackItem) -> None:
        """Post a report its citizen says is not fixed, with the same buttons."""
        await self._post(item, texts.REOPENED, "reopen")

    async def _post(self, item: FeedbackItem, template: str, what: str) -> None:
        groups = await self._links.groups_for(item.area)
        text = template.format(reference=item.reference,
                               area=catalogue.area_label(item.area),
                               text=item.redacted_text[:_ALERT_CHARS])
        results = await asyncio.gather(
            *(self._sender.send(chat_id, text, keyboards.staff_actions(item.reference))
              for chat_id in groups), return_exceptions=True)
        failed = sum(isinstance(r, BaseException) for r in results)
        if failed:
            logger.warning("%s alert for %s reached %d of %d group(s)", what, item.reference,
                           len(groups) - failed, len(groups))


class StaffDesk:
    """Staff commands and button presses."""

    def __init__(self, services: Services, links: StaffLinks, sender: TelegramSender) -> None:
        self._services = services
        self._links = links
        self._sender = sender

    async def command(self, message: Message, name: str, args: list[str]) -> bool:
        """Run ``/iam`` or ``/link``; return False for any other command."""
        private = message.chat.type == message.chat.PRIVATE
        if name == "/iam":
            if not private:
                await self._say(message, texts.USE_PRIVATE)
            elif len(args) != 2 or message.from_user is None:
                await self._say(message, texts.IAM_USAGE)
            else:
                user = await self._links.link_user(message.from_user.id, args[0], args[1])
                await self._say(message, texts.IAM_OK if user else texts.IAM_BAD)
                if user:
                    logger.info("telegram account linked to staff user %d", user.id)
            return True
        if name == "/link":
            if private or len(args) != 1:
                await self._say(message, texts.LINK_USAGE)
                return True
            areas = await self._links.redeem(args[0], message.chat.id)
            if areas:
                logger.info("a staff group was linked to %s", ", ".join(areas))
            await self._say(message, texts.LINK_OK.format(areas=", ".join(areas))
                            if areas else texts.LINK_BAD)
            return True
        return False

    async def _say(self, message: Message, text: str) -> None:
        try:
            await self._sender.send(message.chat.id, text)
        except SendError as exc:
            logger.info("staff reply failed (%s)", exc)

    async def press(self, query: CallbackQuery, press: keyboards.Press) -> None:
        """Take, resolve or re-route a report, if the presser may."""
        services = self._services
        user = await self._links.staff_user(query.from_user.id)
        item = await services.store.get_feedback(press.reference)
        chat = query.message.chat.id if query.message is not None else None
        group_areas = await self._links.group_areas(chat) if chat is not None else []
        if user is None or item is None or not services.staff.can_see(user, item) or not (
                item.area in group_areas or "*" in group_areas):
            await query.answer(texts.STAFF_ONLY, show_alert=True)
            return
        if press.action == keyboards.ROUTE:
            await query.answer()
            choices = [(a.code, a.label) for a in await services.store.list_areas()
                       if a.code != item.area]
            await query.edit_message_reply_markup(
                keyboards.area_choices(keyboards.STAFF, item.reference, choices))
            return
        if press.action in _STATUS:
            changes, done = {"status": _STATUS[press.action][0]}, _STATUS[press.action][1]
        elif press.action == keyboards.TO and press.area:
            changes = {"area": press.area}
            done = f"Re-routed to {catalogue.area_label(press.area)}"
        else:
            await query.answer()
            return
        try:
            await services.staff.update(item.reference, user, changes)
        except (ValueError, LookupError, PermissionError) as exc:
            await query.answer(texts.STAFF_FAILED.format(reason=exc)[:200], show_alert=True)
            return
        if services.outbox is not None:
            services.outbox.wake()  # the citizen hears the outcome on their own channel
        await query.answer(done)
        await _append_line(query, texts.STAFF_DONE.format(
            action=done, name=query.from_user.first_name),
            keep_buttons=press.action == keyboards.TAKE)


async def _append_line(query: CallbackQuery, line: str, *, keep_buttons: bool) -> None:
    """Add what was done under the alert; keep the buttons only while work remains."""
    message = query.message
    text = getattr(message, "text", None) or ""
    markup = getattr(message, "reply_markup", None) if keep_buttons else None
    try:
        await query.edit_message_text(f"{text}\n{line}"[:4096], reply_markup=markup)
    except TelegramError as exc:
        logger.info("could not update the alert message (%s)", type(exc).__name__)
