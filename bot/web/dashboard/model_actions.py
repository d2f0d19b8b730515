"""Admin actions on models, shared by the dashboard and the admin API.

Promotion and rollback are audited with the admin as actor and reach the running service at
once (``TriageService.reload``), not only at the model watcher's next look. Retraining runs
in its own process (``bot.retraining.RetrainLauncher``); this module only starts it and
reads its status file.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from bot.retraining import RetrainStatus
from bot.services import Services
from bot.storage import FeedbackStore
from bot.web.dashboard.drift import Drift, month_start, monthly_drift
from nlp.errors import ModelError

logger = logging.getLogger(__name__)


async def _take_effect(services: Services) -> str:
    """Load the new current model now; return a problem in words, or ``""``."""
    try:
        await services.triage.reload()
        if services.areas is not None:
            await services.areas.sync()
    except Exception as exc:  # the registry changed; the service keeps its old model
        logger.error("the new current model did not load; still serving %s",
                     services.triage.version, exc_info=exc)
        return f"the service could not load it ({str(exc)[:200]}) and still uses " \
               f"{services.triage.version}"
    return ""


async def promote(services: Services, version: str, actor: str) -> str:
    """Make ``version`` current; return a sentence for the admin.

    ``LookupError`` for an unknown version, ``ModelError`` for one that does not load.
    """
    registry = services.registry
    known = {info.version for info in await asyncio.to_thread(registry.list)}
    if version not in known:
        raise LookupError(f"no model version {version[:100]!r}")
    old = await asyncio.to_thread(registry.current_version)
    if version == old:
        return f"{version} is already the current model."
    await asyncio.to_thread(registry.promote, version, f"promoted by {actor}")
    await services.store.add_audit(actor, "promote", "model", version,
                                   before={"current": old}, after={"current": version})
    problem = await _take_effect(services)
    logger.info("model %s promoted by an admin (was %s)", version, old)
    return f"{version} promoted" + (f", but {problem}." if problem else
                                    f"; the service now uses {services.triage.version}.")


async def rollback(services: Services, actor: str) -> str:
    """Go back to the previous current version; ``ModelError`` if there is none."""
    registry = services.registry
    old = await asyncio.to_thread(registry.current_version)
    target = await asyncio.to_thread(registry.rollback)
    await services.store.add_audit(actor, "rollback", "model", target,
                                   before={"current": old}, after={"current": target})
    problem = await _take_effect(services)
    logger.info("model rolled back from %s to %s by an admin", old, target)
    return f"Rolled back from {old} to {target}" + (f", but {problem}." if problem else
                                                    f"; the service now uses "
                                                    f"{services.triage.version}.")


def retrain_state(services: Services) -> dict[str, Any]:
    """The last (or running) retrain as JSON, with whether one is running now."""
    launcher = services.retrain
    if launcher is None:
        return {"available": False, "running": False, "status": None}
    status: RetrainStatus | None = launcher.status()
    running = launcher.running() or bool(status and status.running)
    return {"available": True, "running": running,
            "status": None if status is None else asdict(status)}


async def start_retrain(services: Services, actor: str) -> dict[str, Any]:
    """Start a retrain for ``actor``; ``ModelError`` if one runs or none can be started."""
    if services.retrain is None:
        raise ModelError("retraining is not available in this service")
    await services.retrain.start(actor)  # refuses while one runs, even one just started
    logger.info("retrain requested by an admin")
    return retrain_state(services)


async def load_drift(store: FeedbackStore, now: datetime | None = None) -> Drift:
    """This calendar month's drift (UTC) between the model's routing and staff labels."""
    since = month_start(now or datetime.now(UTC))
    current = await store.count_feedback_by("area", since=since)
    corrections = await store.list_corrections(since=since)
    # keep labels of reports filed this month only (the store joins each with its report)
    filed = [c for c in corrections
             if c.feedback_created_at is not None and c.feedback_created_at >= since]
    return monthly_drift(current, filed, since)

