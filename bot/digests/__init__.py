"""Routed digests: each service area's staff hear, on a schedule, what is new in their area.

``build_digests`` wires the parts from ``Settings``; ``bot.app`` starts the schedule and
``civicvoice digest send`` sends at once.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.digests.config import DigestConfig
from bot.digests.content import Digest, Watermark
from bot.digests.scheduler import DigestScheduler
from bot.digests.service import DigestService, Outcome, Result, watermark_key
from bot.digests.targets import DeliveryError, DigestTarget, EmailTarget, TelegramTarget

if TYPE_CHECKING:
    from bot.channels.telegram import TelegramChannel
    from bot.settings import Settings
    from bot.storage import FeedbackStore

__all__ = [
    "DeliveryError", "Digest", "DigestConfig", "DigestScheduler", "DigestService",
    "DigestTarget", "EmailTarget", "Outcome", "Result", "TelegramTarget", "Watermark",
    "build_service", "digest_config", "start_digests", "stop_digests", "watermark_key",
]

logger = logging.getLogger(__name__)


def digest_config(settings: Settings) -> DigestConfig:
    """Parse the ``DIGEST_*`` settings (``ConfigError`` names a bad key)."""
    return DigestConfig.parse(
        recipients=settings.digest_recipients, schedule=settings.digest_schedule,
        target_days=settings.digest_target_days, base_url=settings.public_base_url,
        timezone=settings.digest_timezone)


def build_service(settings: Settings, store: FeedbackStore, *, backoff: float | None = None,
                  attempts: int = 3, email: bool | None = None) -> DigestService:
    """Return a service with the e-mail target when ``SMTP_HOST`` is set (or ``email``)."""
    config = digest_config(settings)
    targets: list[DigestTarget] = []
    if bool(settings.smtp_host) if email is None else email:
        targets.append(EmailTarget(settings, config, store))
    pause = settings.digest_retry_seconds if backoff is None else backoff
    return DigestService(store, config, targets, attempts=attempts, backoff=pause)


def start_digests(settings: Settings, store: FeedbackStore,
                  telegram: TelegramChannel | None = None) -> DigestScheduler | None:
    """Start the digest schedule when there is a target (SMTP_HOST or Telegram groups)."""
    service = build_service(settings, store)
    if telegram is not None:
        service.add_target(TelegramTarget(telegram.links, telegram.sender))
    if not service.targets:
        logger.info("digests off (no SMTP_HOST and no Telegram channel)")
        return None
    scheduler = DigestScheduler(service, digest_config(settings))
    scheduler.start()
    return scheduler


def stop_digests(scheduler: DigestScheduler | None) -> None:
    """Stop what ``start_digests`` started."""
    if scheduler is not None:
        scheduler.stop()
