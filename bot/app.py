"""The composition root: build settings, model, store and web app; own start-up order."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from bot.settings import Settings
from models.registry import ModelRegistry

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Return the ASGI app serving every route of ``INTERFACES.md``."""
    config = settings or Settings()
    config.check_production()
    registry = ModelRegistry(config.model_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        logger.info("model %s", registry.current_version())
        yield

    app = FastAPI(title="CivicVoice", version="0.1.0", lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "model_version": registry.current_version()}

    return app
