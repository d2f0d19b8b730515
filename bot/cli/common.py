"""Helpers shared by the command modules: settings, consoles, the model registry."""

from __future__ import annotations

from rich.console import Console

from bot.settings import Settings
from models.registry import ModelRegistry

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


class CliError(Exception):
    """Bad usage found after parsing (exit 2 with the message)."""


def settings() -> Settings:
    return Settings()


def registry(config: Settings | None = None) -> ModelRegistry:
    return ModelRegistry((config or settings()).model_dir)
