"""The README's configuration table and ``.env.example`` keep up with ``bot.settings``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import Field, SecretStr

from bot.settings import Settings
from bot.settings_table import BEGIN, END, env_name, main, table, with_table

ROOT = Path(__file__).resolve().parents[1]
NAMES = {env_name(name, field) for name, field in Settings.model_fields.items()}


def test_readme_table_is_what_the_settings_make() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert with_table(readme) == readme, "README.md's settings table is stale: run `make docs`"
    assert main(["--check", str(ROOT / "README.md")]) == 0


def test_every_setting_says_what_it_means() -> None:
    unexplained = [name for name, field in Settings.model_fields.items()
                   if len((field.description or "").split()) < 3]
    assert not unexplained, f"give these fields a docstring in bot/settings.py: {unexplained}"


def test_env_example_lists_every_setting_and_nothing_else() -> None:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    keys = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, re.M))
    assert NAMES - keys == set(), "add these to .env.example"
    assert keys - NAMES == set(), "these in .env.example are not settings"


def test_a_new_field_gets_its_row(tmp_path: Path) -> None:
    class Wider(Settings):
        widget_limit: int = Field(default=7, ge=2, le=9)
        """Widgets | at once"""
        widget_token: SecretStr = SecretStr("")
        """Token of the widget service"""
        ratio: float = 2.0
        """A ratio that is a whole number"""

    rows = table(Wider).splitlines()
    assert len(rows) == 2 + len(Settings.model_fields) + 3
    assert "| `WIDGET_LIMIT` | `7` | Widgets \\| at once (at least 2, at most 9) |" in rows
    assert "| `WIDGET_TOKEN` | (empty) | Token of the widget service (secret) |" in rows
    assert "| `RATIO` | `2` | A ratio that is a whole number |" in rows
    assert "| `TELEGRAM_KEEP_PHOTOS` | `false` |" in table(Wider)

    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{BEGIN}\nold\n{END}\n\nafter\n", encoding="utf-8")
    assert main(["--check", str(readme)]) == 1
    assert main(["--write", str(readme)]) == 0 and main(["--check", str(readme)]) == 0
    assert readme.read_text(encoding="utf-8").endswith(f"{END}\n\nafter\n")


def test_missing_markers_are_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# no table here\n", encoding="utf-8")
    assert main(["--write", str(readme)]) == 1
    assert "markers" in capsys.readouterr().err
