"""``civicvoice serve``: the web server with every channel and the scheduler."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command()(serve)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
) -> None:
    """Serve webhooks, the try-it page, the dashboard and the APIs."""
    import logging

    import uvicorn

    from bot.app import create_app

    # Our own loggers say what the service does at INFO (never texts or addresses); the
    # HTTP and SDK loggers stay at WARNING: at INFO they print URLs with tokens and bodies.
    for name in ("bot", "handlers", "nlp", "models"):
        logging.getLogger(name).setLevel(logging.INFO)
    for name in ("httpx", "httpcore", "twilio", "twilio.http_client", "telegram", "aiohttp"):
        logging.getLogger(name).setLevel(logging.WARNING)

    # proxy_headers off: uvicorn would otherwise believe any X-Forwarded-For sent from
    # 127.0.0.1; bot.web.clients believes it only from TRUSTED_PROXIES.
    uvicorn.run(create_app(), host=host, port=port, log_level="info", access_log=False,
                proxy_headers=False)
