"""Responses against the published GeoReport v2 examples: element names, order, JSON arrays."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

import pytest

from tests.open311_server.conftest import World

DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
# The element order of the spec's examples (wiki.open311.org/GeoReport_v2).
SERVICE = ["service_code", "service_name", "description", "metadata", "type", "keywords",
           "group"]
REQUEST = ["service_request_id", "status", "status_notes", "service_name", "service_code",
           "description", "agency_responsible", "service_notice", "requested_datetime",
           "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
           "long", "media_url"]
CREATED = ["service_request_id", "service_notice", "account_id"]
ENDPOINT = ["specification", "url", "changeset", "type", "formats"]


def _xml(text: str) -> ET.Element:
    assert text.startswith(DECLARATION + "\n"), text[:80]
    return ET.fromstring(text[len(DECLARATION):].strip())  # noqa: S314 - our own output


def _tags(element: ET.Element) -> list[str]:
    return [child.tag for child in element]


async def test_services_json_is_an_array_in_the_spec_shape(world: World) -> None:
    response = await world.get("services.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    services = response.json()
    assert isinstance(services, list) and len(services) >= 12
    for service in services:
        assert list(service) == SERVICE
        assert service["metadata"] is False and service["type"] == "realtime"
    roads = next(s for s in services if s["service_code"] == "roads")
    assert roads == {"service_code": "roads", "service_name": "roads and pavements",
                     "description": "Potholes, pavements", "metadata": False,
                     "type": "realtime", "keywords": "pavement, pothole", "group": "streets"}


async def test_services_xml_uses_the_spec_elements(world: World) -> None:
    response = await world.get("services.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    root = _xml(response.text)
    assert root.tag == "services" and set(_tags(root)) == {"service"}
    roads = next(s for s in root if s.findtext("service_code") == "roads")
    assert _tags(roads) == SERVICE
    assert roads.findtext("metadata") == "false" and roads.findtext("keywords") == (
        "pavement, pothole")
    # an empty value is an empty element, as in the spec's examples
    other = next(s for s in root if s.findtext("service_code") == "other")
    assert "<group></group>" in ET.tostring(other, encoding="unicode",
                                            short_empty_elements=False)


async def test_retired_areas_are_not_services(world: World) -> None:
    await world.store.retire_area("graffiti_vandalism", "public_safety", actor="system")
    codes = {s["service_code"] for s in (await world.get("services.json")).json()}
    assert "graffiti_vandalism" not in codes and "public_safety" in codes
    gone = await world.get("services/graffiti_vandalism.json")
    assert gone.status_code == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_service_definition(world: World, fmt: str) -> None:
    response = await world.get(f"services/roads.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        assert response.json() == {"service_code": "roads", "attributes": []}
    else:
        root = _xml(response.text)
        assert root.tag == "service_definition" and _tags(root) == ["service_code",
                                                                     "attributes"]
    missing = await world.get(f"services/potholes.{fmt}")
    assert missing.status_code == 404


async def test_post_answer_in_both_formats(world: World) -> None:
    created = await world.post("json")
    assert created.status_code == 200, created.text
    body = created.json()
    assert isinstance(body, list) and len(body) == 1 and list(body[0]) == CREATED
    assert body[0]["service_request_id"].startswith("CV-") and body[0]["account_id"] is None
    xml = await world.post("xml", description="Streetlight out at 9th and Irving")
    root = _xml(xml.text)
    assert root.tag == "service_requests" and _tags(root) == ["request"]
    assert _tags(root[0]) == CREATED and root[0].findtext("service_request_id", "").startswith(
        "CV-")


async def test_requests_in_both_formats(world: World) -> None:
    reference = (await world.post()).json()[0]["service_request_id"]
    listed = (await world.get("requests.json", "admin")).json()
    assert isinstance(listed, list) and [r["service_request_id"] for r in listed] == [reference]
    request = listed[0]
    assert list(request) == REQUEST
    assert request["status"] == "open" and request["service_code"] == "roads"
    assert request["lat"] == pytest.approx(37.7622) and request["long"] == pytest.approx(
        -122.4651)
    for key in ("requested_datetime", "updated_datetime", "expected_datetime"):
        moment = datetime.fromisoformat(request[key])
        assert moment.tzinfo is not None and request[key].endswith("+00:00")
    one = (await world.get(f"requests/{reference}.json", "admin")).json()
    assert one == listed  # one request is a list of one, as in the spec
    root = _xml((await world.get(f"requests/{reference}.xml", "admin")).text)
    assert root.tag == "service_requests" and _tags(root) == ["request"]
    assert _tags(root[0]) == REQUEST
    assert root[0].findtext("status") == "open" and root[0].findtext("zipcode") == ""


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_discovery(world: World, fmt: str) -> None:
    response = await world.get(f"discovery.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        body = response.json()
        assert list(body) == ["changeset", "contact", "key_service", "endpoints"]
        endpoint = body["endpoints"][0]
        assert list(endpoint) == ENDPOINT
        assert endpoint["url"] == "http://test/open311/v2"
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["formats"] == ["text/xml", "application/json"]
    else:
        root = _xml(response.text)
        assert root.tag == "discovery"
        endpoint = root.find("endpoints/endpoint")
        assert endpoint is not None and _tags(endpoint) == ENDPOINT
        assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml",
                                                                        "application/json"]


@pytest.mark.parametrize(("path", "status"), [
    ("requests/CV-ZZZZZ.json", 404), ("requests/nonsense.xml", 404),
    ("services/nothing.json", 404), ("tokens/abc.json", 404), ("no-such-thing.json", 404),
    ("services.csv", 400), ("requests.html", 400),
])
async def test_errors_are_the_spec_list(world: World, path: str, status: int) -> None:
    response = await world.get(path)
    assert response.status_code == status
    if path.endswith(".xml"):
        root = _xml(response.text)
        assert root.tag == "errors" and _tags(root) == ["error"]
        assert _tags(root[0]) == ["code", "description"]
        assert root[0].findtext("code") == str(status)
    else:
        body = response.json()
        assert isinstance(body, list) and list(body[0]) == ["code", "description"]
        assert body[0]["code"] == status and body[0]["description"]


async def test_jurisdiction_id_is_accepted(world: World) -> None:
    assert (await world.get("services.json", jurisdiction_id="city.example")).status_code == 200
    created = await world.post(jurisdiction_id="city.example")
    assert created.status_code == 200
