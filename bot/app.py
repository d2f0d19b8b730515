"""The composition root: build every part once and own start-up and shut-down order.

Start-up: settings -> store (migrated) -> model (in a thread) -> triage batcher ->
conversation and staff actions -> outbox worker -> finish messages stored but not handled
before the last stop -> Telegram -> digest schedule -> Open311 forwarding -> model watcher.
Shut-down runs the same list backwards.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI

from bot.channels.base import ChannelSender
from bot.channels.sms import start_sms, stop_sms
from bot.channels.telegram import AlertFanout, start_telegram, stop_telegram
from bot.channels.web import WebSender
from bot.digests import start_digests, stop_digests
from bot.open311 import start_open311, stop_open311
from bot.outbox import Outbox
from bot.retraining import RetrainLauncher
from bot.services import Services
from bot.settings import Settings
from bot.storage import FeedbackStore, store_from_url
from bot.web import admin_api, citizen, dashboard, staff_api, telegram_routes
from bot.web.docs import install_docs
from bot.web.errors import install_error_handlers
from bot.web.headers import SecurityHeaders
from bot.web.health import mark_ready
from bot.web.health import router as health_router
from bot.web.open311 import router as open311_router
from bot.web.openapi import install_openapi
from bot.web.web_senders import WebSenders
from handlers.alerts import LogAlerts
from handlers.areas import AreaDirectory
from handlers.conversation import Conversation, ConversationConfig
from handlers.staff_actions import StaffActions
from handlers.tasks import cancel_and_wait
from handlers.triage import TriageService
from models.registry import ModelRegistry
from nlp.triage import Triager

logger = logging.getLogger(__name__)

MODEL_CHECK_SECONDS = 10.0


def conversation_config(settings: Settings) -> ConversationConfig:
    return ConversationConfig(
        emergency_numbers=settings.emergency_numbers,
        max_message_chars=settings.max_message_chars,
        flood_window_seconds=settings.flood_window_seconds,
        flood_max_reports=settings.flood_max_reports,
        default_language=settings.language,
    )


def create_app(settings: Settings | None = None, *, store: FeedbackStore | None = None,
               senders: Mapping[str, ChannelSender] | None = None) -> FastAPI:
    """Return the ASGI app serving every route of ``INTERFACES.md``."""
    config = settings or Settings()
    config.check_production()
    registry = ModelRegistry(config.model_dir)
    pipeline = config.spacy_pipeline or None

    def load_model() -> Triager:
        return Triager.from_folder(registry.resolve(None), pipeline)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        secret = config.secret
        db = store or store_from_url(config.database_url)
        await db.open()
        triage = TriageService(await asyncio.to_thread(load_model), loader=load_model)
        await triage.start()
        conv_config = conversation_config(config)
        outbox = Outbox(db, {"web": WebSender(), **(senders or {})}, secret)
        alerts = AlertFanout(LogAlerts())  # Telegram staff groups join when the channel starts
        services = Services(
            settings=config, store=db, registry=registry, triage=triage,
            conversation=Conversation(db, triage, secret, conv_config, alerts=alerts),
            staff=StaffActions(db, secret, conv_config), outbox=outbox,
            areas=(areas := AreaDirectory(db, triage)),
            retrain=(launcher := RetrainLauncher(config)),
            web_senders=WebSenders(secret, config.web_senders_per_ip_per_hour,
                                   secure=config.public_base_url.startswith("https://")),
        )
        await areas.sync()
        app.state.services = services
        app.state.sms = start_sms(app, config, services)
        await outbox.start()
        recovered = await services.conversation.recover()
        if recovered:
            logger.info("handled %d message(s) stored before the last stop", recovered)
        app.state.telegram = await start_telegram(config, services, alerts)
        app.state.digests = start_digests(config, db, app.state.telegram)
        app.state.open311 = start_open311(config, db, conv_config)
        watcher = asyncio.create_task(_watch_model(registry, triage, areas),
                                      name="model-watcher")
        # The model and spaCy's tables are millions of long-lived objects; keep the cyclic
        # garbage collector from walking them on every full pass (pauses of 100+ ms).
        gc.collect()
        gc.freeze()
        logger.info("serving with model %s", triage.version)
        mark_ready(app, True)
        try:
            yield
        finally:
            mark_ready(app, False)
            await cancel_and_wait(watcher)
            await launcher.stop()
            await stop_open311(app.state.open311)
            stop_digests(app.state.digests)
            await stop_telegram(app.state.telegram, alerts)
            await stop_sms(app.state.sms)
            await outbox.stop()
            await triage.stop()
            if store is None:
                await db.close()

    app = FastAPI(
        title="CivicVoice",
        version="0.1.0",
        description="Citizens' reports and ideas over Telegram, SMS and the web; staff API.",
        lifespan=lifespan,
        max_body_size=config.max_body_bytes,  # the default; bot.web.limits sets per-router ones
        docs_url=None, redoc_url=None,  # bot.web.docs serves them without a CDN
    )
    install_error_handlers(app)
    install_openapi(app)
    install_docs(app)
    app.add_middleware(SecurityHeaders, https=config.public_base_url.startswith("https://"))

    @app.get("/healthz", tags=["service"])
    async def healthz() -> dict[str, str]:
        services: Services | None = getattr(app.state, "services", None)
        version = services.triage.version if services else registry.current_version()
        return {"status": "ok", "model_version": version}

    app.include_router(health_router)
    app.include_router(citizen.router)
    app.include_router(staff_api.router)
    app.include_router(admin_api.router)
    app.include_router(dashboard.router)
    app.include_router(open311_router)
    if config.telegram_enabled:
        app.include_router(telegram_routes.router)
    return app


async def _watch_model(registry: ModelRegistry, triage: TriageService,
                       areas: AreaDirectory) -> None:
    """Pick up a promoted or rolled-back model, and area changes, without a restart."""
    while True:
        await asyncio.sleep(MODEL_CHECK_SECONDS)
        try:
            if await asyncio.to_thread(registry.current_version) != triage.version:
                await triage.reload()
            await areas.sync()
        except Exception as exc:  # a broken new version must not stop the service
            logger.error("model reload failed; keeping %s", triage.version, exc_info=exc)
