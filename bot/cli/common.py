"""Helpers shared by the command modules: settings, consoles, the model registry."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, TypeVar

from rich.console import Console

from bot.settings import Settings
from models.registry import ModelRegistry

if TYPE_CHECKING:
    from bot.storage import FeedbackStore

T = TypeVar("T")
CLI_ACTOR = "admin:cli"
"""Who the audit log names for changes made from the command line."""

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


def with_store(work: Callable[[FeedbackStore], Awaitable[T]],
               bad_input: tuple[type[Exception], ...] = ()) -> T:
    """Open the store ``DATABASE_URL`` names, run ``work`` on it and close it again.

    Exceptions of the ``bad_input`` types become ``CliError`` (a one-line reason, exit 2).
    """
    from bot.storage import store_from_url

    async def main() -> T:
        async with store_from_url(settings().database_url) as store:
            try:
                return await work(store)
            except bad_input as exc:
                raise CliError(str(exc)) from exc

    return asyncio.run(main())
