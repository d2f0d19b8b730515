"""Text from outside is cleaned once, and every XML and JSON output stays valid."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET  # parsing our own output only
from datetime import UTC, datetime

import pytest

from bot.channels.base import InboundMessage
from bot.text import clean_text, valid_coordinates, xml_safe
from bot.web.open311.render import to_json, to_xml

NASTY = "a\x00b\x01c\x08d\te\nf\rg\x0bh\x0ci\x1bj\x7fk\ud800l\ufffem\uffffn"


def test_clean_text_keeps_words_tabs_and_newlines_only() -> None:
    assert clean_text("Pothole on Elm St ✓ 🎉") == "Pothole on Elm St ✓ 🎉"
    cleaned = clean_text(NASTY)
    assert cleaned == "abcd\te\nf\ng h ijk\ufffdl\ufffdm\ufffdn"
    cleaned.encode("utf-8")  # always encodable
    assert clean_text("one\r\ntwo") == "one\ntwo"


def test_xml_and_json_outputs_are_valid_whatever_is_stored() -> None:
    document = [{"description": NASTY, "lat": math.inf, "long": math.nan,
                 "requested_datetime": datetime(2026, 1, 1, tzinfo=UTC)}]
    root = ET.fromstring(to_xml("service_requests", document).encode())  # noqa: S314
    assert root.find("request/lat") is not None and not root.find("request/lat").text  # type: ignore[union-attr]
    decoded = json.loads(to_json(document))
    assert decoded[0]["lat"] is None and decoded[0]["long"] is None
    assert "\x00" not in decoded[0]["description"]
    assert xml_safe("ok\x00") == "ok\ufffd"


def test_inbound_messages_are_cleaned_and_bad_places_refused() -> None:
    def message(**fields: object) -> InboundMessage:
        return InboundMessage(channel="web", sender="s", channel_message_id="m",
                              text=str(fields.pop("text", "hi")),
                              received_at=datetime.now(UTC), **fields)  # type: ignore[arg-type]

    assert message(text="bins\x00 full\x1b").text == "bins full"
    assert message(latitude=51.5, longitude=-0.12).latitude == 51.5
    for lat, lon in ((91.0, 0.0), (0.0, 181.0), (math.inf, 0.0), (0.0, math.nan)):
        assert not valid_coordinates(lat, lon)
        with pytest.raises(ValueError, match="location"):
            message(latitude=lat, longitude=lon)
    with pytest.raises(ValueError, match="both"):
        message(latitude=1.0)
