"""How staff hear about an urgent report the moment it is filed, or a report reopened.

``reopened`` is optional: alert classes written before it existed keep working, and
``alert_reopened`` simply skips them.
"""

from __future__ import annotations

import asyncio
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


@runtime_checkable
class ReopenAlerts(Protocol):
    """Tells the area's staff that a citizen said their resolved report is not fixed."""

    async def reopened(self, item: FeedbackItem) -> None:
        """Alert staff to ``item``, open again; raising is logged and changes nothing."""
        ...


class LogAlerts:
    """Alerts as a warning in the log (reference and area only, never the text)."""

    async def urgent(self, item: FeedbackItem) -> None:
        """Log the urgent item."""
        logger.warning("URGENT report %s in %s", item.reference, item.area)

    async def reopened(self, item: FeedbackItem) -> None:
        """Log the reopened item."""
        logger.warning("report %s in %s reopened: the citizen says it is not fixed",
                       item.reference, item.area)


async def alert_reopened(alerts: object | None, item: FeedbackItem, seconds: float) -> bool:
    """Call ``alerts.reopened(item)`` if it has one; return True if it ran without error."""
    if not isinstance(alerts, ReopenAlerts):
        logger.warning("report %s reopened with no reopen alert set up", item.reference)
        return False
    try:
        await asyncio.wait_for(alerts.reopened(item), seconds)
    except Exception as exc:
        logger.error("reopen alert for %s failed (%s)", item.reference, type(exc).__name__,
                     exc_info=exc)
        return False
    return True
