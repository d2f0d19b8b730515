"""Cost control: GSM-7 cleaning, every catalogue reply in two segments, the daily cap."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.channels.sms.sender import DailyCounter
from bot.channels.sms.text import clean_for_sms
from handlers.catalogue import AREA_LABELS, FIELDS, MESSAGES, STATUS_LABELS, render, render_my
from handlers.gsm7 import gsm7_segments, is_gsm7
from tests.sms.conftest import Harness, make_settings, reply_of
from tests.sms.fake_twilio import FakeTwilio

ALICE = "+14155550101"


def _values(lang: str) -> dict[str, object]:
    """The longest values a real message could carry."""
    return {
        "reference": "CV-7K3P2", "area": max(AREA_LABELS[lang].values(), key=len),
        "status": max(STATUS_LABELS[lang].values(), key=len), "updated": "2026-12-31",
        "emergency": "112 or 999 (or 911 from abroad)",
        "references": ", ".join(f"CV-7K3P{i} (being worked on)" for i in range(2, 6)),
        "count": 123, "minutes": 10, "language": "Deutsch", "languages": "de, en",
        "limit": 20_000, "note": "Crew booked for Tuesday \u2013 the lane closes 9\u201311",
        "text": "We\u2019ve sent a crew \U0001f44d please keep the area clear until Friday.",
    }  # fmt: skip


@pytest.mark.parametrize("lang", sorted(MESSAGES))
def test_every_catalogue_reply_fits_two_segments_on_sms(lang: str) -> None:
    values = _values(lang)
    for key, fields in FIELDS.items():
        text = clean_for_sms(render(key, lang, **{f: values[f] for f in fields}))
        assert is_gsm7(text), (key, text)
        assert gsm7_segments(text) <= 2, (key, len(text))
    many = [(f"CV-{i:05d}".replace("0", "A"), "in_progress") for i in range(60)]
    assert gsm7_segments(clean_for_sms(render_my(many, lang))) <= 2


@pytest.mark.parametrize(("raw", "clean"), [
    ("\u201cFixed\u201d \u2013 thanks\u2026", '"Fixed" - thanks...'),
    ("Done \U0001f44d", "Done OK"),
    ("Great \U0001f389\U0001f389 news", "Great news"),
    ("Caf\u00e1 on Jos\u00e9 St", "Cafa on Jos\u00e9 St"),  # é is GSM-7, á is not
    ("M\u00fcll an der Stra\u00dfe", "M\u00fcll an der Stra\u00dfe"),
    ("\u0421\u043f\u0430\u0441\u0438\u0431\u043e", "\u0421\u043f\u0430\u0441\u0438\u0431\u043e"),
    ("\U0001f3f3\ufe0f\u200d\U0001f308", "\U0001f3f3\ufe0f\u200d\U0001f308"),
])  # fmt: skip
def test_clean_for_sms(raw: str, clean: str) -> None:
    assert clean_for_sms(raw) == clean


def test_daily_counter_holds_until_tomorrow() -> None:
    now = [datetime(2026, 3, 1, 23, 0, tzinfo=UTC)]
    counter = DailyCounter(2, lambda: now[0])
    assert counter.take("a") is None and counter.take("a") is None
    assert counter.take("a") == pytest.approx(3600)
    assert counter.take("b") is None
    now[0] = datetime(2026, 3, 2, 0, 1, tzinfo=UTC)
    assert counter.take("a") is None


def test_daily_cap_on_replies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              twilio_api: FakeTwilio) -> None:
    settings = make_settings(tmp_path, monkeypatch, twilio_api, sms_daily_cap=3)
    with TestClient(create_app(settings)) as client:
        sms = Harness(client, twilio_api, settings)
        answers = [reply_of(sms.sms(ALICE, f"STATUS CV-ZZZZ{i}")) for i in range(5)]
        assert [a is not None for a in answers] == [True, True, True, False, False]
        assert reply_of(sms.sms(ALICE, "HELP")) is not None  # never capped
        assert "START" in (reply_of(sms.sms(ALICE, "STOP")) or "")
