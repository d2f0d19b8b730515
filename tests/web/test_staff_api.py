"""The staff JSON API on a small app with an in-memory store: auth, visibility, changes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from bot.security import AddressCipher, hash_token, pseudonymise
from bot.services import Services
from bot.settings import Settings
from bot.storage import (
    MEMORY,
    AttachmentKind,
    CorrectionField,
    FeedbackItem,
    SQLiteStore,
)
from bot.web.errors import install_error_handlers
from bot.web.staff_api import router
from handlers.staff_actions import StaffActions
from tests.support.areas import seed_areas
from tests.support.staff import staff_tokens

KEY = "x" * 32
PHONE = "+15551234567"
ORIGINAL = f"Huge pothole outside 12 Elm Street, call me on {PHONE}"
REDACTED = "Huge pothole outside [ADDRESS], call me on [PHONE]"
UNUSED: Any = None  # parts of Services these routes never touch
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@dataclass
class World:
    client: httpx.AsyncClient
    store: SQLiteStore
    tokens: dict[str, str]
    items: dict[str, FeedbackItem]
    citizen_id: int

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    async def get(self, who: str, url: str, **params: Any) -> httpx.Response:
        return await self.client.get(url, headers=self.auth(who), params=params)


async def _file(store: SQLiteStore, citizen_id: int | None, day: int, **fields: Any
                ) -> FeedbackItem:
    values: dict[str, Any] = {
        "channel": "sms", "original_text": ORIGINAL, "redacted_text": REDACTED,
        "area": "roads", "area_confidence": 0.91, "kind": "complaint", "innovation": 0.05,
        "model_version": "2025.03.01-1", "citizen_id": citizen_id,
        "top_areas": [("roads", 0.91), ("traffic_parking", 0.05), ("other", 0.04)],
        "created_at": T0.replace(day=day),
    }  # fmt: skip
    values.update(fields)
    return await store.create_feedback(**values)


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async with SQLiteStore(MEMORY) as store:
        await seed_areas(store)
        cipher = AddressCipher(KEY)
        citizen = await store.get_or_create_citizen(
            "sms", pseudonymise(KEY, "sms", PHONE), cipher.encrypt(PHONE), "en")
        items = {
            "pothole": await _file(store, citizen.id, 1),
            "bins": await _file(store, citizen.id, 2, area="waste", kind="question",
                                original_text="When are bins collected?",
                                redacted_text="When are bins collected?"),
            "idea": await _file(store, None, 3, kind="idea", innovation=0.8, urgent=True,
                                needs_review=True, original_text="Paint cycle lanes green",
                                redacted_text="Paint cycle lanes green"),
        }
        await store.add_attachment(items["pothole"].id, AttachmentKind.LOCATION,
                                   "51.5,-0.12", actor="citizen:1")
        tokens = await staff_tokens(store)
        app = FastAPI()
        install_error_handlers(app)
        app.include_router(router)
        app.state.services = Services(
            settings=Settings(secret_key=KEY, database_url="sqlite://"),
            store=store, registry=UNUSED, triage=UNUSED, conversation=UNUSED,
            staff=StaffActions(store, KEY),
        )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield World(client, store, tokens, items, citizen.id)


def _refs(response: httpx.Response) -> set[str]:
    assert response.status_code == 200, response.text
    return {item["reference"] for item in response.json()["items"]}


def _is_json_error(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]


# -- authentication ------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"},
                                     {"Authorization": "Basic dXNlcjpwYXNz"},
                                     {"Authorization": "Bearer " + "a" * 5000}])
async def test_requests_without_a_valid_token_get_401(world: World,
                                                      headers: dict[str, str]) -> None:
    response = await world.client.get("/api/v1/feedback", headers=headers)
    _is_json_error(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_revoked_token_stops_working(world: World) -> None:
    user = await world.store.get_user_by_token_hash(hash_token(world.tokens["roads"]))
    assert user is not None
    (token,) = await world.store.list_api_tokens(user.id)
    assert await world.store.revoke_token(token.id)
    _is_json_error(await world.get("roads", "/api/v1/feedback"), 401)


# -- visibility --------------------------------------------------------------------------


async def test_staff_see_only_their_areas(world: World) -> None:
    pothole, bins, idea = (world.items[k].reference for k in ("pothole", "bins", "idea"))
    assert _refs(await world.get("roads", "/api/v1/feedback")) == {pothole, idea}
    assert _refs(await world.get("waste", "/api/v1/feedback")) == {bins}
    # Asking for another area finds nothing rather than widening the view.
    assert _refs(await world.get("roads", "/api/v1/feedback", area="waste")) == set()
    response = await world.get("roads", f"/api/v1/feedback/{bins}")
    _is_json_error(response, 404)
    unknown = await world.get("roads", "/api/v1/feedback/CV-ZZZZZ")
    assert unknown.status_code == 404 and unknown.json() == response.json()


async def test_admins_see_everything(world: World) -> None:
    response = await world.get("admin", "/api/v1/feedback")
    assert _refs(response) == {i.reference for i in world.items.values()}
    body = response.json()
    assert body["total"] == 3 and body["limit"] == 50 and body["offset"] == 0
    # Newest first.
    assert body["items"][0]["reference"] == world.items["idea"].reference


async def test_filters(world: World) -> None:
    refs = {k: v.reference for k, v in world.items.items()}

    async def find(**params: Any) -> set[str]:
        return _refs(await world.get("admin", "/api/v1/feedback", **params))

    assert await find(area="waste") == {refs["bins"]}
    assert await find(area=["waste", "roads"]) == set(refs.values())
    assert await find(kind="idea") == {refs["idea"]}
    assert await find(urgent="true") == {refs["idea"]}
    assert await find(needs_review="false") == {refs["pothole"], refs["bins"]}
    assert await find(status="new") == set(refs.values())
    assert await find(status="resolved") == set()
    assert await find(q="BINS") == {refs["bins"]}
    assert await find(q=refs["pothole"].lower()) == {refs["pothole"]}
    assert await find(since="2025-03-02T00:00:00Z") == {refs["bins"], refs["idea"]}
    assert await find(since="2025-03-02T00:00:00", until="2025-03-03T00:00:00+00:00") == {
        refs["bins"]}
    page = await world.get("admin", "/api/v1/feedback", limit=1, offset=1)
    assert _refs(page) == {refs["bins"]} and page.json()["total"] == 3


@pytest.mark.parametrize("params", [{"limit": 501}, {"limit": 0}, {"offset": -1},
                                    {"status": "lost"}, {"kind": "rant"},
                                    {"urgent": "maybe"}, {"since": "yesterday"},
                                    {"since": "2025-03-03T00:00:00Z",
                                     "until": "2025-03-01T00:00:00Z"},
                                    {"q": "x" * 201}])
async def test_bad_query_parameters_get_422(world: World, params: dict[str, Any]) -> None:
    _is_json_error(await world.get("admin", "/api/v1/feedback", **params), 422)


async def test_one_item_has_history_and_attachments(world: World) -> None:
    pothole = world.items["pothole"]
    await world.store.update_feedback(pothole.reference, "staff:9", {"status": "acknowledged"},
                                      note="crew booked")
    # Any spelling of the reference finds the item.
    response = await world.get("roads", f"/api/v1/feedback/{pothole.reference[3:].lower()}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["reference"] == pothole.reference
    assert body["redacted_text"] == REDACTED
    assert body["top_areas"][0] == ["roads", 0.91]
    assert body["attachments"] == [
        {"kind": "location", "value": "51.5,-0.12", "created_at": body["attachments"][0][
            "created_at"]}]
    actions = [(e["action"], e["actor"]) for e in body["history"]]
    assert ("update", "staff:9") in actions and actions[0][0] == "create"
    assert body["history"][-1]["after"] == {"status": "acknowledged", "note": "crew booked"}
    assert all(not e["actor"].startswith("citizen:") for e in body["history"])


async def test_responses_never_carry_the_citizen(world: World) -> None:
    citizen = await world.store.get_citizen(world.citizen_id)
    assert citizen is not None and citizen.address_hash and citizen.address_encrypted
    pothole = world.items["pothole"].reference
    bodies = [
        (await world.get("admin", "/api/v1/feedback")).text,
        (await world.get("admin", f"/api/v1/feedback/{pothole}")).text,
        (await world.client.patch(f"/api/v1/feedback/{pothole}", headers=world.auth("admin"),
                                  json={"note": "seen"})).text,
    ]
    for text in bodies:
        for secret in (PHONE, "5551234567", "12 Elm Street", ORIGINAL, citizen.address_hash,
                       citizen.address_encrypted, "original_text", "citizen_id"):
            assert secret not in text


# -- changes -------------------------------------------------------------------------------


async def test_patch_area_records_a_label_even_when_confirming(world: World) -> None:
    ref = world.items["pothole"].reference
    url = f"/api/v1/feedback/{ref}"
    response = await world.client.patch(url, headers=world.auth("roads"), json={"area": "roads"})
    assert response.status_code == 200, response.text
    assert response.json()["area"] == "roads"
    labels = await world.store.list_corrections()
    assert [(c.feedback_reference, c.field, c.value) for c in labels] == [
        (ref, CorrectionField.AREA, "roads")]
    response = await world.client.patch(url, headers=world.auth("roads"),
                                        json={"area": "traffic_parking", "kind": "idea"})
    assert response.status_code == 200, response.text
    assert (response.json()["area"], response.json()["kind"]) == ("traffic_parking", "idea")
    labels = await world.store.list_corrections()
    assert {(c.field, c.value) for c in labels[1:]} == {
        (CorrectionField.AREA, "traffic_parking"), (CorrectionField.KIND, "idea")}
    # Moved out of the roads team's areas: now invisible to them, visible to admins.
    _is_json_error(await world.get("roads", url), 404)
    assert (await world.get("admin", url)).status_code == 200


@pytest.mark.parametrize("area", ["no_such_team", "Roads & more", "x" * 64])
async def test_patch_into_an_area_not_in_the_table_is_refused(world: World, area: str) -> None:
    item = world.items["pothole"]
    url = f"/api/v1/feedback/{item.reference}"
    response = await world.client.patch(url, headers=world.auth("admin"), json={"area": area})
    assert response.status_code == 400, response.text
    assert "area" in response.json()["detail"]
    after = await world.store.get_feedback(item.reference)
    assert after is not None and after.area == "roads"  # still in the roads queue
    assert await world.store.list_corrections() == []  # and no training label


async def test_patch_into_a_retired_area_is_refused(world: World) -> None:
    await world.store.retire_area("graffiti_vandalism", move_to="public_safety", actor="t")
    item = world.items["pothole"]
    response = await world.client.patch(f"/api/v1/feedback/{item.reference}",
                                        headers=world.auth("admin"),
                                        json={"area": "graffiti_vandalism"})
    assert response.status_code == 400
    assert "not an active service area" in response.json()["detail"]


async def test_patch_status_tells_the_citizen_once(world: World) -> None:
    item = world.items["pothole"]
    response = await world.client.patch(f"/api/v1/feedback/{item.reference}",
                                        headers=world.auth("roads"),
                                        json={"status": "resolved", "note": "filled"})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "resolved"
    outbound = await world.store.list_outbound(feedback_id=item.id)
    assert len(outbound) == 1
    assert item.reference in outbound[0].text
    assert outbound[0].citizen_id == world.citizen_id


async def test_patch_of_an_item_out_of_reach_is_404(world: World) -> None:
    bins = world.items["bins"]
    response = await world.client.patch(f"/api/v1/feedback/{bins.reference}",
                                        headers=world.auth("roads"), json={"status": "closed"})
    _is_json_error(response, 404)
    unchanged = await world.store.get_feedback(bins.reference)
    assert unchanged is not None and unchanged.status == "new"
    assert await world.store.list_outbound(feedback_id=bins.id) == []


@pytest.mark.parametrize(("body", "status"), [
    ("{not json", 400),
    ("", 422),
    ("{}", 422),
    ("[]", 422),
    ('{"status": "lost"}', 422),
    ('{"kind": "rant"}', 422),
    ('{"area": ""}', 422),
    ('{"area": null, "note": null}', 422),
    ('{"priority": "high"}', 422),
    ('{"area": 5}', 422),
])
async def test_bad_patch_bodies_get_a_json_4xx(world: World, body: str, status: int) -> None:
    ref = world.items["pothole"].reference
    response = await world.client.patch(
        f"/api/v1/feedback/{ref}", content=body.encode(),
        headers=world.auth("admin") | {"Content-Type": "application/json"})
    _is_json_error(response, status)
    assert await world.store.list_corrections() == []


@pytest.mark.parametrize("reference", ["CV-ZZZZZ", "CV-00000", "nonsense", "x" * 40])
async def test_unknown_references_get_404(world: World, reference: str) -> None:
    headers = world.auth("admin")
    response = await world.client.patch(f"/api/v1/feedback/{reference}", headers=headers,
                                        json={"status": "closed"})
    _is_json_error(response, 404)
    response = await world.client.post(f"/api/v1/feedback/{reference}/replies",
                                       headers=headers, json={"text": "hello"})
    _is_json_error(response, 404)


# -- replies -------------------------------------------------------------------------------


async def test_a_reply_is_queued_for_the_citizen(world: World) -> None:
    item = world.items["pothole"]
    response = await world.client.post(f"/api/v1/feedback/{item.reference}/replies",
                                       headers=world.auth("roads"),
                                       json={"text": "A crew is on the way."})
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["reference"] == item.reference and body["status"] == "queued"
    outbound = await world.store.get_outbound(body["outbound_id"])
    assert outbound is not None and outbound.citizen_id == world.citizen_id
    assert "A crew is on the way." in outbound.text


async def test_a_reply_to_a_stopped_citizen_is_409(world: World) -> None:
    await world.store.set_opt_out(world.citizen_id, True)
    item = world.items["pothole"]
    response = await world.client.post(f"/api/v1/feedback/{item.reference}/replies",
                                       headers=world.auth("roads"), json={"text": "Fixed."})
    _is_json_error(response, 409)
    assert await world.store.list_outbound(feedback_id=item.id) == []


@pytest.mark.parametrize("body", [{}, {"text": ""}, {"text": "   "}, {"text": "x" * 1001},
                                  {"text": "hi", "cc": "x"}])
async def test_bad_replies_get_422(world: World, body: dict[str, Any]) -> None:
    ref = world.items["pothole"].reference
    response = await world.client.post(f"/api/v1/feedback/{ref}/replies",
                                       headers=world.auth("roads"), json=body)
    _is_json_error(response, 422)


async def test_replies_to_items_out_of_reach_are_404(world: World) -> None:
    ref = world.items["bins"].reference
    response = await world.client.post(f"/api/v1/feedback/{ref}/replies",
                                       headers=world.auth("roads"), json={"text": "hi"})
    _is_json_error(response, 404)


# -- schema --------------------------------------------------------------------------------


async def test_openapi_documents_the_routes(world: World) -> None:
    response = await world.client.get("/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    assert set(paths["/api/v1/feedback"]) == {"get"}
    assert set(paths["/api/v1/feedback/{reference}"]) == {"get", "patch"}
    assert set(paths["/api/v1/feedback/{reference}/replies"]) == {"post"}
    assert paths["/api/v1/feedback/{reference}/replies"]["post"]["responses"].keys() >= {
        "202", "409"}
    out = schema["components"]["schemas"]["FeedbackOut"]["properties"]
    assert "redacted_text" in out and "original_text" not in out
    assert any("HTTPBearer" in s for s in schema["components"]["securitySchemes"])
    assert json.dumps(schema).count("citizen_id") == 0


@pytest.mark.parametrize("params", [
    {"offset": "9223372036854775808"}, {"offset": str(10**12)}, {"offset": "-1"},
    {"since": "9999-12-31T23:00:00-05:00"}, {"until": "0001-01-01T00:00:00+05:00"},
    {"limit": "100000"},
])
async def test_out_of_range_list_parameters_are_a_422(world: World,
                                                      params: dict[str, str]) -> None:
    response = await world.get("admin", "/api/v1/feedback", **params)
    _is_json_error(response, 422)
