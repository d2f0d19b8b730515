"""What staff do to reports: see, correct, change status, reply, and read the history.

An area or kind a staff member gives is always recorded as a correction (a training label),
whether it changes the value or confirms it. A status change the citizen should hear about
is queued to them on their own channel, unless they stopped messages or were forgotten; a
report resolved asks them "Is it fixed?" (``handlers.satisfaction`` takes the answer).
Messages to an SMS citizen must fit ``max_sms_segments``: staff text that would not is
refused with ``ValueError`` (nothing is changed) rather than cut.

The update, its corrections and the queued message are separate writes: a crash between
them keeps the change and may lose the label or the message, never the reverse.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from bot.security import normalise_reference
from bot.storage import (
    AuditEntry,
    Citizen,
    CorrectionField,
    FeedbackItem,
    FeedbackStatus,
    FeedbackStore,
    StaffUser,
    check_area_code,
)
from bot.text import clean_text
from handlers import catalogue, satisfaction
from handlers.errors import CitizenUnreachable
from handlers.gsm7 import gsm7_segments, to_gsm7
from handlers.turns import ConversationConfig

__all__ = ["KINDS", "NOTIFY_STATUSES", "CitizenUnreachable", "StaffActions"]

logger = logging.getLogger(__name__)

KINDS = frozenset({"complaint", "idea", "question", "praise"})
NOTIFY_STATUSES = frozenset({
    FeedbackStatus.ACKNOWLEDGED, FeedbackStatus.IN_PROGRESS, FeedbackStatus.RESOLVED,
    FeedbackStatus.CLOSED, FeedbackStatus.REJECTED, FeedbackStatus.DUPLICATE,
})  # fmt: skip
"""Statuses a citizen is told about when their report moves into them."""
EDITABLE = frozenset({"area", "kind", "status"})


def _utcnow() -> datetime:
    return datetime.now(UTC)


class StaffActions:
    """Staff-side changes to feedback items, with permissions, labels and citizen updates."""

    def __init__(
        self,
        store: FeedbackStore,
        secret_key: str,
        config: ConversationConfig | None = None,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._store = store
        self._secret_key = secret_key  # kept for symmetry with Conversation; not logged
        self._config = config or ConversationConfig()
        self._now = now

    def can_see(self, user: StaffUser, item: FeedbackItem) -> bool:
        """Return True if ``user`` may see ``item`` (admins all, staff their areas)."""
        return user.active and user.may_see_area(item.area)

    async def update(
        self,
        reference: str,
        user: StaffUser,
        changes: Mapping[str, Any],
        note: str | None = None,
    ) -> FeedbackItem:
        """Change an item's area, kind or status, record labels, and tell the citizen."""
        item = await self._visible(reference, user)
        clean = self._clean_changes(changes)
        note = _clean_text(note) or None
        new_status = clean.get("status")
        notify = new_status is not None and new_status != item.status and (
            new_status in NOTIFY_STATUSES)
        citizen = await self._reachable(item) if notify else None
        text = None
        if citizen is not None and new_status is not None:
            text = self._status_text(item, citizen, new_status, note)
            self._check_fits(text, item.channel, "note")
        if not clean and note is None:
            return item
        actor = f"staff:{user.id}"
        updated = await self._store.update_feedback(item.reference, actor, clean, note=note)
        for name in ("area", "kind"):
            if name in clean:
                await self._store.add_correction(
                    item.id, CorrectionField(name), str(clean[name]),
                    str(getattr(item, name)), actor, created_at=self._now())
        if citizen is not None and text is not None:
            await self._store.enqueue_outbound(citizen.id, item.channel, text,
                                               feedback_id=item.id, kind="status")
            logger.info("status of %s is now %s; citizen update queued", item.reference,
                        new_status)
            if new_status is FeedbackStatus.RESOLVED:
                await satisfaction.ask(self._store, citizen.id, item.id, self._now())
        return updated

    async def reply(self, reference: str, user: StaffUser, text: str) -> int:
        """Queue a staff message to the citizen who filed ``reference``; return its id."""
        body = _clean_text(text)
        if not body:
            raise ValueError("reply text must not be empty")
        item = await self._visible(reference, user)
        citizen = await self._reachable(item)
        if citizen is None:
            raise CitizenUnreachable(
                f"the citizen behind {item.reference} stopped messages or was forgotten")
        message = catalogue.render("staff_reply", citizen.language, reference=item.reference,
                                   text=body)
        self._check_fits(message, item.channel, "reply")
        outbound_id = await self._store.enqueue_outbound(
            citizen.id, item.channel, message, feedback_id=item.id, kind="reply")
        # The audit log keeps who replied and how long it was, never the words.
        await self._store.add_audit(f"staff:{user.id}", "reply", "feedback", item.id,
                                    after={"outbound_id": outbound_id, "length": len(body)})
        return outbound_id

    async def history(self, reference: str, user: StaffUser | None = None) -> list[AuditEntry]:
        """Return the item's audit trail, oldest first (checked against ``user`` if given)."""
        item = await self._visible(reference, user) if user else await self._item(reference)
        return await self._store.list_audit("feedback", item.id)

    # -- helpers ------------------------------------------------------------------------

    async def _item(self, reference: str) -> FeedbackItem:
        ref = normalise_reference(reference)
        item = await self._store.get_feedback(ref) if ref else None
        if item is None:
            raise LookupError(f"no feedback item {reference.strip()[:20]!r}")
        return item

    async def _visible(self, reference: str, user: StaffUser) -> FeedbackItem:
        item = await self._item(reference)
        if not self.can_see(user, item):
            raise PermissionError(f"user {user.id} may not see {item.reference}")
        return item

    async def _reachable(self, item: FeedbackItem) -> Citizen | None:
        """Return the citizen behind ``item`` if messages may go to them."""
        if item.citizen_id is None:
            return None
        citizen = await self._store.get_citizen(item.citizen_id)
        if citizen is None or citizen.forgotten or citizen.opted_out:
            return None
        return citizen

    def _clean_changes(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        unknown = set(changes) - EDITABLE
        if unknown:
            raise ValueError(f"cannot change {', '.join(sorted(unknown))}; "
                             f"allowed: {', '.join(sorted(EDITABLE))}")
        clean: dict[str, Any] = {}
        if changes.get("area") is not None:
            # The store refuses a code that is not an active area of the area table.
            clean["area"] = check_area_code(str(changes["area"]).strip().lower())
        if changes.get("kind") is not None:
            kind = str(changes["kind"]).strip().lower()
            if kind not in KINDS:
                raise ValueError(f"kind must be one of {', '.join(sorted(KINDS))}")
            clean["kind"] = kind
        if changes.get("status") is not None:
            try:
                clean["status"] = FeedbackStatus(str(changes["status"]).strip().lower())
            except ValueError:
                allowed = ", ".join(s.value for s in FeedbackStatus)
                raise ValueError(f"status must be one of {allowed}") from None
        if "area" in changes and changes["area"] is None:
            raise ValueError("area must not be empty")
        return clean

    def _status_text(self, item: FeedbackItem, citizen: Citizen, status: FeedbackStatus,
                     note: str | None) -> str:
        lang = citizen.language
        if status is FeedbackStatus.RESOLVED:
            # Closing the loop: the citizen is asked whether it is really fixed.
            if note:
                return catalogue.render("resolved_ask_note", lang, reference=item.reference,
                                        note=note)
            return catalogue.render("resolved_ask", lang, reference=item.reference)
        words = catalogue.status_label(status, lang)
        if note:
            return catalogue.render("status_changed_note", lang, reference=item.reference,
                                    status=words, note=note)
        return catalogue.render("status_changed", lang, reference=item.reference, status=words)

    def _check_fits(self, text: str, channel: str, what: str) -> None:
        """Refuse staff text too long for the citizen's channel (SMS: two segments)."""
        if channel in self._config.sms_channels:
            segments = gsm7_segments(text)
            if segments > self._config.max_sms_segments:
                raise ValueError(
                    f"{what} too long for SMS: the message would take {segments} segments, "
                    f"at most {self._config.max_sms_segments} are allowed")
        elif len(text) > self._config.max_staff_text_chars:
            raise ValueError(f"{what} too long: at most {self._config.max_staff_text_chars} "
                             "characters")


def _clean_text(text: str | None) -> str:
    """Return staff text without control characters, trimmed, with typographic quotes and
    dashes made SMS-friendly."""
    return to_gsm7(clean_text(text or "")).strip()
