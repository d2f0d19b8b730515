"""Fixtures for the conversation tests: an in-memory store, the real model, a fake clock."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.channels.base import InboundMessage, Media
from bot.storage import MEMORY, FeedbackItem, FeedbackStore, SQLiteStore
from handlers.conversation import Conversation, ConversationConfig, Outcome
from handlers.triage import TriageService
from tests.support.areas import seed_areas

KEY = "test-secret-key"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class RecordingAlerts:
    """Urgent and reopen alerts kept in lists."""

    items: list[FeedbackItem] = field(default_factory=list)
    reopens: list[FeedbackItem] = field(default_factory=list)

    async def urgent(self, item: FeedbackItem) -> None:
        self.items.append(item)

    async def reopened(self, item: FeedbackItem) -> None:
        self.reopens.append(item)


_ids = itertools.count(1)


class Chat:
    """One citizen talking to the bot, Zulip ``verify_dialog`` style."""

    def __init__(self, conversation: Conversation, clock: Clock, sender: str = "+15550100",
                 channel: str = "sms") -> None:
        self.conversation = conversation
        self.clock = clock
        self.sender = sender
        self.channel = channel
        self.ref: str | None = None  # the last reference a reply named
        self.outcomes: list[Outcome] = []

    def message(self, text: str, message_id: str | None = None, **extra: Any) -> InboundMessage:
        return InboundMessage(
            channel=self.channel, sender=self.sender,
            channel_message_id=message_id or f"m{next(_ids)}", text=text,
            received_at=self.clock(), **extra,
        )

    async def send(self, text: str, message_id: str | None = None, **extra: Any) -> Outcome:
        outcome = await self.conversation.receive(self.message(text, message_id, **extra))
        if outcome.reference is not None:
            self.ref = outcome.reference
        self.outcomes.append(outcome)
        return outcome

    async def photo(self, file_id: str = "photo-file-1") -> Outcome:
        return await self.send("", media=(Media("photo", file_id, "image/jpeg"),))

    async def verify_dialog(self, dialog: Iterable[tuple[str, str | None]]) -> None:
        """Send each text; its reply must contain the expected words (None: no reply).

        ``{ref}`` in either column stands for the last reference the bot gave.
        """
        for text, expected in dialog:
            outcome = await self.send(text.format(ref=self.ref))
            if expected is None:
                assert outcome.reply is None, (text, outcome.reply)
            else:
                assert outcome.reply is not None, (text, outcome)
                assert expected.format(ref=self.ref) in outcome.reply, (text, outcome.reply)


@pytest.fixture
async def store() -> AsyncIterator[FeedbackStore]:
    async with SQLiteStore(MEMORY) as opened:
        yield await seed_areas(opened)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def alerts() -> RecordingAlerts:
    return RecordingAlerts()


@pytest.fixture
def config() -> ConversationConfig:
    return ConversationConfig()


@pytest.fixture
def conversation(store: FeedbackStore, triage: TriageService, clock: Clock,
                 alerts: RecordingAlerts, config: ConversationConfig) -> Conversation:
    return Conversation(store, triage, KEY, config, alerts=alerts, now=clock)


@pytest.fixture
def chat(conversation: Conversation, clock: Clock) -> Chat:
    return Chat(conversation, clock)


@pytest.fixture
def other(conversation: Conversation, clock: Clock) -> Chat:
    return Chat(conversation, clock, sender="+15550199")
