"""Server memory under oversized uploads: 20 clients each sending a 100 MB body at once.

    python bench/uploads.py [--clients 20] [--megabytes 100]

Starts ``civicvoice serve`` on SQLite in a temporary folder, reads its resident memory
when idle, then, for each way of sending (a declared ``Content-Length``, and chunked with no
length), starts the clients together against ``POST /api/v1/messages`` and the Twilio and
Open311 routes, samples the server's resident memory every 10 ms, and prints the peak over
idle and every answer's status. The target: within 50 MB of idle, every client answered 413.
"""

from __future__ import annotations

import argparse
import os
import select
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.serve import free_port, start_server  # noqa: E402

CHUNK = 64 * 1024
PATHS = ("/api/v1/messages", "/sms/twilio", "/open311/v2/requests.json")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def upload(port: int, path: str, size: int, chunked: bool, out: list[str]) -> None:
    """Send ``size`` bytes of body until the server answers; record the status line."""
    head = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
            "X-Twilio-Signature: forged"]
    head.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}")
    block = b" " * CHUNK
    piece = (f"{CHUNK:x}\r\n".encode() + block + b"\r\n") if chunked else block
    sent, answer = 0, b""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        deadline = time.monotonic() + 60
        while sent < size and time.monotonic() < deadline:
            readable, writable, _ = select.select([sock], [sock], [], 1.0)
            if readable:
                break
            if writable:
                try:
                    sock.send(piece)
                except OSError:
                    break
                sent += CHUNK
        try:
            sock.settimeout(10)
            answer = sock.recv(200)
        except OSError:
            pass
    status = answer.split(b"\r\n", 1)[0].decode(errors="replace") or "no answer"
    out.append(f"{status} after {sent / 1e6:.1f} MB sent")


def run(port: int, pid: int, clients: int, size: int, chunked: bool) -> tuple[int, Counter[str]]:
    results: list[str] = []
    threads = [threading.Thread(target=upload, args=(port, PATHS[i % len(PATHS)], size,
                                                      chunked, results))
               for i in range(clients)]
    peak = rss_kib(pid)
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        peak = max(peak, rss_kib(pid))
        time.sleep(0.01)
    statuses = Counter(r.split(" after ")[0] for r in results)
    return peak, statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--megabytes", type=int, default=100)
    args = parser.parse_args()
    size = args.megabytes * 1_000_000
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/bench.db",
               "MODEL_DIR": f"{folder}/models", "DATA_DIR": folder, "SECRET_KEY": "b" * 40,
               "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
               "TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "t" * 32,
               "TWILIO_FROM_NUMBER": "+15005550006"}
        proc = start_server(env, port)
        try:
            time.sleep(2)
            idle = rss_kib(proc.pid)
            print(f"server idle: {idle / 1024:.1f} MB resident")
            for chunked in (False, True):
                peak, statuses = run(port, proc.pid, args.clients, size, chunked)
                how = "chunked" if chunked else "Content-Length"
                print(f"{args.clients} x {args.megabytes} MB ({how}): peak "
                      f"{peak / 1024:.1f} MB, +{(peak - idle) / 1024:.1f} MB over idle; "
                      + ", ".join(f"{n} x {s}" for s, n in statuses.most_common()))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
