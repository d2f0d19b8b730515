"""Send one alert to several ``UrgentAlerts`` (the log, Telegram staff groups ...).

``reopened`` (a citizen said a resolved report is not fixed) reaches the targets that have
it; older targets with only ``urgent`` are skipped.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.storage import FeedbackItem

logger = logging.getLogger(__name__)


class _Alerts(Protocol):
    async def urgent(self, item: FeedbackItem) -> None: ...


class AlertFanout:
    """Calls every target in turn; one failing target does not stop the others."""

    def __init__(self, *targets: _Alerts) -> None:
        self._targets = list(targets)

    def add(self, target: _Alerts) -> None:
        self._targets.append(target)

    def remove(self, target: _Alerts) -> None:
        if target in self._targets:
            self._targets.remove(target)

    async def urgent(self, item: FeedbackItem) -> None:
        """Alert every target about ``item``."""
        for target in list(self._targets):
            try:
                await target.urgent(item)
            except Exception as exc:
                logger.error("urgent alert via %s failed (%s)", type(target).__name__,
                             type(exc).__name__, exc_info=exc)

    async def reopened(self, item: FeedbackItem) -> None:
        """Tell every target that has ``reopened`` that ``item`` is open again."""
        for target in list(self._targets):
            alert = getattr(target, "reopened", None)
            if alert is None:
                continue
            try:
                await alert(item)
            except Exception as exc:
                logger.error("reopen alert via %s failed (%s)", type(target).__name__,
                             type(exc).__name__, exc_info=exc)
