"""The default taxonomy in a bare test store: area writes are checked against the table."""

from __future__ import annotations

from bot.storage import FeedbackStore
from handlers.catalogue import AREA_LABELS, DEFAULT_LANGUAGE


async def seed_areas(store: FeedbackStore) -> FeedbackStore:
    """Add every default area to ``store`` (as the service does at start-up); return it."""
    await store.ensure_areas(dict(AREA_LABELS[DEFAULT_LANGUAGE]))
    return store
