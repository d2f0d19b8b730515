"""``civicvoice serve``: the web server with every channel and the scheduler."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

import typer

from bot.cli.common import CliError, settings


def register(app: typer.Typer) -> None:
    app.command()(serve)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="Web worker processes (above 1 needs PostgreSQL)")] = 1,
) -> None:
    """Serve webhooks, the try-it page, the dashboard and the APIs."""
    import logging

    import uvicorn

    from bot.app import create_app

    if workers > 1 and urlsplit(settings().database_url.strip()).scheme.startswith("sqlite"):
        raise CliError("--workers above 1 needs PostgreSQL (DATABASE_URL=postgresql://...): "
                       "a SQLite file takes one writing process")

    # Our own loggers say what the service does at INFO (never texts or addresses); the
    # HTTP and SDK loggers stay at WARNING: at INFO they print URLs with tokens and bodies.
    for name in ("bot", "handlers", "nlp", "models"):
        logging.getLogger(name).setLevel(logging.INFO)
    for name in ("httpx", "httpcore", "twilio", "twilio.http_client", "telegram", "aiohttp"):
        logging.getLogger(name).setLevel(logging.WARNING)

    # proxy_headers off: uvicorn would otherwise believe any X-Forwarded-For sent from
    # 127.0.0.1; bot.web.clients believes it only from TRUSTED_PROXIES.
    # Above one worker, each worker process builds its own app from the same settings.
    target = "bot.app:create_app" if workers > 1 else create_app()
    uvicorn.run(target, factory=workers > 1, workers=workers if workers > 1 else None,
                host=host, port=port, log_level="info", access_log=False,
                proxy_headers=False)
