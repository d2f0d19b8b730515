"""When the city closes a forwarded request, resolve our report and tell the citizen.

This follows what ``StaffActions.update`` does for a staff member resolving a report (the
audited status change, the message on the citizen's own channel, "Is it fixed?"), with the
actor ``open311:<area>`` and the city's ``status_notes`` as the note. Unlike staff text,
which is refused when too long for SMS, the city's note is shortened to fit: nobody is
there to rewrite it. A report that is no longer open (staff resolved, closed or rejected it
first) keeps its status and the citizen hears nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.storage import FeedbackItem, FeedbackStatus, FeedbackStore, Open311Forward
from handlers import catalogue, satisfaction
from handlers.gsm7 import gsm7_segments, to_gsm7
from handlers.turns import ConversationConfig

logger = logging.getLogger(__name__)

_ELLIPSIS = "..."


def _fits(text: str, channel: str, config: ConversationConfig) -> bool:
    if channel in config.sms_channels:
        return gsm7_segments(text) <= config.max_sms_segments
    return len(text) <= config.max_staff_text_chars


def citizen_text(item: FeedbackItem, language: str | None, note: str | None,
                 config: ConversationConfig) -> str:
    """Return the "resolved, is it fixed?" message, with as much of ``note`` as fits."""
    if not note:
        return catalogue.render("resolved_ask", language, reference=item.reference)
    words = note.split()
    for count in range(len(words), 0, -1):
        shown = " ".join(words[:count]) + ("" if count == len(words) else _ELLIPSIS)
        text = catalogue.render("resolved_ask_note", language, reference=item.reference,
                                note=shown)
        if _fits(text, item.channel, config):
            return text
    return catalogue.render("resolved_ask", language, reference=item.reference)


async def resolve_from_city(store: FeedbackStore, forward: Open311Forward, notes: str | None,
                            config: ConversationConfig, now: Callable[[], datetime]) -> bool:
    """Resolve the report behind ``forward`` if it is still open; return True if it was.

    Call it once per closing (``record_open311_status`` returning True guarantees that).
    """
    item = await store.get_feedback_by_id(forward.feedback_id)
    if item is None or not item.status.is_open:
        return False
    note = " ".join(to_gsm7(notes or "").split()) or None
    remark = f"closed by the city (Open311 request {forward.external_id})"
    await store.update_feedback(item.reference, f"open311:{forward.area}",
                                {"status": FeedbackStatus.RESOLVED},
                                note=f"{remark}: {note}" if note else remark)
    citizen = await store.get_citizen(item.citizen_id) if item.citizen_id is not None else None
    if citizen is None or citizen.forgotten or citizen.opted_out:
        logger.info("%s resolved by the city; citizen not reachable", item.reference)
        return True
    text = citizen_text(item, citizen.language, note, config)
    await store.enqueue_outbound(citizen.id, item.channel, text, feedback_id=item.id,
                                 kind="status")
    await satisfaction.ask(store, citizen.id, item.id, now())
    logger.info("%s resolved by the city; citizen update queued", item.reference)
    return True
