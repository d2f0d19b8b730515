"""``civicvoice telegram link-code --area AREA ...``: a one-time code to link a staff group."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from bot.channels.telegram.links import CODE_TTL, create_code
from bot.cli.common import CLI_ACTOR, CliError, settings
from bot.storage import store_from_url


def register(app: typer.Typer) -> None:
    telegram = typer.Typer(help="Telegram staff groups.", no_args_is_help=True)
    telegram.command("link-code")(link_code)
    app.add_typer(telegram, name="telegram")


def link_code(
    area: Annotated[list[str], typer.Option(
        help="Service-area code the group receives; repeat for several; '*' for all")],
) -> None:
    """Print a one-time code; send '/link CODE' in the staff group within 24 hours."""
    areas = [a.strip() for a in area if a.strip()]
    if not areas:
        raise CliError("give at least one --area")

    async def work() -> str:
        async with store_from_url(settings().database_url) as store:
            return await create_code(store, areas, actor=CLI_ACTOR)

    code = asyncio.run(work())
    hours = int(CODE_TTL.total_seconds() // 3600)
    typer.echo(f"In the staff group, send: /link {code}  (valid {hours} h, once; areas: "
               f"{', '.join(sorted(set(areas)))})", err=True)
    typer.echo(code)
