"""How staff hear about an urgent report the moment it is filed."""

from __future__ import annotations

import logging
from typing import Protocol, runtime_checkable

from bot.storage import FeedbackItem

logger = logging.getLogger(__name__)


@runtime_checkable
class UrgentAlerts(Protocol):
    """Tells staff at once about an urgent item (e-mail, a staff chat, a pager)."""

    async def urgent(self, item: FeedbackItem) -> None:
        """Alert staff to ``item``; raising is logged and never loses the report."""
        ...


class LogAlerts:
    """Alerts as a warning in the log (reference and area only, never the text)."""

    async def urgent(self, item: FeedbackItem) -> None:
        """Log the urgent item."""
        logger.warning("URGENT report %s in %s", item.reference, item.area)
