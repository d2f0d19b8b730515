"""Long SMS arriving in parts, replies too slow for TwiML, MMS downloads, send pacing."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.channels.sms.inbound import looks_like_part
from bot.channels.sms.joiner import PartJoiner
from bot.channels.sms.sender import SendPacer
from tests.sms.conftest import Harness, make_settings, reply_of
from tests.sms.fake_twilio import FakeTwilio

ALICE = "+14155550101"
PART_ONE = ("The storm drain outside 4 Mill Lane has been blocked for two weeks and every "
            "time it rains a wide puddle forms on the pavement outside the front gardens ")
assert len(PART_ONE) == 153


def _item_text(sms: Harness, number: str) -> list[str]:
    citizen = sms.citizen(number)
    assert citizen is not None
    store = sms.services.store
    items = sms.run(lambda: store.list_feedback(citizen_id=citizen.id, limit=10))
    return [item.original_text for item in items]


def test_looks_like_part() -> None:
    assert looks_like_part(PART_ONE)
    assert not looks_like_part(PART_ONE[:-1])
    assert looks_like_part("\u0416" * 67) and not looks_like_part("\u0416" * 66)
    assert not looks_like_part("{" * 153)  # 306 septets


def test_parts_are_joined_into_one_report_and_one_answer(sms: Harness) -> None:
    assert reply_of(sms.sms(ALICE, PART_ONE)) is None  # held for the rest
    answer = reply_of(sms.sms(ALICE, "of numbers 2 to 8."))
    assert answer is not None and "CV-" in answer and "filed" in answer
    texts = _item_text(sms, ALICE)
    assert len(texts) == 1 and "numbers 2 to 8" in texts[0] and "Mill Lane" in texts[0]
    time.sleep(0.8)
    assert sms.api.sent() == []  # one answer only


def test_a_lone_full_part_is_answered_by_rest(sms: Harness) -> None:
    assert reply_of(sms.sms(ALICE, PART_ONE)) is None
    sent = sms.api.wait(1, to=ALICE)
    assert len(sent) == 1 and "CV-" in sent[0]["Body"]


def test_joiner_keeps_the_first_answer_and_expires() -> None:
    clock = [0.0]
    joiner = PartJoiner(3.0, clock=lambda: clock[0])
    first = joiner.hold("k", "filed CV-1", "filed", False)
    assert joiner.continues("k")
    second = joiner.hold("k", "added", "attached", True)
    assert joiner.release("k", first) is None  # superseded
    clock[0] = 2.0
    held = joiner.release("k", second)
    assert held is not None and held.reply == "filed CV-1" and held.urgent
    joiner.hold("k", "x", "filed", False)
    clock[0] = 10.0
    assert not joiner.continues("k")


def test_slow_reply_goes_by_rest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 twilio_api: FakeTwilio) -> None:
    settings = make_settings(tmp_path, monkeypatch, twilio_api, sms_reply_timeout_seconds=0)
    with TestClient(create_app(settings)) as client:
        sms = Harness(client, twilio_api, settings)
        assert reply_of(sms.sms(ALICE, "Fallen tree blocking Park Road")) is None
        sent = twilio_api.wait(1, to=ALICE)
        assert len(sent) == 1 and "CV-" in sent[0]["Body"]


def test_mms_download_when_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      twilio_api: FakeTwilio) -> None:
    twilio_api.media["small.jpg"] = b"\xff\xd8" + b"x" * 100
    twilio_api.media["big.jpg"] = b"\xff\xd8" + b"x" * 5000
    settings = make_settings(tmp_path, monkeypatch, twilio_api, sms_download_media=True,
                             sms_media_max_bytes=1000)
    with TestClient(create_app(settings)) as client:
        sms = Harness(client, twilio_api, settings)
        reply = reply_of(sms.sms(
            ALICE, "Fly-tipping behind the shops", sid="MM123", NumMedia="2",
            MediaUrl0=f"{twilio_api.base_url}/media/small.jpg", MediaContentType0="image/jpeg",
            MediaUrl1=f"{twilio_api.base_url}/media/big.jpg", MediaContentType1="image/jpeg"))
        assert reply is not None
        folder = tmp_path / "sms_media"
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not (folder / "MM123-0").exists():
            time.sleep(0.05)
        assert (folder / "MM123-0").read_bytes() == twilio_api.media["small.jpg"]
        assert not (folder / "MM123-1").exists()


async def test_send_pacer_spaces_sends() -> None:
    pacer = SendPacer(20.0)
    start = time.monotonic()
    await asyncio.gather(*(pacer.wait() for _ in range(5)))
    assert time.monotonic() - start >= 0.19
