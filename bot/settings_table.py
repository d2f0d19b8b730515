"""The README's configuration table, made from ``bot.settings.Settings`` so it cannot drift.

Each setting's row gives its environment variable, its default and its description (the
field's docstring). ``python -m bot.settings_table`` prints the table; ``--write README.md``
(what ``make docs`` runs) replaces the table between the markers; ``--check README.md``
exits 1 when the file's table differs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from annotated_types import Ge, Le
from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from bot.settings import Settings

BEGIN = "<!-- settings table: made from bot/settings.py by `make docs`; edit there -->"
END = "<!-- end of settings table -->"


def env_name(name: str, field: FieldInfo) -> str:
    """The variable a field is read from (pydantic-settings: its alias, else its name)."""
    alias = field.validation_alias if isinstance(field.validation_alias, str) else field.alias
    return (alias or name).upper()


def _value_text(value: Any) -> str:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"`{value}`"


def default_text(field: FieldInfo) -> str:
    if field.default_factory is not None:
        return _value_text(field.default_factory())  # type: ignore[call-arg]
    if field.default is PydanticUndefined:
        return "required"
    return _value_text(field.default)


def meaning_text(field: FieldInfo) -> str:
    text = " ".join((field.description or "").split()).replace("|", "\\|")
    bounds = [f"at least {m.ge}" for m in field.metadata if isinstance(m, Ge)]
    bounds += [f"at most {m.le}" for m in field.metadata if isinstance(m, Le)]
    if bounds:
        text += f" ({', '.join(bounds)})"
    if field.annotation is SecretStr:
        text += " (secret)"
    return text


def table(settings: type[Settings] = Settings) -> str:
    """The Markdown table of every field of ``settings``, in the order they are declared."""
    lines = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for name, field in settings.model_fields.items():
        lines.append(f"| `{env_name(name, field)}` | {default_text(field)} | "
                     f"{meaning_text(field)} |")
    return "\n".join(lines) + "\n"


def with_table(text: str, settings: type[Settings] = Settings) -> str:
    """``text`` with the part between ``BEGIN`` and ``END`` replaced by ``table()``."""
    head, begin, rest = text.partition(BEGIN)
    _old, end, tail = rest.partition(END)
    if not begin or not end:
        raise ValueError(f"the markers {BEGIN!r} and {END!r} are not both there")
    return f"{head}{BEGIN}\n{table(settings)}{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.settings_table",
                                     description=__doc__.splitlines()[0] if __doc__ else None)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--write", type=Path, metavar="FILE", help="replace FILE's table")
    group.add_argument("--check", type=Path, metavar="FILE", help="exit 1 if FILE's differs")
    args = parser.parse_args(argv)
    if args.write is None and args.check is None:
        sys.stdout.write(table())
        return 0
    path: Path = args.write or args.check
    text = path.read_text(encoding="utf-8")
    try:
        wanted = with_table(text)
    except ValueError as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 1
    if args.check is not None:
        if wanted != text:
            print(f"{path}: the configuration table is out of date; run `make docs`",
                  file=sys.stderr)
            return 1
        return 0
    if wanted != text:
        path.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
