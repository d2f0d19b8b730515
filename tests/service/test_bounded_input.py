"""What a hostile client sends to the real server: huge, unfinished, deep and odd bodies.

One ``civicvoice serve`` (SMS on, with a stand-in's credentials) serves the whole module;
requests go over raw sockets where the HTTP client would refuse to send them.
"""

from __future__ import annotations

import json
import socket
import time
import xml.etree.ElementTree as ET  # parsing our own server's output only
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.serve import serving

pytestmark = pytest.mark.slow

SMS_ENV = {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "t" * 32,
           "TWILIO_FROM_NUMBER": "+15005550006", "WEB_SENDERS_PER_IP_PER_HOUR": "0"}


class Served:
    def __init__(self, base: str, log: Path) -> None:
        self.base, self.log = base, log
        self.port = int(base.rsplit(":", 1)[1])

    def raw(self, head: str, body: bytes = b"", *, close_after: bool = False,
            wait: float = 10.0) -> bytes:
        """Send ``head`` and ``body`` and return the status line (b"" if none came)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=wait) as sock:
            sock.sendall(head.encode() + b"\r\n\r\n" + body)
            if close_after:
                return b""
            try:
                return sock.recv(4096).split(b"\r\n", 1)[0]
            except OSError:
                return b""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("bounded")
    log = folder / "server.log"
    with serving(folder, SMS_ENV, log=log) as (base, _):
        yield Served(base, log)


ROUTES = ["/api/v1/messages", "/sms/twilio", "/sms/twilio/status",
          "/open311/v2/requests.json", "/api/v1/feedback/CV-ABCDE", "/staff/login",
          "/no/such/route"]


@pytest.mark.parametrize("path", ROUTES)
def test_a_declared_oversized_body_is_refused_before_it_is_sent(served: Served,
                                                               path: str) -> None:
    method = "PATCH" if path.startswith("/api/v1/feedback") else "POST"
    head = (f"{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"X-Twilio-Signature: forged\r\nContent-Length: 100000000")
    start = time.monotonic()
    status = served.raw(head, b"{")  # one byte of the 100 MB it announced
    assert status.split(b" ")[1:2] == [b"413"], status
    assert time.monotonic() - start < 5


def test_a_chunked_body_is_cut_off_at_the_routes_limit(served: Served) -> None:
    chunk = b" " * 65_536
    piece = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    head = ("POST /api/v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked")
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as sock:
        sock.sendall(head.encode() + b"\r\n\r\n")
        sent = 0
        sock.setblocking(False)
        answer = b""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not answer:
            try:
                answer = sock.recv(4096)
            except BlockingIOError:
                try:
                    sent += sock.send(piece)
                except BlockingIOError:
                    time.sleep(0.01)
    assert b" 413 " in answer.split(b"\r\n", 1)[0], answer[:80]
    assert sent < 20_000_000  # refused long before the client ran out of body to send


def test_small_bodies_still_work(served: Served) -> None:
    with httpx.Client(base_url=served.base) as client:
        filed = client.post("/api/v1/messages", json={"text": "Pothole on Elm Street"})
    assert filed.status_code == 200 and filed.json()["reference"]


def test_hang_ups_mid_body_log_one_short_line(served: Served) -> None:
    before = served.log.read_text(errors="replace")
    for i in range(300):
        path = ("/sms/twilio", "/open311/v2/requests.json", "/api/v1/messages")[i % 3]
        served.raw(f"POST {path} HTTP/1.1\r\nHost: x\r\nX-Twilio-Signature: sig\r\n"
                   "Content-Type: application/json\r\nContent-Length: 10000", b'{"text": "',
                   close_after=True)
    time.sleep(1.0)
    added = served.log.read_text(errors="replace")[len(before):]
    assert "Traceback" not in added and "Exception in ASGI" not in added, added[:2000]
    assert len(added) < 2_000, added[:2000]
    assert added.count("hung up") <= 2


def test_open311_checks_the_key_before_reading_deep_json(served: Served) -> None:
    deep = b'{"service_code": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with httpx.Client(base_url=served.base) as client:
        keyed = client.post("/open311/v2/requests.json", params={"api_key": "wrong"},
                            content=deep, headers={"Content-Type": "application/json"})
        unkeyed = client.post("/open311/v2/requests.json", content=deep,
                              headers={"Content-Type": "application/json"})
    assert keyed.status_code == 403 and keyed.json()[0]["code"] == 403
    assert unkeyed.status_code == 400 and "nests deeper" in unkeyed.json()[0]["description"]


@pytest.mark.parametrize("url", [
    "/api/v1/messages?after=9223372036854775808",
    "/api/v1/messages?after=-1",
])
def test_out_of_range_numbers_are_a_422(served: Served, url: str) -> None:
    with httpx.Client(base_url=served.base) as client:
        response = client.get(url)
    assert response.status_code == 422 and "detail" in response.json()


def test_control_characters_are_stripped_at_intake_and_outputs_stay_valid(
        served: Served) -> None:
    text = "Broken\x00 street\x1b lamp\x07 on Oak Road\r\nsince Monday\x0b!"
    body = json.dumps({"text": text})  # escapes: \u0000, \u001b ...
    with httpx.Client(base_url=served.base) as client:
        filed = client.post("/api/v1/messages", content=body,
                            headers={"Content-Type": "application/json"})
        assert filed.status_code == 200, filed.text
        reference = filed.json()["reference"]
        xml = client.get("/open311/v2/requests.xml", params={"service_request_id": reference})
        listing = client.get("/open311/v2/requests.json")
    assert xml.status_code == 200
    ET.fromstring(xml.content)  # noqa: S314 - our own output; well-formed
    assert listing.status_code == 200 and isinstance(listing.json(), list)
    assert "\x00" not in xml.text and "\x1b" not in xml.text
