"""``digest send``: every area's digest now, whatever the schedule.

Opens the store named by ``DATABASE_URL``, so it works beside a running ``civicvoice serve``
(the watermarks in the store keep the two from sending the same items twice).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated

import typer

from bot.cli.common import CliError, settings
from bot.digests import DigestService, Outcome, Result, TelegramTarget, build_service
from bot.digests.render import render_text, subject
from bot.settings import Settings
from bot.storage import FeedbackStore, store_from_url


def register(app: typer.Typer) -> None:
    digest = typer.Typer(help="Routed digests for each service area's staff.",
                         no_args_is_help=True)
    digest.command("send")(send)
    app.add_typer(digest, name="digest")


@contextlib.asynccontextmanager
async def _telegram(config: Settings, store: FeedbackStore, service: DigestService,
                    dry_run: bool) -> AsyncIterator[None]:
    """Add the linked Telegram staff groups as a target while the command runs."""
    if not config.telegram_enabled:
        yield
        return
    from telegram import Bot

    from bot.channels.telegram.links import StaffLinks
    from bot.channels.telegram.sender import TelegramSender

    bot = Bot(config.telegram_bot_token.get_secret_value(),
              base_url=config.telegram_api_base_url)
    service.add_target(TelegramTarget(StaffLinks(store, config.secret), TelegramSender(bot)))
    if dry_run:
        yield
        return
    async with bot:
        yield


def _print(result: Result) -> None:
    digest = result.digest
    if result.outcome is Outcome.NOTHING_NEW or digest is None:
        return
    head = f"{result.area} by {result.target}: {result.outcome}"
    if result.outcome is Outcome.DRY_RUN:
        typer.echo(f"=== {head} ===")
        typer.echo(f"To: {', '.join(result.recipients)}")
        typer.echo(f"Subject: {subject(digest)}\n")
        typer.echo(render_text(digest))
    elif result.outcome is Outcome.FAILED:
        typer.echo(f"{head} ({result.error}); it will be sent at the next run", err=True)
    elif result.outcome is Outcome.NO_RECIPIENTS:
        typer.echo(f"{head} ({digest.new_count} new item(s) wait; add staff with "
                   f"--area {result.area} or DIGEST_RECIPIENTS)", err=True)
    else:
        typer.echo(f"{head} ({digest.new_count} new item(s), "
                   f"{len(result.recipients)} recipient(s))")


def send(
    area: Annotated[str | None, typer.Option(help="Only this service-area code")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Print what would be sent; send and mark nothing")] = False,
) -> None:
    """Send every area's digest now with what is new since its last digest."""
    config = settings()

    async def main() -> list[Result]:
        async with store_from_url(config.database_url) as store:
            # a dry run shows the e-mail digests even before SMTP_HOST is set
            service = build_service(config, store, email=dry_run or None)
            async with _telegram(config, store, service, dry_run):
                if not service.targets:
                    raise CliError("no digest target: set SMTP_HOST (or TELEGRAM_BOT_TOKEN)")
                return await service.send([area.strip()] if area else None, dry_run=dry_run)

    results = asyncio.run(main())
    for result in results:
        _print(result)
    if not any(r.outcome is not Outcome.NOTHING_NEW for r in results):
        typer.echo("nothing new for any area")
    if any(r.outcome is Outcome.FAILED for r in results):
        raise typer.Exit(1)
