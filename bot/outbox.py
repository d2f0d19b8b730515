"""Deliver queued messages to citizens on their own channel, with retries and backoff.

Staff actions and status changes only *enqueue* (``FeedbackStore.enqueue_outbound``);
this worker claims due messages, decrypts the address, and hands them to the channel's
``ChannelSender``. A failed send is retried with exponential backoff (or after the
channel's ``retry_after``); a permanent failure (blocked bot, opted-out number) stops
retrying and, where the channel says so, marks the citizen stopped. A stopped or
forgotten citizen is never sent anything.

What is stored of a failure is a short classified reason (``stored_reason``): the channel's
own ``SendError`` text (``twilio error 21211``, ``telegram rate limit (429)``), or
``unexpected <ExceptionType>``; URLs, account ids and bot tokens are removed whatever a
library put into its message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from bot.channels.base import ChannelSender, SendError
from bot.security import AddressCipher
from bot.storage import FeedbackStore, OutboundRecord
from handlers.tasks import cancel_and_wait

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF = timedelta(hours=1)
MAX_REASON_CHARS = 200
_SECRETS = (
    (re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE), "[url]"),
    (re.compile(r"\b(?:AC|SM|MM|MG|PN|MS)[0-9a-fA-F]{32}\b"), "[sid]"),  # Twilio ids
    (re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}\b"), "[token]"),  # Telegram bot tokens
    (re.compile(r"\+?\d[\d ()-]{7,}\d"), "[number]"),  # phone numbers, chat ids
)


def stored_reason(exc: Exception) -> str:
    """Return what may be kept of a send failure: short, classified, with no secrets."""
    text = str(exc) if isinstance(exc, SendError) else f"unexpected {type(exc).__name__}"
    for pattern, placeholder in _SECRETS:
        text = pattern.sub(placeholder, text)
    return " ".join(text.split())[:MAX_REASON_CHARS] or type(exc).__name__


def _utcnow() -> datetime:
    return datetime.now(UTC)


def backoff(attempts: int) -> timedelta:
    """Delay before retry number ``attempts`` (1, 2, 4 ... seconds, at most an hour)."""
    return min(timedelta(seconds=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


class Outbox:
    """The background sender. ``wake()`` after enqueueing to send without waiting."""

    def __init__(self, store: FeedbackStore, senders: Mapping[str, ChannelSender],
                 secret_key: str, poll_interval: float = 1.0,
                 now: Callable[[], datetime] = _utcnow) -> None:
        self._store = store
        self._senders = dict(senders)
        self._cipher = AddressCipher(secret_key)
        self._poll = poll_interval
        self._now = now
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def add_sender(self, sender: ChannelSender) -> None:
        self._senders[sender.channel] = sender

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(), name="outbox")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                sent = await self.run_once()
            except Exception as exc:  # keep the loop alive; the messages stay queued
                logger.error("outbox pass failed", exc_info=exc)
                sent = 0
            if sent:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll)

    async def run_once(self, limit: int = 50) -> int:
        """Send every message due now (at most ``limit``); return how many were tried."""
        due = await self._store.claim_due_outbound(limit, self._now())
        if due:
            await asyncio.gather(*(self._deliver(record) for record in due))
        return len(due)

    async def _deliver(self, record: OutboundRecord) -> None:
        citizen = (await self._store.get_citizen(record.citizen_id)
                   if record.citizen_id is not None else None)
        if citizen is None or citizen.forgotten or not citizen.address_encrypted:
            await self._store.mark_outbound_failed(record.id, "no citizen address", None)
            return
        if citizen.opted_out:
            await self._store.mark_outbound_failed(record.id, "citizen opted out", None)
            return
        sender = self._senders.get(record.channel)
        if sender is None:
            await self._store.mark_outbound_failed(
                record.id, f"channel {record.channel} is not configured",
                self._now() + MAX_BACKOFF)
            return
        address = self._cipher.decrypt(citizen.address_encrypted)
        try:
            provider_id = await sender.send_text(address, record.text)
        except SendError as exc:
            await self._failed(record, stored_reason(exc), exc)
            if exc.opted_out:
                await self._store.set_opt_out(citizen.id, True, actor="channel")
            return
        except Exception as exc:  # a transport bug must not lose the message
            logger.warning("send %s failed: %s", record.id, type(exc).__name__)
            await self._failed(record, stored_reason(exc), None)
            return
        await self._store.mark_outbound_sent(record.id, provider_id)

    async def _failed(self, record: OutboundRecord, error: str, exc: SendError | None) -> None:
        attempts = max(record.attempts, 1)  # the claim already counted this attempt
        if (exc is not None and exc.permanent) or attempts >= MAX_ATTEMPTS:
            retry_at = None
        elif exc is not None and exc.retry_after is not None:
            retry_at = self._now() + timedelta(seconds=exc.retry_after)
        else:
            retry_at = self._now() + backoff(attempts)
        logger.info("outbound %s failed (attempt %d)%s", record.id, attempts,
                    "" if retry_at else ", giving up")
        await self._store.mark_outbound_failed(record.id, error, retry_at)
