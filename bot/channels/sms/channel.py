"""The SMS channel at work: receive a verified webhook, answer in TwiML or later by REST.

``receive`` hands the message to the conversation (which stores it first) and waits up to
``reply_timeout`` seconds: a reply ready by then goes back as TwiML, otherwise Twilio gets
an empty TwiML answer and the reply follows through the outbox. When Twilio's own opt-out
handling recognised the message (``OptOutType``), Twilio has already answered, so no
second confirmation is sent; our opt-out state follows Twilio's. Replies are capped per
citizen per UTC day (``SMS_DAILY_CAP``, counting everything queued or sent to them),
except STOP/START/HELP answers and urgent-safety replies.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

from starlette.responses import Response

from bot.channels.base import InboundMessage
from bot.channels.sms.inbound import CHANNEL, looks_like_part, opt_out_type, to_inbound
from bot.channels.sms.joiner import PartJoiner
from bot.channels.sms.media import MediaFetcher
from bot.channels.sms.text import clean_for_sms
from bot.channels.sms.twiml import twiml
from bot.security import pseudonymise
from bot.services import Services
from bot.storage import Citizen, OutboundStatus
from handlers.conversation import Outcome

logger = logging.getLogger(__name__)

EXEMPT_ACTIONS = frozenset({"stopped", "started", "help"})
_INLINE_KIND = "twiml"  # a reply that went back in the webhook's answer
_STOP_SECONDS = 5.0
_NEVER = timedelta(days=3650)  # keeps an inline reply's record out of the outbox's reach
_STATUSES = {s.value: s for s in OutboundStatus} | {"accepted": OutboundStatus.QUEUED,
                                                     "scheduled": OutboundStatus.QUEUED,
                                                     "canceled": OutboundStatus.FAILED,
                                                     "read": OutboundStatus.DELIVERED}


@dataclass(frozen=True, slots=True)
class SmsOptions:
    auth_token: str
    public_base_url: str
    reply_timeout: float = 4.0
    join_seconds: float = 3.0
    daily_cap: int = 10


class SmsChannel:
    """Inbound SMS and status callbacks; see the module docstring."""

    def __init__(self, services: Services, options: SmsOptions,
                 media: MediaFetcher | None = None) -> None:
        self.services = services
        self.options = options
        self._media = media
        self._joiner = PartJoiner(options.join_seconds)
        self._tasks: set[asyncio.Task[Any]] = set()

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _key(self, sender: str) -> str:
        return pseudonymise(self.services.settings.secret, CHANNEL, sender)

    async def receive(self, form: Mapping[str, str]) -> Response:
        """Handle one inbound SMS webhook (already verified) and return the TwiML answer."""
        message = to_inbound(form)
        key = self._key(message.sender)
        follows = self._joiner.continues(key)
        if follows:
            message = replace(message, edited=True)
        task = self._spawn(self._handle(message), "sms-receive")
        try:
            outcome = await asyncio.wait_for(asyncio.shield(task), self.options.reply_timeout)
        except TimeoutError:
            task.add_done_callback(lambda t: self._late(t, key, opt_out_type(form)))
            return twiml()
        if self._media is not None and message.media and not outcome.duplicate:
            self._spawn(self._media.fetch(message.channel_message_id, message.media),
                        "sms-media")
        opt = opt_out_type(form)
        if opt is not None:
            await self._follow_twilio(key, opt)
            return twiml()  # Twilio answered the keyword itself
        if outcome.duplicate:
            return twiml(None if looks_like_part(message.text) else outcome.reply)
        reply, action, urgent = outcome.reply, outcome.action, outcome.urgent
        if looks_like_part(message.text):
            generation = self._joiner.hold(key, reply, action, urgent)
            self._spawn(self._flush_later(key, generation), "sms-join")
            return twiml()
        if follows:
            held = self._joiner.release(key)
            if held is not None:
                reply, action, urgent = held.reply, held.action, held.urgent or urgent
        return twiml(await self._inline(key, reply, action, urgent))

    async def _handle(self, message: InboundMessage) -> Outcome:
        return await self.services.conversation.receive(message)

    def _late(self, task: asyncio.Task[Any], key: str, opt: str | None) -> None:
        """Send by REST the reply that was not ready in time for TwiML."""
        if task.cancelled() or task.exception() is not None:
            return  # the conversation logged it and marked the message failed
        outcome: Outcome = task.result()
        if opt is not None:
            self._spawn(self._follow_twilio(key, opt), "sms-optout")
        elif not outcome.duplicate and outcome.reply:
            self._spawn(self._queue(key, outcome.reply, outcome.action, outcome.urgent),
                        "sms-late-reply")

    async def _flush_later(self, key: str, generation: int) -> None:
        await asyncio.sleep(self._joiner.window)
        held = self._joiner.release(key, generation)
        if held is not None and held.reply:
            await self._queue(key, held.reply, held.action, held.urgent)

    async def _citizen(self, key: str) -> Citizen | None:
        return await self.services.store.find_citizen(CHANNEL, key)

    async def _allowed(self, citizen: Citizen, action: str, urgent: bool) -> bool:
        """Return False when the citizen had their day's messages (see the cap's exemptions)."""
        if urgent or action in EXEMPT_ACTIONS or self.options.daily_cap <= 0:
            return True
        now = datetime.now(UTC)
        since = datetime.combine(now.date(), time.min, UTC)
        sent = await self.services.store.count_outbound_since(citizen.id, since)
        if sent >= self.options.daily_cap:
            logger.info("daily SMS cap reached for citizen %d; reply not sent", citizen.id)
            return False
        return True

    async def _inline(self, key: str, reply: str | None, action: str,
                      urgent: bool) -> str | None:
        """Return the TwiML reply text (recorded as sent), or None when none may go."""
        citizen = await self._citizen(key)
        if not reply or citizen is None or not await self._allowed(citizen, action, urgent):
            return None
        text = clean_for_sms(reply)
        store = self.services.store
        outbound_id = await store.enqueue_outbound(
            citizen.id, CHANNEL, text, kind=_INLINE_KIND,
            not_before=datetime.now(UTC) + _NEVER)
        await store.mark_outbound_sent(outbound_id, None)
        return text

    async def _queue(self, key: str, reply: str, action: str, urgent: bool) -> None:
        """Send ``reply`` through the outbox (retries, pacing, delivery status)."""
        citizen = await self._citizen(key)
        if citizen is None or not await self._allowed(citizen, action, urgent):
            return
        await self.services.store.enqueue_outbound(citizen.id, CHANNEL, reply)
        if self.services.outbox is not None:
            self.services.outbox.wake()

    async def _follow_twilio(self, key: str, opt: str) -> None:
        """Make our opt-out state match what Twilio's keyword handling just did."""
        citizen = await self._citizen(key)
        if citizen is None or opt == "HELP":
            return
        stop = opt == "STOP"
        if citizen.opted_out != stop:
            await self.services.store.set_opt_out(citizen.id, stop, actor="twilio")

    async def status(self, form: Mapping[str, str]) -> None:
        """Record a delivery-status callback; error 21610 means the citizen opted out."""
        sid = (form.get("MessageSid") or form.get("SmsSid") or "").strip()
        status = _STATUSES.get((form.get("MessageStatus") or "").strip().lower())
        if not sid or status is None:
            return
        code = (form.get("ErrorCode") or "").strip()
        found = await self.services.store.update_delivery_status(
            sid, status, error=f"twilio error {code}" if code else None)
        if code == "21610" and form.get("To"):
            await self._follow_twilio(self._key(form["To"]), "STOP")
        if not found:
            logger.info("status callback for an unknown message")

    async def stop(self) -> None:
        """Send held answers, let running handlers finish (a few seconds), then stop."""
        for key in self._joiner.pending():
            held = self._joiner.release(key)
            if held is not None and held.reply:
                await self._queue(key, held.reply, held.action, held.urgent)
        for task in self._tasks:
            if task.get_name() == "sms-join":
                task.cancel()
        running = [t for t in self._tasks if t.get_name() != "sms-join"]
        if running:
            await asyncio.wait(running, timeout=_STOP_SECONDS)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
