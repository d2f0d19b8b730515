"""The ``civicvoice`` command line (Typer). Exit 0 ok, 2 bad usage or input, 1 failure."""

from __future__ import annotations

import logging
import sys

import typer

from bot.channels.telegram import cli as telegram_cli
from bot.cli import (
    admin_commands,
    area_commands,
    digest_commands,
    model_commands,
    open311_commands,
    retrain_commands,
    serve_commands,
)
from bot.cli.common import CliError
from bot.settings import ConfigError
from nlp.errors import DataError, ModelError, TriageError

app = typer.Typer(
    name="civicvoice",
    help="Hear citizens over Telegram, SMS and the web; triage, route and follow up.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
model_commands.register(app)
retrain_commands.register(app)
serve_commands.register(app)
admin_commands.register(app)
area_commands.register(app)
digest_commands.register(app)
open311_commands.register(app)
telegram_cli.register(app)


def _fail(reason: object) -> None:
    """Write the one-line reason for a failed command to stderr."""
    line = " ".join(str(reason).split())
    sys.stderr.write(f"error: {line}\n")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; turn known errors into a one-line reason and an exit status."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        app(args=argv, prog_name="civicvoice")  # click handles usage errors (exit 2)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except (DataError, CliError) as exc:
        _fail(exc)
        return 2
    except (ModelError, ConfigError, TriageError, OSError) as exc:
        _fail(exc)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the one place that turns the unexpected into a clean exit
        logging.getLogger("civicvoice").error("unexpected error", exc_info=exc)
        _fail(f"{type(exc).__name__}: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
