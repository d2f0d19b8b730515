"""The conversation with citizens, written once for every channel.

``Conversation.receive`` stores each message before anything else, then handles it
exactly once: a redelivery (same channel message id) repeats the first answer and files
nothing, and ``recover`` finishes what a crash left stored but unhandled. Keywords come
first (``handlers.keywords``), unless the message answers "Is it fixed?"
(``handlers.satisfaction``); then the report desk (``handlers.reports``) files or
attaches. A citizen who sent STOP gets no reply except the STOP and START confirmations;
their messages are still stored and filed.

Within one process, one citizen's messages are handled one at a time (so flood control and
follow-ups see each other) and one stored message is never handled twice. Run ``recover``
at start-up, before taking traffic, when several processes share a database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from bot.channels.base import InboundMessage
from bot.security import AddressCipher, pseudonymise
from bot.storage import AttachmentKind, Citizen, FeedbackStore, InboundRecord, InboundState
from handlers import catalogue, keywords
from handlers.alerts import UrgentAlerts
from handlers.commands import CommandDesk
from handlers.errors import HandlingFailed, MessageIdConflict
from handlers.reports import ReportDesk
from handlers.satisfaction import SatisfactionDesk
from handlers.triage import TriageService
from handlers.turns import (
    Action,
    ConversationConfig,
    Outcome,
    Reply,
    Turn,
    attachment_kind,
    aware,
    message_payload,
    payload_fields,
    reply_language,
)

__all__ = ["Action", "Conversation", "ConversationConfig", "Outcome"]

logger = logging.getLogger(__name__)

_ANSWERED_WHEN_STOPPED = frozenset({Action.STOPPED, Action.STARTED})
_LINKED = frozenset({Action.FILED, Action.ATTACHED, Action.FLOOD})
_RECOVER_PAGE = 100


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _language_hint(code: str | None) -> str | None:
    """Return a channel's language tag as its primary subtag (``pt-BR`` -> ``pt``)."""
    if not code or not code.strip():
        return None
    return code.strip().lower().replace("_", "-").split("-", 1)[0][:8] or None


@dataclass(slots=True)
class _Slot:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class _KeyedLocks:
    """One lock per citizen, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._slots: dict[int, _Slot] = {}

    @asynccontextmanager
    async def hold(self, key: int) -> AsyncIterator[bool]:
        """Hold ``key``'s lock; yield True if another message had it first."""
        slot = self._slots.setdefault(key, _Slot())
        slot.users += 1
        try:
            waited = slot.lock.locked()
            async with slot.lock:
                yield waited
        finally:
            slot.users -= 1
            if slot.users == 0:
                del self._slots[key]


# Channels whose answer to a message is pushed by us (not read from an HTTP response, as
# the web page does by retrying): after a crash, recovered answers go through the outbox.
PUSH_CHANNELS = frozenset({"telegram", "sms"})


class Conversation:
    """Receives citizens' messages from every channel and decides what to file and reply."""

    def __init__(
        self,
        store: FeedbackStore,
        triage: TriageService,
        secret_key: str,
        config: ConversationConfig | None = None,
        alerts: UrgentAlerts | None = None,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        if not secret_key:
            raise ValueError("secret_key must not be empty")
        self._store = store
        self._secret_key = secret_key
        self._cipher = AddressCipher(secret_key)
        self.config = config or ConversationConfig()
        self._now = now
        self._commands = CommandDesk(store, self.config)
        self._reports = ReportDesk(store, triage, self.config, alerts)
        self._satisfaction = SatisfactionDesk(store, self.config, alerts)
        self._inflight: dict[int, asyncio.Event] = {}
        self._locks = _KeyedLocks()

    async def receive(self, message: InboundMessage,
                      on_stored: Callable[[], None] | None = None) -> Outcome:
        """Store one citizen message, then handle it once and return what came of it.

        ``on_stored`` is called as soon as the message is safely stored, before handling:
        a webhook can acknowledge its caller then (a crash after that point loses nothing,
        ``recover`` finishes the message on the next start).
        """
        hint = _language_hint(message.language)
        address_hash = pseudonymise(self._secret_key, message.channel, message.sender)
        citizen = await self._store.find_citizen(message.channel, address_hash)
        if citizen is None or citizen.address_encrypted is None:
            citizen = await self._store.get_or_create_citizen(
                message.channel, address_hash, self._cipher.encrypt(message.sender),
                language=hint)
        record, new = await self._store.record_inbound(
            message.channel, message.channel_message_id, citizen.id, message.text,
            payload_json=message_payload(message), received_at=aware(message.received_at),
        )  # fmt: skip
        if record.citizen_id is not None and record.citizen_id != citizen.id:
            raise MessageIdConflict(
                f"{message.channel} message id already used by another sender")
        if on_stored is not None:
            on_stored()
        fields = payload_fields(record.payload_json)
        fields.pop("language", None)
        # A sender forgotten before this message was handled: nothing is left to file.
        owner = citizen if record.citizen_id is not None else None
        return await self._handle_once(record, new, owner, hint, fields)

    async def recover(self) -> int:
        """Handle every message stored but never handled (after a crash); return how many."""
        handled, seen = 0, set[int]()
        while True:
            page = await self._store.list_unhandled_inbound(limit=_RECOVER_PAGE)
            batch = [r for r in page if r.id not in seen]
            if not batch:
                return handled
            for record in batch:
                seen.add(record.id)
                try:
                    outcome = await self._recover_one(record)
                except HandlingFailed:
                    continue  # logged and marked failed; the rest still get handled
                handled += 1
                if (outcome.reply and record.citizen_id is not None
                        and record.channel in PUSH_CHANNELS):
                    # Nobody is waiting on a connection for this answer any more: push it.
                    await self._store.enqueue_outbound(record.citizen_id, record.channel,
                                                       outcome.reply, kind="reply",
                                                       feedback_id=None)

    async def _recover_one(self, record: InboundRecord) -> Outcome:
        citizen = None
        if record.citizen_id is not None:
            citizen = await self._store.get_citizen(record.citizen_id)
        fields = payload_fields(record.payload_json)
        hint = _language_hint(fields.pop("language", None))
        return await self._handle_once(record, False, citizen, hint, fields)

    async def _handle_once(
        self,
        record: InboundRecord,
        new: bool,
        citizen: Citizen | None,
        hint: str | None,
        fields: dict[str, Any],
    ) -> Outcome:
        """Handle a stored message unless it was (or is being) handled already."""
        if record.state is InboundState.HANDLED:
            return Outcome.from_record(record)
        running = self._inflight.get(record.id)
        if running is not None:
            await running.wait()
            return await self._earlier_outcome(record.id, duplicate=not new)
        done = self._inflight[record.id] = asyncio.Event()
        try:
            if not new:
                # Another task may have finished it between our read and now.
                fresh = await self._store.get_inbound(record.id)
                if fresh is not None and fresh.state is InboundState.HANDLED:
                    return Outcome.from_record(fresh)
                record = fresh or record
            return await self._handle(record, citizen, hint, fields, resumed=not new)
        finally:
            del self._inflight[record.id]
            done.set()

    async def _earlier_outcome(self, inbound_id: int, *, duplicate: bool) -> Outcome:
        record = await self._store.get_inbound(inbound_id)
        if record is None or record.state is not InboundState.HANDLED:
            raise HandlingFailed(inbound_id, "handling by another task failed")
        return replace(Outcome.from_record(record), duplicate=duplicate)

    async def _handle(
        self,
        record: InboundRecord,
        citizen: Citizen | None,
        hint: str | None,
        fields: dict[str, Any],
        *,
        resumed: bool,
    ) -> Outcome:
        at = aware(self._now())
        try:
            if citizen is None or citizen.forgotten:
                reply, stopped = Reply(Action.ERASED, None), True
            else:
                async with self._locks.hold(citizen.id) as waited:
                    if waited:  # an earlier message may have changed STOP or LANG
                        citizen = await self._store.get_citizen(citizen.id) or citizen
                    turn = Turn(
                        inbound=record, citizen=citizen, text=record.text or "", at=at,
                        lang=reply_language(citizen, hint, self.config.default_language),
                        resumed=resumed, **fields,
                    )  # fmt: skip
                    reply = await self._dispatch(turn)
                    stopped = citizen.opted_out
            return await self._finish(record, reply, stopped, at)
        except Exception as exc:
            reason = type(exc).__name__
            logger.error("inbound message %d failed (%s)", record.id, reason, exc_info=exc)
            try:
                await self._store.mark_inbound_failed(record.id, reason, at=at)
            except Exception as mark_exc:
                logger.error("could not mark inbound message %d failed; it stays stored "
                             "for recovery", record.id, exc_info=mark_exc)
            raise HandlingFailed(record.id, reason) from exc

    async def _finish(self, record: InboundRecord, reply: Reply, stopped: bool,
                      at: datetime) -> Outcome:
        """Record what was done and replied; a stopped citizen hears only STOP/START."""
        silent = stopped and reply.action not in _ANSWERED_WHEN_STOPPED
        item = reply.item
        outcome = Outcome(
            inbound_id=record.id, reply=None if silent else reply.text,
            reference=item.reference if item else None, area=item.area if item else None,
            kind=item.kind if item else None, urgent=bool(item and item.urgent),
            duplicate=False, action=str(reply.action),
        )  # fmt: skip
        await self._store.mark_inbound_handled(
            record.id,
            feedback_id=item.id if item is not None and reply.action in _LINKED else None,
            reply_text=outcome.reply,
            outcome=outcome.to_json() | {"silenced": silent},
            at=at,
        )
        return outcome

    async def _dispatch(self, turn: Turn) -> Reply:
        """Take an answer to "Is it fixed?", a command, or refuse or file the message."""
        if turn.file_under:  # a channel that only files reports (Open311): nothing else
            return await self._reports.file_under(turn, turn.file_under)
        answer = await self._satisfaction.answer(turn)
        if answer is not None:
            return answer
        command = keywords.parse(turn.text)
        if command is not None:
            answer = await self._commands.run(command, turn)
            if answer is not None:
                return answer
        text = turn.text.strip()
        photos = any(attachment_kind(m) is AttachmentKind.PHOTO for m in turn.media)
        if not text and not turn.has_location and not photos:
            if turn.media or turn.unsupported:
                return Reply(Action.NOT_TEXT, self._render("not_text", turn))
            return Reply(Action.EMPTY, self._render("empty", turn))
        if len(turn.text) > self.config.max_message_chars:
            return Reply(Action.TOO_LONG,
                         self._render("too_long", turn, limit=self.config.max_message_chars))
        return await self._reports.handle(turn)

    @staticmethod
    def _render(key: str, turn: Turn, **fields: object) -> str:
        return catalogue.render(key, turn.lang, **fields)
