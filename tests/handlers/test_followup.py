"""Does a message soon after a report add to it?"""

from __future__ import annotations

import pytest

from handlers.followup import Followup, classify_followup


@pytest.mark.parametrize(("text", "expected"), [
    ("it's outside number 12", Followup.ATTACH),
    ("its near the school", Followup.ATTACH),
    ("near the school", Followup.ATTACH),
    ("photo attached", Followup.ATTACH),
    ("same place", Followup.ATTACH),
    ("thanks", Followup.ATTACH),
    ("and it is getting worse every day since monday when it started", Followup.ATTACH),
    ("also the pavement is cracked", Followup.CHECK),
    ("also there is a gas smell now", Followup.CHECK),
    ("The bins on Elm Road have not been collected for two weeks", Followup.NEW),
    ("There is another pothole on Elm Street outside the bakery", Followup.NEW),
    ("The swings in Victoria park are rusty and the slide has sharp edges", Followup.NEW),
])
def test_texts(text: str, expected: Followup) -> None:
    assert classify_followup(text) is expected


def test_location_photo_and_edits() -> None:
    assert classify_followup("", has_location=True) is Followup.ATTACH
    assert classify_followup("", has_media=True) is Followup.ATTACH
    assert classify_followup("") is Followup.NEW
    long_fix = "Sorry I meant the pothole is on Main Street not on Market Street at all"
    assert classify_followup(long_fix, edited=True) is Followup.ATTACH
