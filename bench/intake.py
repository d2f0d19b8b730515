"""Intake speed: drive POST /api/v1/messages from a second process, bounded, on 127.0.0.1.

    python bench/intake.py [--messages 3000] [--concurrency 50]

Starts ``civicvoice serve`` on a free port with a fresh SQLite database, sends real
citizen texts (each from its own sender, so flood control does not merge them), then the
same number of ``/healthz`` requests, and prints messages per second, p50/p99 latency and
the server's peak memory. Finally it counts the rows: every message must be one stored
inbound message and one filed report, none lost, none doubled.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import httpx

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "models" / "training" / "default_table.csv"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _drive(base: str, requests: list[tuple[str, dict[str, str] | None]],
                 concurrency: int) -> tuple[float, list[float], int]:
    """Send ``requests`` with ``concurrency`` connections (aiohttp: a light client, so the
    figures measure the server, not the load generator)."""
    latencies: list[float] = []
    failures = 0
    queue: asyncio.Queue[tuple[str, dict[str, str] | None]] = asyncio.Queue()
    for item in requests:
        queue.put_nowait(item)

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal failures
        while not queue.empty():
            path, body = queue.get_nowait()
            start = time.perf_counter()
            request = session.post(base + path, json=body) if body else session.get(base + path)
            async with request as response:
                await response.read()
                if response.status != 200:
                    failures += 1
            latencies.append((time.perf_counter() - start) * 1000)

    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    # No cookie jar: each request is its own sender, known by its page id (the hint).
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     cookie_jar=aiohttp.DummyCookieJar()) as session:
        start = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return len(requests) / elapsed, sorted(latencies), failures


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(len(values) * q))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    with TABLE.open(encoding="utf-8") as handle:
        # reports of a few words to 2,000 characters: shorter ones may be keywords (HELP),
        # longer ones are answered with the size limit and not filed
        texts = [r["text"] for r in csv.DictReader(handle)
                 if len(r["text"].split()) >= 4 and len(r["text"]) <= 2000]
    work = Path(tempfile.mkdtemp(prefix="civicvoice-bench-"))
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{work}/bench.db",
           "MODEL_DIR": str(work / "models"), "DATA_DIR": str(work), "SECRET_KEY": "b" * 40,
           "WEB_SENDERS_PER_IP_PER_HOUR": "0"}  # one address plays thousands of citizens
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            print("server did not start", file=sys.stderr)
            return 1
        messages = [("/api/v1/messages", {"sender": f"bench-{i}", "message_id": f"m-{i}",
                                          "text": texts[i % len(texts)]})
                    for i in range(args.messages)]
        # warm-up outside the timing, from other senders
        asyncio.run(_drive(base, [("/api/v1/messages", {"sender": f"warm-{i}",
                                                        "text": texts[i]}) for i in range(50)],
                           10))
        rate, lat, failed = asyncio.run(_drive(base, messages, args.concurrency))
        print(f"POST /api/v1/messages: {rate:,.0f} msg/s, p50 {statistics.median(lat):.1f} ms, "
              f"p99 {_pct(lat, 0.99):.1f} ms, {failed} failed "
              f"({args.messages} messages, concurrency {args.concurrency})")
        health = [("/healthz", None)] * args.messages
        h_rate, h_lat, _ = asyncio.run(_drive(base, health, args.concurrency))
        print(f"GET /healthz (same server): {h_rate:,.0f} req/s, p50 "
              f"{statistics.median(h_lat):.1f} ms, p99 {_pct(h_lat, 0.99):.1f} ms")
        status = Path(f"/proc/{server.pid}/status").read_text()
        print(f"server peak memory: {int(status.split('VmHWM:')[1].split()[0]) / 1024:.0f} MB")
    finally:
        server.terminate()
        server.wait(timeout=30)
    with sqlite3.connect(work / "bench.db") as db:
        inbound = db.execute("SELECT COUNT(*) FROM inbound_messages WHERE "
                             "channel_message_id LIKE 'm-%'").fetchone()[0]
        reports = db.execute("SELECT COUNT(*) FROM feedback f JOIN inbound_messages i ON "
                             "f.inbound_id = i.id WHERE i.channel_message_id LIKE 'm-%'"
                             ).fetchone()[0]
    print(f"rows: {inbound} inbound, {reports} reports for {args.messages} messages "
          f"({'none lost or doubled' if inbound == reports == args.messages else 'MISMATCH'})")
    return 0 if inbound == reports == args.messages else 1


if __name__ == "__main__":
    raise SystemExit(main())
