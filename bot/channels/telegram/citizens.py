"""Private chats: pass messages to the conversation, answer, and run the citizen buttons.

After a report is filed the reply carries buttons to confirm or change the routed area (a
change is recorded as a correction, actor ``citizen:<id>``, while the report is still
``new``) and a second message offers to share a location; a location or photo sent next is
attached by the conversation as a follow-up.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from telegram import CallbackQuery, ReplyKeyboardRemove
from telegram.error import TelegramError

from bot.channels.base import InboundMessage, SendError
from bot.channels.telegram import keyboards, texts
from bot.channels.telegram.adapter import CHANNEL
from bot.channels.telegram.sender import Markup, TelegramSender
from bot.security import pseudonymise
from bot.storage import CorrectionField, FeedbackItem, FeedbackStatus
from handlers import catalogue

if TYPE_CHECKING:
    from bot.services import Services
    from handlers.conversation import Outcome

logger = logging.getLogger(__name__)

_OFFER_AFTER = frozenset({"filed"})
_KEYBOARD_OFF = frozenset({"attached", "stopped", "forgotten"})


class CitizenDesk:
    """What a citizen's private chat with the bot does."""

    def __init__(self, services: Services, sender: TelegramSender) -> None:
        self._services = services
        self._sender = sender

    async def answer(self, message: InboundMessage, outcome: Outcome) -> None:
        """Send the conversation's reply, with buttons after a filing; never twice."""
        if outcome.reply is None or outcome.duplicate:
            return
        text, markup = outcome.reply, self._markup(message, outcome)
        if outcome.action == "welcome":
            text += texts.START_NOTE
        await self.deliver(message.sender, text, markup)
        if outcome.action in _OFFER_AFTER and outcome.reference and not (
                message.media or message.latitude is not None):
            await self.deliver(message.sender, texts.OFFER.format(reference=outcome.reference),
                               keyboards.share_location())

    def _markup(self, message: InboundMessage, outcome: Outcome) -> Markup | None:
        if outcome.action == "filed" and outcome.reference and outcome.area and (
                message.text.strip()):
            return keyboards.citizen_area(outcome.reference)
        if outcome.action in _KEYBOARD_OFF:
            return ReplyKeyboardRemove()
        return None

    async def deliver(self, address: str, text: str, markup: Markup | None = None) -> None:
        """Send now; if Telegram refuses for a while, queue the text for the outbox."""
        try:
            await self._sender.send(int(address), text, markup)
        except SendError as exc:
            citizen = await self._citizen(address)
            logger.info("telegram reply failed (%s)", exc)
            if citizen is None:
                return
            store = self._services.store
            if exc.opted_out:
                await store.set_opt_out(citizen, True, actor="channel")
            elif not exc.permanent:
                wait = timedelta(seconds=exc.retry_after or 0)
                await store.enqueue_outbound(citizen, CHANNEL, text, kind="reply",
                                             not_before=datetime.now(UTC) + wait)
                if self._services.outbox is not None:
                    self._services.outbox.wake()

    async def _citizen(self, address: str) -> int | None:
        services = self._services
        found = await services.store.find_citizen(
            CHANNEL, pseudonymise(services.settings.secret, CHANNEL, address))
        return found.id if found is not None else None

    async def press(self, query: CallbackQuery, press: keyboards.Press) -> None:
        """Confirm or change the area of the presser's own report."""
        store = self._services.store
        item = await store.get_feedback(press.reference)
        citizen = await self._citizen(str(query.from_user.id))
        if item is None or citizen is None or item.citizen_id != citizen:
            await query.answer(texts.NOT_YOURS, show_alert=True)
            return
        lang = item.language
        if press.action == keyboards.CHANGE:
            await query.answer()
            active = [a.code for a in await store.list_areas()]
            await query.edit_message_reply_markup(keyboards.area_choices(
                keyboards.CITIZEN, item.reference, _choices(item, active, lang)))
            return
        actor = f"citizen:{citizen}"
        if item.status is not FeedbackStatus.NEW and press.action == keyboards.SET:
            await query.answer(texts.AREA_LOCKED.format(reference=item.reference),
                               show_alert=True)
            await _drop_buttons(query)
            return
        if press.action == keyboards.CONFIRM:
            await store.add_correction(item.id, CorrectionField.AREA, item.area, item.area,
                                       actor)
            await query.answer(texts.AREA_CONFIRMED)
            await _drop_buttons(query)
        elif press.action == keyboards.SET and press.area:
            try:
                await store.update_feedback(item.reference, actor, {"area": press.area})
            except ValueError:  # retired since the buttons were sent, or never an area
                await query.answer(texts.AREA_GONE, show_alert=True)
                await _drop_buttons(query)
                return
            await store.add_correction(item.id, CorrectionField.AREA, press.area, item.area,
                                       actor)
            note = texts.AREA_CHANGED.format(area=catalogue.area_label(press.area, lang))
            await query.answer(note)
            await _drop_buttons(query)
        else:
            await query.answer()


def _choices(item: FeedbackItem, active: list[str], lang: str | None
             ) -> list[tuple[str, str]]:
    """Return active areas to offer: the model's runners-up first, then the rest."""
    codes = [a for a, _ in item.top_areas if a in active]
    codes += [a for a in active if a not in codes]
    return [(c, catalogue.area_label(c, lang)) for c in codes if c != item.area]


async def _drop_buttons(query: CallbackQuery) -> None:
    try:
        await query.edit_message_reply_markup(None)
    except TelegramError as exc:  # an old message can no longer be edited; not a problem
        logger.info("could not remove buttons (%s)", type(exc).__name__)
