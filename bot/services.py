"""The running service's parts, built once by ``bot.app`` and shared by the web routes.

Routes read them from ``request.app.state.services``; tests build a ``Services`` of their
own with an in-memory store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.outbox import Outbox
    from bot.retraining import RetrainLauncher
    from bot.settings import Settings
    from bot.storage import FeedbackStore
    from bot.web.web_senders import WebSenders
    from handlers.areas import AreaDirectory
    from handlers.conversation import Conversation
    from handlers.staff_actions import StaffActions
    from handlers.triage import TriageService
    from models.registry import ModelRegistry


@dataclass(slots=True)
class Services:
    """Everything a request handler may need."""

    settings: Settings
    store: FeedbackStore
    registry: ModelRegistry
    triage: TriageService
    conversation: Conversation
    staff: StaffActions
    outbox: Outbox | None = None
    areas: AreaDirectory | None = None
    retrain: RetrainLauncher | None = None
    web_senders: WebSenders | None = None
