"""Filing reports: triage, follow-ups to a fresh report, flood control and urgent alerts.

Flood control: once a citizen filed ``flood_max_reports`` reports within
``flood_window_seconds``, further texts are stored and added to their latest report; the
first of them gets the ``flood`` reply, the rest none. One exception: a text in which a
danger rule fires (gas, live wires, flooding into a home: ``TriageResult.urgent_reasons``)
is still filed and alerted, once per window. A photo or location sent alone is filed for a
person to route and the citizen is asked for words; their next text completes it.
"""

from __future__ import annotations

import asyncio
import logging

from bot.storage import AttachmentKind, FeedbackItem, FeedbackStatus, FeedbackStore
from handlers import catalogue
from handlers.alerts import UrgentAlerts
from handlers.followup import Followup, classify_followup
from handlers.triage import TriageService
from handlers.turns import (
    Action,
    ConversationConfig,
    Reply,
    Turn,
    attachment_kind,
    flood_key,
    meta_time,
)
from nlp.redact import redact
from nlp.result import TriageResult

logger = logging.getLogger(__name__)

_RESUME_LOOKBACK = 20  # the citizen's latest items searched for one a crash left behind


class ReportDesk:
    """Turns a citizen's text, photo or location into a new report or an addition to one."""

    def __init__(
        self,
        store: FeedbackStore,
        triage: TriageService,
        config: ConversationConfig,
        alerts: UrgentAlerts | None = None,
    ) -> None:
        self._store = store
        self._triage = triage
        self._config = config
        self._alerts = alerts

    async def handle(self, turn: Turn) -> Reply:
        """File the message, add it to the citizen's fresh report, or hold it in a flood."""
        if turn.resumed:
            done = await self._filed_by(turn)
            if done is not None:  # filed before a crash; only the reply was missing
                if done.urgent:
                    await self._alert(done)
                return Reply(Action.FILED, self._filed_text(done, turn.lang), done)
        text = turn.text.strip()
        latest = await self._store.latest_feedback_for_citizen(turn.citizen.id)
        if turn.edited and latest is not None and latest.erased_at is None:
            # An edited message updates the report while staff have not started on it;
            # afterwards the edit is kept with the inbound message but changes nothing.
            if latest.status is FeedbackStatus.NEW:
                return await self._attach(turn, latest, flooded=False)
            return Reply(Action.ATTACHED, None, latest)
        flooded = await self._flooded(turn, latest)
        result: TriageResult | None = None
        if latest is not None and self._is_fresh(latest, turn):
            if text and not latest.original_text.strip():
                return await self._complete(turn, latest)
            hint = classify_followup(text, has_location=turn.has_location,
                                     has_media=bool(turn.media), edited=turn.edited)
            if hint is Followup.CHECK:
                result = await self._classify(text)
                same = result.area == latest.area and (latest.urgent or not result.urgent)
                hint = Followup.ATTACH if same else Followup.NEW
            if hint is Followup.ATTACH:
                return await self._attach(turn, latest, flooded=flooded)
        if flooded and latest is not None:
            result = result or (await self._classify(text) if text else None)
            # A named danger (a rule fired: gas, live wires...) in a burst is still filed
            # and alerted, once per window; the model's urgency guess alone is not enough.
            if result is None or not result.urgent_reasons or await self._urgent_in_window(turn):
                return await self._attach(turn, latest, flooded=True)
        if not text:
            return await self._file_placeholder(turn)
        return await self._file(turn, result or await self._classify(text))

    async def file_under(self, turn: Turn, area: str) -> Reply:
        """File the turn as a new report under ``area``, which the sender chose (Open311).

        Whatever the text says, it is one new report: never a keyword, a follow-up or held
        in a flood. Triage still runs: its ranking is kept in ``top_areas`` and the report
        is flagged for review exactly when triage prefers another area.
        """
        if turn.resumed:
            done = await self._filed_by(turn)
            if done is not None:
                if done.urgent:
                    await self._alert(done)
                return Reply(Action.FILED, self._filed_text(done, turn.lang), done)
        text = turn.text.strip()
        if text:
            return await self._file(turn, await self._classify(text), area=area)
        unread = TriageResult(
            area=area, area_confidence=0.0, top_areas=[], kind="complaint",
            kind_confidence=0.0, innovation=0.0, urgent=False, urgent_score=0.0,
            needs_review=False, model_version="",
        )  # fmt: skip
        return await self._file(turn, unread, area=area)

    # -- decisions ----------------------------------------------------------------------

    def _is_fresh(self, item: FeedbackItem, turn: Turn) -> bool:
        return item.erased_at is None and turn.at - item.created_at <= self._config.followup_window

    async def _flooded(self, turn: Turn, latest: FeedbackItem | None) -> bool:
        """Return True once the citizen filed the most reports allowed in the flood window."""
        limit = self._config.flood_max_reports
        since = turn.at - self._config.flood_window
        if limit <= 0 or latest is None or latest.created_at < since:
            return False  # nothing filed in the window: no need to count
        return await self._store.count_feedback(citizen_id=turn.citizen.id, since=since) >= limit

    async def _urgent_in_window(self, turn: Turn) -> bool:
        since = turn.at - self._config.flood_window
        found = await self._store.count_feedback(
            citizen_id=turn.citizen.id, since=since, urgent=True)
        return found > 0

    async def _filed_by(self, turn: Turn) -> FeedbackItem | None:
        """Return the item this message filed before it was interrupted, if any."""
        items = await self._store.list_feedback(citizen_id=turn.citizen.id,
                                                limit=_RESUME_LOOKBACK)
        return next((i for i in items if i.inbound_id == turn.inbound.id), None)

    async def _classify(self, text: str) -> TriageResult:
        """Triage ``text``; if triage fails the report is still filed, for a person to route."""
        try:
            return await self._triage.classify(text)
        except Exception as exc:  # a broken model must not lose the citizen's report
            logger.error("triage failed (%s); filing for review", type(exc).__name__,
                         exc_info=exc)
            return TriageResult(
                area=self._config.fallback_area, area_confidence=0.0, top_areas=[],
                kind="complaint", kind_confidence=0.0, innovation=0.0, urgent=False,
                urgent_score=0.0, needs_review=True, model_version="",
            )  # fmt: skip

    async def _redact(self, text: str) -> str:
        """Redact ``text`` (names too with a trained NER); patterns alone if that fails."""
        try:
            return await self._triage.redact(text)
        except Exception as exc:  # the report is still filed, never with a raw number
            logger.error("name redaction failed (%s); patterns only", type(exc).__name__)
            return redact(text)

    # -- actions ------------------------------------------------------------------------

    async def _file(self, turn: Turn, result: TriageResult, area: str | None = None) -> Reply:
        """File a new report from the turn's text and triage (under ``area`` if given)."""
        chosen = area or result.area
        confidence = (result.area_confidence if chosen == result.area
                      else dict(result.top_areas).get(chosen, 0.0))
        redacted = await self._redact(turn.text)
        item = await self._store.create_feedback(
            channel=turn.inbound.channel, original_text=turn.text,
            redacted_text=redacted, area=chosen, area_confidence=confidence,
            kind=result.kind, innovation=result.innovation, urgent=result.urgent,
            # A chosen area needs a person only when triage reads the words otherwise.
            needs_review=chosen != result.area if area else result.needs_review,
            model_version=result.model_version or None,
            citizen_id=turn.citizen.id, inbound_id=turn.inbound.id, language=turn.lang,
            top_areas=result.top_areas, kind_confidence=result.kind_confidence,
            latitude=turn.latitude, longitude=turn.longitude,
            location_text=turn.location_text, created_at=turn.at, actor=turn.actor,
        )  # fmt: skip
        await self._add_media(turn, item)
        if item.urgent:
            await self._alert(item)
        return Reply(Action.FILED, self._filed_text(item, turn.lang), item)

    async def _file_placeholder(self, turn: Turn) -> Reply:
        """File a photo or location sent alone and ask for the words that say what it is."""
        item = await self._store.create_feedback(
            channel=turn.inbound.channel, original_text="", redacted_text="",
            area=self._config.fallback_area, area_confidence=0.0, kind="complaint",
            needs_review=True, citizen_id=turn.citizen.id, inbound_id=turn.inbound.id,
            language=turn.lang, latitude=turn.latitude, longitude=turn.longitude,
            created_at=turn.at, actor=turn.actor,
        )  # fmt: skip
        await self._add_media(turn, item)
        text = catalogue.render("need_words", turn.lang, reference=item.reference)
        return Reply(Action.FILED, text, item)

    async def _complete(self, turn: Turn, item: FeedbackItem) -> Reply:
        """Give a photo-only report its words, and route it by them."""
        result = await self._classify(turn.text)
        redacted = await self._redact(turn.text)
        await self._store.append_text(item.reference, turn.text, redacted, actor=turn.actor)
        item = await self._store.update_feedback(item.reference, turn.actor, {
            "area": result.area, "kind": result.kind, "urgent": result.urgent,
            "needs_review": result.needs_review,
        })  # fmt: skip
        await self._add_media(turn, item)
        if item.urgent:
            await self._alert(item)
        return Reply(Action.FILED, self._filed_text(item, turn.lang), item)

    async def _attach(self, turn: Turn, item: FeedbackItem, *, flooded: bool) -> Reply:
        """Add the turn's text, photos and location to ``item``."""
        text = turn.text.strip()
        repeated = turn.resumed and item.original_text.endswith(turn.text)
        if text and not repeated:
            redacted = await self._redact(turn.text)
            item = await self._store.append_text(item.reference, turn.text, redacted,
                                                 actor=turn.actor)
        await self._add_media(turn, item)
        if turn.has_location:
            await self._store.add_attachment(item.id, AttachmentKind.LOCATION, turn.location,
                                             actor=turn.actor, created_at=turn.at)
            if item.latitude is None:
                item = await self._store.update_feedback(item.reference, turn.actor, {
                    "latitude": turn.latitude, "longitude": turn.longitude})
        if flooded:
            return await self._flood_reply(turn, item)
        text_out = catalogue.render("attached", turn.lang, reference=item.reference)
        return Reply(Action.ATTACHED, text_out, item)

    async def _add_media(self, turn: Turn, item: FeedbackItem) -> None:
        for media in turn.media:
            await self._store.add_attachment(item.id, attachment_kind(media), media.value,
                                             actor=turn.actor, created_at=turn.at)

    async def _flood_reply(self, turn: Turn, item: FeedbackItem) -> Reply:
        """Tell the citizen to slow down once per flood window; stay silent after that."""
        key = flood_key(turn.citizen.id)
        told = meta_time(await self._store.get_meta(key))
        if told is not None and turn.at - told < self._config.flood_window:
            return Reply(Action.FLOOD, None, item)
        await self._store.set_meta(key, turn.at.isoformat())
        return Reply(Action.FLOOD, catalogue.render("flood", turn.lang, reference=item.reference),
                     item)

    def _filed_text(self, item: FeedbackItem, lang: str) -> str:
        if item.urgent:
            return catalogue.render("urgent", lang, reference=item.reference,
                                    emergency=self._config.emergency_numbers)
        key = "filed_review" if item.needs_review else "filed"
        return catalogue.render(key, lang, reference=item.reference,
                                area=catalogue.area_label(item.area, lang))

    async def _alert(self, item: FeedbackItem) -> None:
        """Alert staff to an urgent item; a failing alert is logged, the report stays filed."""
        if self._alerts is None:
            logger.warning("urgent report %s filed with no alert channel set up", item.reference)
            return
        try:
            await asyncio.wait_for(self._alerts.urgent(item), self._config.alert_timeout_seconds)
        except Exception as exc:
            logger.error("urgent alert for %s failed (%s)", item.reference,
                         type(exc).__name__, exc_info=exc)
