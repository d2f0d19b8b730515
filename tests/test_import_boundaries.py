"""nlp/ and models/ stay pure: no chat, SMS, web or storage imports (STYLE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = ("telegram", "twilio", "fastapi", "starlette", "uvicorn", "aiosqlite", "httpx",
             "aiohttp", "bot", "handlers", "jinja2", "aiosmtplib", "pickle", "joblib")
RULES = {"nlp": FORBIDDEN, "models": FORBIDDEN, "handlers": ("bot.app", "fastapi", "sqlite3",
                                                              "aiosqlite", "sklearn")}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(RULES))
def test_package_imports(package: str) -> None:
    bad = []
    for path in (ROOT / package).rglob("*.py"):
        for name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in RULES[package]):
                bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert bad == []
