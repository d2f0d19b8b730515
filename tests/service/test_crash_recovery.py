"""Kill the real server (SIGKILL) in the middle of a burst: nothing lost, nothing doubled."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.support.browsers import without_cookies
from tests.support.serve import free_port, start_server

TEXTS = ["Pothole on Elm Street near number {i}", "Street light {i} on Oak Rd is out",
         "Bins not collected on Birch Lane, house {i}", "Graffiti on the wall at {i} Main St"]


def _start(tmp: Path, port: int) -> subprocess.Popen[bytes]:
    return start_server({**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/crash.db",
                         "MODEL_DIR": str(tmp / "models"), "DATA_DIR": str(tmp),
                         "SECRET_KEY": "k" * 40, "WEB_SENDERS_PER_IP_PER_HOUR": "0"}, port)


def _body(i: int) -> dict[str, str]:
    return {"sender": f"crash-{i}", "message_id": f"crash-msg-{i}",
            "text": TEXTS[i % len(TEXTS)].format(i=i)}


async def _burst(base: str, n: int, kill: subprocess.Popen[bytes] | None) -> dict[int, int]:
    answered: dict[int, int] = {}
    quarter = asyncio.Event()

    async def send(client: httpx.AsyncClient, i: int) -> None:
        try:
            response = await client.post("/api/v1/messages", json=_body(i))
            answered[i] = response.status_code
            if len(answered) >= n // 4:
                quarter.set()
        except httpx.HTTPError:
            pass  # the server died under us: the client will retry

    # No cookies kept: each sender is known by its page's id (the hint), so a retry after
    # the kill, whose first answer and cookie were lost, still finds its first message.
    async with without_cookies(httpx.AsyncClient(base_url=base, timeout=20)) as client:
        tasks = [asyncio.create_task(send(client, i)) for i in range(n)]
        if kill is not None:
            await quarter.wait()
            kill.send_signal(signal.SIGKILL)
        await asyncio.gather(*tasks)
    return answered


@pytest.mark.slow
def test_sigkill_mid_burst_loses_and_doubles_nothing(tmp_path: Path) -> None:
    n = 120
    port = free_port()
    server = _start(tmp_path, port)
    first = asyncio.run(_burst(f"http://127.0.0.1:{port}", n, kill=server))
    server.wait(timeout=10)
    assert 0 < len(first) < n, "the kill should land in the middle of the burst"

    server = _start(tmp_path, port)  # start-up finishes what was stored but not handled
    try:
        second = asyncio.run(_burst(f"http://127.0.0.1:{port}", n, kill=None))
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert second == dict.fromkeys(range(n), 200)

    with sqlite3.connect(tmp_path / "crash.db") as db:
        inbound = db.execute("SELECT channel_message_id, state FROM inbound_messages "
                             "WHERE channel_message_id LIKE 'crash-msg-%'").fetchall()
        reports = db.execute("SELECT i.channel_message_id FROM feedback f JOIN "
                             "inbound_messages i ON f.inbound_id = i.id WHERE "
                             "i.channel_message_id LIKE 'crash-msg-%'").fetchall()
    assert len(inbound) == n and {state for _, state in inbound} == {"handled"}
    assert sorted(r[0] for r in reports) == sorted(f"crash-msg-{i}" for i in range(n))
