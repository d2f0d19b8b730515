"""Helpers shared by the command modules: settings, consoles, the model registry."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from rich.console import Console

from bot.settings import Settings
from models.registry import ModelRegistry

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


@contextlib.contextmanager
def training_progress(label: str = "training") -> Iterator[Callable[[str], None]]:
    """A progress callback for ``train_bundle``: a live status line plus a log on stderr."""
    with err_console.status(label) as status:

        def progress(message: str) -> None:
            status.update(message)
            err_console.print(f"  {message}")

        yield progress


class CliError(Exception):
    """Bad usage found after parsing (exit 2 with the message)."""


def settings() -> Settings:
    return Settings()


def registry(config: Settings | None = None) -> ModelRegistry:
    return ModelRegistry((config or settings()).model_dir)
