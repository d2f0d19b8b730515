"""The keyword commands: HELP, STATUS, MY, FORGET, STOP/START and LANG."""

from __future__ import annotations

import logging

from bot.storage import FeedbackStatus, FeedbackStore
from handlers import catalogue
from handlers.keywords import Command, Keyword
from handlers.turns import (
    Action,
    ConversationConfig,
    Reply,
    Turn,
    flood_key,
    forget_key,
    meta_time,
    satisfaction_key,
)

logger = logging.getLogger(__name__)

_OPEN = (FeedbackStatus.NEW, FeedbackStatus.ACKNOWLEDGED, FeedbackStatus.IN_PROGRESS)
_MY_LIMIT = 50


class CommandDesk:
    """Answers commands; a citizen only ever learns about reports they filed themselves."""

    def __init__(self, store: FeedbackStore, config: ConversationConfig) -> None:
        self._store = store
        self._config = config

    async def run(self, command: Command, turn: Turn) -> Reply | None:
        """Carry out ``command``; None when, in context, it is an ordinary message ("no")."""
        match command.keyword:
            case Keyword.HELP:
                return Reply(Action.HELP, catalogue.render("help", turn.lang))
            case Keyword.WELCOME:
                return Reply(Action.WELCOME, catalogue.render("welcome", turn.lang))
            case Keyword.STATUS:
                return await self.status(command, turn)
            case Keyword.MY:
                return await self.my(turn)
            case Keyword.FORGET:
                return await self.forget(turn)
            case Keyword.FORGET_YES:
                return await self.forget_yes(turn, explicit=True)
            case Keyword.FORGET_NO:
                return await self.forget_no(turn, explicit=True)
            case Keyword.YES:
                return await self.yes(turn)
            case Keyword.NO:
                return await self.forget_no(turn, explicit=False)
            case Keyword.STOP:
                return await self.stop(turn)
            case Keyword.START:
                return await self.start(turn)
            case Keyword.LANG:
                return await self.lang(command.argument, turn)
        raise AssertionError(f"unhandled keyword {command.keyword}")

    async def status(self, command: Command, turn: Turn) -> Reply:
        """Say where a report stands: the one named, else the citizen's latest."""
        if command.bad_reference:
            return Reply(Action.STATUS, catalogue.render("status_unknown", turn.lang))
        if command.argument:
            item = await self._store.get_feedback(command.argument)
            if item is None or item.citizen_id != turn.citizen.id:
                # The same words whether it does not exist or is someone else's.
                return Reply(Action.STATUS, catalogue.render("status_unknown", turn.lang))
        else:
            item = await self._store.latest_feedback_for_citizen(turn.citizen.id)
            if item is None:
                return Reply(Action.STATUS, catalogue.render("status_none", turn.lang))
        text = catalogue.render(
            "status", turn.lang, reference=item.reference,
            area=catalogue.area_label(item.area, turn.lang),
            status=catalogue.status_label(item.status, turn.lang),
            updated=item.updated_at.date().isoformat(),
        )  # fmt: skip
        return Reply(Action.STATUS, text, item)

    async def my(self, turn: Turn) -> Reply:
        """List the citizen's open reports, newest first."""
        items = await self._store.list_feedback(
            citizen_id=turn.citizen.id, status=_OPEN, limit=_MY_LIMIT)
        entries = [(item.reference, str(item.status)) for item in items]
        return Reply(Action.MY, catalogue.render_my(entries, turn.lang))

    async def forget(self, turn: Turn) -> Reply:
        """Ask the citizen to confirm that everything about them should be erased."""
        await self._store.set_meta(forget_key(turn.citizen.id), turn.at.isoformat())
        minutes = max(1, round(self._config.forget_confirm_seconds / 60))
        return Reply(Action.FORGET_CONFIRM,
                     catalogue.render("forget_confirm", turn.lang, minutes=minutes))

    async def _pending_forget(self, turn: Turn) -> bool:
        asked = meta_time(await self._store.get_meta(forget_key(turn.citizen.id)))
        return asked is not None and turn.at - asked <= self._config.forget_window

    async def forget_yes(self, turn: Turn, *, explicit: bool) -> Reply:
        """Erase the citizen once they confirmed in time; otherwise ask (again)."""
        if not await self._pending_forget(turn):
            if explicit:
                return await self.forget(turn)
            return Reply(Action.FORGET_CANCELLED, catalogue.render("forget_cancelled", turn.lang))
        result = await self._store.forget_citizen(turn.citizen.id, actor=turn.actor)
        for key in (forget_key(turn.citizen.id), flood_key(turn.citizen.id),
                    satisfaction_key(turn.citizen.id)):
            await self._store.set_meta(key, "")
        logger.info("citizen %d erased: %d report(s) anonymised", turn.citizen.id,
                    result.feedback_anonymised)
        return Reply(Action.FORGOTTEN, catalogue.render("forgotten", turn.lang))

    async def forget_no(self, turn: Turn, *, explicit: bool) -> Reply | None:
        """Drop a pending FORGET; a bare "no" with nothing pending is an ordinary message."""
        pending = await self._pending_forget(turn)
        if not pending and not explicit:
            return None
        if pending:
            await self._store.set_meta(forget_key(turn.citizen.id), "")
        return Reply(Action.FORGET_CANCELLED, catalogue.render("forget_cancelled", turn.lang))

    async def yes(self, turn: Turn) -> Reply:
        """Confirm a pending FORGET, else opt a stopped citizen back in, else show help."""
        if turn.citizen.opted_out:
            return await self.start(turn)  # a stopped citizen never saw a FORGET prompt
        if await self._pending_forget(turn):
            return await self.forget_yes(turn, explicit=False)
        if await self._store.get_meta(forget_key(turn.citizen.id)):
            # FORGET was asked too long ago: say so rather than erase or ignore.
            await self._store.set_meta(forget_key(turn.citizen.id), "")
            return Reply(Action.FORGET_CANCELLED, catalogue.render("forget_cancelled", turn.lang))
        return Reply(Action.HELP, catalogue.render("help", turn.lang))

    async def stop(self, turn: Turn) -> Reply:
        """Stop every message to the citizen; this confirmation is the last one."""
        await self._store.set_opt_out(turn.citizen.id, True, at=turn.at, actor=turn.actor)
        return Reply(Action.STOPPED, catalogue.render("stopped", turn.lang))

    async def start(self, turn: Turn) -> Reply:
        """Opt a stopped citizen back in; greet anyone else (Telegram sends /start first)."""
        if not turn.citizen.opted_out:
            return Reply(Action.WELCOME, catalogue.render("welcome", turn.lang))
        await self._store.set_opt_out(turn.citizen.id, False, at=turn.at, actor=turn.actor)
        return Reply(Action.STARTED, catalogue.render("started", turn.lang))

    async def lang(self, code: str, turn: Turn) -> Reply:
        """Set the language replies use, if the catalogue has it."""
        found = catalogue.supported_language(code) if code else None
        if found is None:
            return Reply(Action.LANG_UNKNOWN, catalogue.render(
                "lang_unknown", turn.lang, languages=catalogue.language_list()))
        await self._store.set_citizen_language(turn.citizen.id, found, actor=turn.actor)
        return Reply(Action.LANG_SET, catalogue.render(
            "lang_set", found, language=catalogue.LANGUAGE_NAMES[found],
            languages=catalogue.language_list()))
