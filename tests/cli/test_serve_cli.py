"""``civicvoice serve --workers``: more than one worker needs PostgreSQL."""

from __future__ import annotations

import subprocess
import sys

from tests.support.serve import ROOT


def test_workers_above_one_are_refused_on_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve", "--workers", "3"], cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
             "DATA_DIR": str(tmp_path)},
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "needs PostgreSQL" in lines[0]
    assert not (tmp_path / "x.db").exists()  # refused before anything was opened
