"""The admins' Open311 page: forwarding areas, failures with the city's error, retry."""

from __future__ import annotations

from bot.storage import Open311State, Open311Target
from tests.dashboard.conftest import Dash

PAGE = "/staff/admin/open311"
ENDPOINT = "https://city.example/open311/v2/"


def _failed_forward(dash: Dash) -> str:
    item = dash.file("Pothole outside the library", area="roads")
    dash.run(dash.store.update_area, "roads", actor="test", open311_endpoint=ENDPOINT,
             open311_service_code="POTHOLE", open311_api_key_encrypted="gAAAA-secret-key")
    assert dash.run(dash.store.queue_open311_forwards, [Open311Target("roads", ENDPOINT)]) == 1
    (claimed,) = dash.run(dash.store.claim_due_open311)
    dash.run(dash.store.mark_open311_failed, claimed.id,
             "400 Bad Request: service_code POTHOLE is not valid", None)
    return item.reference


def test_staff_cannot_see_it(dash: Dash) -> None:
    dash.login("waste@city.gov")
    assert dash.client.get(PAGE).status_code == 403


def test_failures_show_with_the_citys_error_and_can_be_retried(dash: Dash) -> None:
    reference = _failed_forward(dash)
    dash.login("admin@city.gov")
    page = dash.client.get(PAGE).text
    assert 'href="/staff/admin/open311"' in page and ENDPOINT in page and "POTHOLE" in page
    assert "gAAAA-secret-key" not in page
    row = page[page.index(f'id="forward-{reference}"'):]
    row = row[:row.index("</tr>")]
    assert "failed_permanent" in row and "service_code POTHOLE is not valid" in row
    assert "Retry" in row
    dash.post(f"{PAGE}/{reference}/retry", {}, PAGE)
    page = dash.client.get(PAGE).text
    assert f"{reference} will be sent to the city again shortly" in page
    assert f'id="forward-{reference}"' not in page.split("Latest forwards")[0]
    item = dash.run(dash.store.get_feedback, reference)
    forward = dash.run(dash.store.get_open311_forward, item.id)
    assert forward.state is Open311State.PENDING
    dash.post(f"{PAGE}/{reference}/retry", {}, PAGE)
    assert "Not retried" in dash.client.get(PAGE).text
