"""POST requests: api_key, validation, one report per request, triage kept, contact never shown."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.open311_server.conftest import BASE, World

CONTACT = {"email": "jane.doe@mail.example", "phone": "+1 415 555 0199",
           "first_name": "Janeth", "last_name": "Quackenbush", "device_id": "dev-7f3a9",
           "account_id": "acct-99812"}


def _error(response: Any, status: int, words: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body[0]["code"] == status and words in body[0]["description"], body


async def _reference(world: World, **fields: Any) -> str:
    response = await world.post(**fields)
    assert response.status_code == 200, response.text
    return str(response.json()[0]["service_request_id"])


# -- api_key --------------------------------------------------------------------------------


async def test_post_needs_a_valid_api_key(world: World) -> None:
    _error(await world.post(who=None), 403, "api_key is required")
    _error(await world.post(api_key="not-a-token"), 403, "Invalid api_key")
    _error(await world.post(api_key="a" * 5000), 403, "Invalid api_key")
    tokens = await world.store.list_api_tokens(1)
    await world.store.revoke_token(tokens[0].id)
    _error(await world.post(), 403, "Invalid api_key")
    assert await world.store.count_feedback() == 0


async def test_api_key_is_checked_before_the_fields(world: World) -> None:
    _error(await world.post(who=None, service_code=None), 403, "api_key")


async def test_api_key_in_the_query_string_and_a_json_body(world: World) -> None:
    response = await world.client.post(
        f"{BASE}/requests.json", params={"api_key": world.tokens["roads"]},
        json={"service_code": "waste", "address_string": "4 Mill Lane",
              "description": "Bins not collected for two weeks", "lat": None})
    assert response.status_code == 200, response.text
    bad = await world.client.post(f"{BASE}/requests.json", content=b"{nope",
                                  headers={"Content-Type": "application/json"})
    _error(bad, 400, "JSON")


# -- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(("fields", "words"), [
    ({"service_code": None}, "service_code is required"),
    ({"service_code": "potholes"}, "service_code is not a current service"),
    ({"lat": None, "long": None}, "a location is required"),
    ({"long": None}, "lat and long must be given together"),
    ({"lat": "north"}, "lat must be a number"),
    ({"lat": "91"}, "lat must be between -90 and 90"),
    ({"long": "nan"}, "long must be between"),
    ({"description": "x" * 4001}, "description must be at most 4,000 characters"),
    ({"media_url": "javascript:alert(1)"}, "media_url must be an http or https URL"),
    ({"email": "e" * 300}, "email must be at most 255 characters"),
])
async def test_bad_fields_are_400_and_file_nothing(world: World, fields: dict[str, Any],
                                                   words: str) -> None:
    _error(await world.post(**fields), 400, words)
    assert await world.store.count_feedback() == 0


async def test_errors_in_xml_when_xml_was_asked_for(world: World) -> None:
    response = await world.post("xml", service_code=None)
    assert response.status_code == 400
    assert response.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert "<errors><error><code>400</code><description>service_code is required" in (
        response.text)


async def test_any_location_form_is_enough(world: World) -> None:
    by_address = await _reference(world, lat=None, long=None, address_string="8TH AVE and "
                                  "JUDAH ST")
    by_id = await _reference(world, lat=None, long=None, address_id="545483",
                             description="Cracked kerb")
    got = {r["service_request_id"]: r
           for r in (await world.get("requests.json", "admin")).json()}
    assert got[by_address]["address"] == "8TH AVE and JUDAH ST"
    assert got[by_address]["address_id"] is None and got[by_address]["lat"] is None
    assert got[by_id]["address_id"] == "545483" and got[by_id]["address"] is None


# -- one report per request -----------------------------------------------------------------


async def test_a_retried_post_files_nothing_twice(world: World) -> None:
    first = await _reference(world, **CONTACT)
    again = await _reference(world, **CONTACT)
    assert again == first
    assert await world.store.count_feedback() == 1
    # any difference is another request
    other = await _reference(world, **(CONTACT | {"description": "Another pothole, Kirkham"}))
    assert other != first
    by_other_key = await _reference(world, who="roads", **CONTACT)
    assert by_other_key not in (first, other)
    assert await world.store.count_feedback() == 3


@pytest.mark.parametrize("text", ["STOP", "help", "MY", "1", "yes", "FORGET", "status"])
async def test_short_words_are_reports_not_commands(world: World, text: str) -> None:
    reference = await _reference(world, description=text)
    item = await world.store.get_feedback(reference)
    assert item is not None and item.original_text == text and item.area == "roads"


async def test_every_post_is_a_new_report_no_followups_or_flood(world: World) -> None:
    texts = ["Pothole on Judah St", "also the kerb is broken", "and it is outside no 12",
             "Pothole on Irving", "Pothole on Lincoln Way"]
    references = [await _reference(world, description=t, **CONTACT) for t in texts]
    assert len(set(references)) == len(texts)
    assert await world.store.count_feedback() == len(texts)


async def test_long_and_empty_descriptions_are_filed(world: World) -> None:
    long = await _reference(world, description="The pavement is broken. " * 160)
    item = await world.store.get_feedback(long)
    assert item is not None and len(item.original_text) > 3000
    empty = await _reference(world, description=None)
    blank = await world.store.get_feedback(empty)
    assert blank is not None and blank.area == "roads" and blank.original_text == ""


async def test_service_code_files_and_triage_stays_visible(world: World) -> None:
    # the caller asked for waste; the words are about a street light
    reference = await _reference(world, service_code="waste",
                                 description="Street light out on Oak Road for a week")
    detail = (await world.staff(f"feedback/{reference}")).json()
    assert detail["area"] == "waste" and detail["channel"] == "open311"
    assert detail["top_areas"][0][0] == "street_lighting"
    assert detail["needs_review"] is True  # triage disagrees: a person should look
    audit = next(h for h in detail["history"] if h["action"] == "open311_request")
    assert audit["after"]["service_code"] == "waste"
    assert audit["after"]["triage_area"] == "street_lighting"
    assert audit["actor"].startswith("open311:")
    agreed = await _reference(world, service_code="street_lighting",
                              description="Street light out on Elm Road for a week")
    item = await world.store.get_feedback(agreed)
    assert item is not None and item.area == "street_lighting" and not item.needs_review
    assert item.area_confidence == pytest.approx(item.top_areas[0][1])


async def test_urgent_reports_are_flagged(world: World) -> None:
    reference = await _reference(world, description="Strong gas smell in the stairwell now")
    item = await world.store.get_feedback(reference)
    assert item is not None and item.urgent and item.area == "roads"


async def test_media_url_is_attached_and_shown(world: World) -> None:
    url = "https://city.example/media/638344.jpg"
    reference = await _reference(world, media_url=url)
    got = (await world.get(f"requests/{reference}.json", "admin")).json()[0]
    assert got["media_url"] == url


# -- contact details ------------------------------------------------------------------------


async def test_contact_details_are_never_shown_stored_or_logged(
        world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    reference = await _reference(world, **CONTACT)
    shown = ""
    for fmt in ("json", "xml"):
        shown += (await world.get(f"requests.{fmt}", "admin")).text
        shown += (await world.get(f"requests/{reference}.{fmt}", "admin")).text
        shown += (await world.get(f"requests/{reference}.{fmt}")).text
    shown += (await world.staff(f"feedback/{reference}")).text
    await world.store.close()  # flush, then read every byte the database holds
    stored = b"".join(p.read_bytes() for p in world.db_path.parent.glob("open311.db*"))
    logged = "\n".join(r.getMessage() + str(r.args) for r in caplog.records)
    for value in CONTACT.values():
        for text in (value, value.replace(" ", ""), value.split("@")[0]):
            assert text not in shown
            assert text.encode() not in stored
            assert text not in logged
