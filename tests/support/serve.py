"""Run the real ``civicvoice serve`` in a subprocess on a free 127.0.0.1 port."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(env: dict[str, str], port: int, timeout: float = 60,
                 log: Path | None = None) -> subprocess.Popen[bytes]:
    """Start the service with ``env`` and return once ``/healthz`` answers; its output goes
    to ``log`` if given."""
    sink = log.open("ab") if log is not None else contextlib.nullcontext(subprocess.DEVNULL)
    with sink as output:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1",
             "--port", str(port)],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("server did not start")


@contextlib.contextmanager
def serving(folder: Path, extra: dict[str, str] | None = None, log: Path | None = None
            ) -> Iterator[tuple[str, dict[str, str]]]:
    """Serve with a database, models and keys of its own under ``folder`` (and the settings
    in ``extra``); yield its base URL and environment (for CLI commands on the same data)."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/service.db",
           "MODEL_DIR": str(folder / "models"), "DATA_DIR": str(folder),
           "SECRET_KEY": "t" * 40, "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
           **(extra or {})}
    proc = start_server(env, port, log=log)
    try:
        yield f"http://127.0.0.1:{port}", env
    finally:
        proc.terminate()
        proc.wait(timeout=30)
