"""Guards on how ``bot/storage`` builds SQL: values only ever travel as parameters."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import aiosqlite

import bot.storage

STORAGE = Path(bot.storage.__file__).parent
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|WHERE|VALUES|ORDER BY|GROUP BY)\b")
# Everything an f-string may splice into SQL: constants and builders written in the package.
ALLOWED = {
    "SELECT",
    "q.SELECT",
    "_USER_SELECT",
    "_CORRECTION_SELECT",
    "where.sql",
    "order",
    "column",
    "clause",
    "assignments",
    "q.UPDATE_COLUMNS[k]",
    "', '.join(INSERT_COLUMNS)",
    "', '.join('?' * len(INSERT_COLUMNS))",
}


def _modules() -> list[Path]:
    return sorted(STORAGE.glob("*.py"))


def test_f_strings_splice_only_constant_sql() -> None:
    offenders = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.JoinedStr):
                continue
            literal = "".join(
                v.value
                for v in node.values
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
            )
            if not SQL.search(literal):
                continue
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    spliced = ast.unparse(value.value)
                    if spliced not in ALLOWED:
                        offenders.append(f"{path.name}:{node.lineno}: {spliced}")
    assert offenders == []


def test_no_percent_or_format_on_sql() -> None:
    offenders = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            text = None
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
                text = ast.unparse(node.left)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "format"
            ):
                text = ast.unparse(node.func.value)
            if text and SQL.search(text):
                offenders.append(f"{path.name}:{text}")
    assert offenders == []


def test_storage_never_logs() -> None:
    for path in _modules():
        assert "logging" not in path.read_text(), path.name


def test_aiosqlite_still_runs_callables_on_its_thread() -> None:
    # _sqlite_core._call relies on this primitive; fail here, clearly, if it ever goes.
    assert callable(getattr(aiosqlite.Connection, "_execute", None))
