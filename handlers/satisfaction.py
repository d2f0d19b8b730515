"""Closing the loop: "Is it fixed? Reply 1 yes, 2 no" after staff resolve a report.

``ask`` remembers the question (one per citizen: the latest resolved report). Within
``satisfaction_window_seconds`` the citizen's next bare answer ("1", "yes", "fixed", "2",
"no", "not fixed", and the German words) is taken as the answer rather than a new report:
yes is recorded and thanked; no is recorded, reopens the report (``in_progress``, audited
as the citizen) and alerts the area. A later message, a question long ago or a FORGET
prompt sent after the question leaves the words to the keywords and the report desk.

Handling one message twice (after a crash) records its answer once.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime

from bot.storage import FeedbackItem, FeedbackStatus, FeedbackStore, SatisfactionAnswer
from handlers import catalogue
from handlers.alerts import alert_reopened
from handlers.turns import (
    Action,
    ConversationConfig,
    Reply,
    Turn,
    aware,
    forget_key,
    meta_time,
    satisfaction_key,
)

logger = logging.getLogger(__name__)

_YES = frozenset({"1", "yes", "y", "fixed", "yes fixed", "yes it is fixed", "it is fixed",
                  "its fixed", "ja", "ja behoben", "behoben", "erledigt"})
_NO = frozenset({"2", "no", "n", "not fixed", "no not fixed", "no it is not fixed",
                 "it is not fixed", "still broken", "nein", "nicht behoben", "nein nicht behoben"})
_CLOSED = frozenset({FeedbackStatus.RESOLVED, FeedbackStatus.CLOSED})
_NOISE = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")
REOPEN_NOTE = "citizen says it is not fixed"


def parse_answer(text: str) -> SatisfactionAnswer | None:
    """Return the answer a bare reply gives ("1", "Yes!", "not fixed"), or None."""
    words = _SPACES.sub(" ", _NOISE.sub("", text.replace("'", "")).casefold()).strip()
    if words in _YES:
        return SatisfactionAnswer.YES
    if words in _NO:
        return SatisfactionAnswer.NO
    return None


async def ask(store: FeedbackStore, citizen_id: int, feedback_id: int, at: datetime) -> None:
    """Remember that the citizen was just asked whether ``feedback_id`` is fixed."""
    value = {"feedback_id": feedback_id, "asked_at": aware(at).isoformat()}
    await store.set_meta(satisfaction_key(citizen_id), json.dumps(value))


class SatisfactionDesk:
    """Takes a citizen's answer to "Is it fixed?" and acts on it."""

    def __init__(self, store: FeedbackStore, config: ConversationConfig,
                 alerts: object | None = None) -> None:
        self._store = store
        self._config = config
        self._alerts = alerts

    async def answer(self, turn: Turn) -> Reply | None:
        """Record the turn's answer to a pending question; None when it is not one."""
        choice = parse_answer(turn.text)
        if choice is None or turn.citizen.opted_out or turn.media or turn.has_location:
            return None
        feedback_id = await self._pending(turn)
        if feedback_id is None:
            return None
        item = await self._store.get_feedback_by_id(feedback_id)
        if item is None or item.erased_at is not None or item.citizen_id != turn.citizen.id:
            return None
        await self._store.record_satisfaction(
            item.id, choice, turn.inbound.channel, actor=turn.actor,
            inbound_id=turn.inbound.id, at=turn.at)
        if choice is SatisfactionAnswer.NO:
            reply = await self._reopen(turn, item)
        else:
            reply = Reply(Action.SATISFIED, catalogue.render(
                "fixed_thanks", turn.lang, reference=item.reference), item)
        await self._store.set_meta(satisfaction_key(turn.citizen.id), json.dumps(
            {"feedback_id": item.id, "answered_by": turn.inbound.id}))
        return reply

    async def _pending(self, turn: Turn) -> int | None:
        """Return the item the citizen was asked about, if this turn may answer it."""
        raw = await self._store.get_meta(satisfaction_key(turn.citizen.id))
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("feedback_id"), int):
            return None
        if "answered_by" in data:
            # Answered already; only the same message, handled again, repeats the answer.
            return data["feedback_id"] if data["answered_by"] == turn.inbound.id else None
        asked = meta_time(data.get("asked_at"))
        if asked is None or not asked <= turn.at <= asked + self._config.satisfaction_window:
            return None
        forget = meta_time(await self._store.get_meta(forget_key(turn.citizen.id)))
        if forget is not None and forget > asked:
            return None  # "yes"/"no" now confirms or cancels the FORGET asked since
        return int(data["feedback_id"])

    async def _reopen(self, turn: Turn, item: FeedbackItem) -> Reply:
        """Open the report again and alert its area (once, not on a repeat)."""
        if item.status in _CLOSED:
            item = await self._store.update_feedback(
                item.reference, turn.actor, {"status": FeedbackStatus.IN_PROGRESS},
                note=REOPEN_NOTE)
            logger.info("report %s reopened by its citizen", item.reference)
            await alert_reopened(self._alerts, item, self._config.alert_timeout_seconds)
        text = catalogue.render("reopened", turn.lang, reference=item.reference)
        return Reply(Action.REOPENED, text, item)
