"""The admins' service-areas page: examples and warnings, add, rename, retire, mistakes."""

from __future__ import annotations

import json
import re

from models.registry import BUNDLED_DIR
from tests.dashboard.conftest import Dash

PAGE = "/staff/admin/areas"
ADMIN = "admin@city.gov"


def _choices(dash: Dash, reference: str) -> list[str]:
    page = dash.client.get(f"/staff/feedback/{reference}").text
    select = page[page.index('<select name="area">'):]
    return re.findall(r'<option value="([^"]+)"', select[:select.index("</select>")])


def test_admins_only(dash: Dash) -> None:
    assert dash.client.get(PAGE, follow_redirects=False).status_code == 303
    dash.login("waste@city.gov")
    assert dash.client.get(PAGE).status_code == 403
    token = dash.csrf("/staff")
    assert dash.client.post(PAGE, data={"csrf_token": token, "code": "snow",
                                        "label": "Snow"}).status_code == 403
    assert dash.client.post(PAGE + "/waste/retire", data={
        "csrf_token": token, "move_to": "roads", "confirm": "yes"}).status_code == 403
    assert dash.run(dash.store.get_area, "snow") is None
    assert dash.run(dash.store.get_area, "waste").active


def test_page_lists_areas_with_examples(dash: Dash) -> None:
    dash.login(ADMIN)
    page = dash.client.get(PAGE).text
    assert 'href="/staff/admin/areas"' in page
    row = page[page.index('id="area-street_lighting"'):]
    row = row[:row.index("</tr>")]
    assert "Street lighting" in row and "active" in row
    trained = json.loads((BUNDLED_DIR / "metadata.json").read_text())["label_counts"][
        "street_lighting"]
    assert trained > 100
    assert f"<td>{trained}</td><td>0</td><td>{trained}</td>" in row  # trained, staff, total


def test_add_area_then_route_to_it(dash: Dash) -> None:
    item = dash.file()
    dash.login(ADMIN)
    response = dash.post(PAGE, {"code": "snow_clearing", "label": "Snow & ice",
                                "description": "Gritting", "group": "Streets",
                                "keywords": "snow, ice ,grit"}, PAGE)
    assert response.status_code == 303
    page = dash.client.get(PAGE).text
    assert "Area Snow &amp; ice (snow_clearing) added" in page
    row = page[page.index('id="area-snow_clearing"'):]
    assert "the model does not know this area yet: retrain to learn it" in row[:2000]
    area = dash.run(dash.store.get_area, "snow_clearing")
    assert (area.label, area.group, set(area.keywords)) == ("Snow & ice", "Streets",
                                                             {"snow", "ice", "grit"})
    audit = dash.run(dash.store.list_audit, "service_area", "snow_clearing")
    assert [(e.action, e.actor) for e in audit] == [("create", f"staff:{ADMIN}")]
    assert "snow_clearing" in _choices(dash, item.reference)
    dash.post(f"/staff/feedback/{item.reference}/triage",
              {"area": "snow_clearing", "kind": "complaint"}, f"/staff/feedback/{item.reference}")
    assert dash.run(dash.store.get_feedback, item.reference).area == "snow_clearing"


def test_mistakes_are_messages_not_errors(dash: Dash) -> None:
    dash.login(ADMIN)
    for data, said in [({"code": "Bad Code!", "label": "x"}, "must be 2-40 lower-case"),
                       ({"code": "roads", "label": "Roads again"}, "already exists"),
                       ({"code": "potholes", "label": ""}, "needs a label")]:
        response = dash.post(PAGE, data, PAGE)
        assert response.status_code == 303, data
        assert said in dash.client.get(PAGE).text, data
    dash.post(PAGE + "/nowhere/rename", {"label": "Somewhere"}, PAGE)
    assert "Not renamed: service area &#39;nowhere&#39; not found" in dash.client.get(PAGE).text


def test_rename_keeps_the_code(dash: Dash) -> None:
    item = dash.file()
    dash.login(ADMIN)
    dash.post(PAGE + "/roads/rename", {"label": "Highways"}, PAGE)
    assert "Area roads is now called Highways" in dash.client.get(PAGE).text
    assert dash.run(dash.store.get_area, "roads").label == "Highways"
    page = dash.client.get(f"/staff/feedback/{item.reference}").text
    assert '<option value="roads" selected>Highways</option>' in page
    audit = dash.run(dash.store.list_audit, "service_area", "roads")
    assert audit[-1].after == {"label": "Highways"} and audit[-1].actor == f"staff:{ADMIN}"


def test_retire_moves_reports_and_leaves_the_choices(dash: Dash) -> None:
    first, second = dash.file("Graffiti on the bridge", area="graffiti_vandalism"), dash.file()
    dash.login(ADMIN)
    dash.post(PAGE + "/graffiti_vandalism/retire", {"move_to": "public_safety"}, PAGE)
    assert "tick the box to confirm" in dash.client.get(PAGE).text  # not confirmed: kept
    assert dash.run(dash.store.get_area, "graffiti_vandalism").active
    dash.post(PAGE + "/graffiti_vandalism/retire",
              {"move_to": "public_safety", "confirm": "yes"}, PAGE)
    page = dash.client.get(PAGE).text
    assert "Area graffiti_vandalism retired: 1 report moved to public_safety" in page
    row = page[page.index('id="area-graffiti_vandalism"'):]
    assert "retired → Public safety" in row[:1000]
    assert dash.run(dash.store.get_feedback, first.reference).area == "public_safety"
    assert "graffiti_vandalism" not in _choices(dash, second.reference)
    dash.post(PAGE + "/waste/retire", {"move_to": "graffiti_vandalism", "confirm": "yes"}, PAGE)
    assert "Not retired: service area &#39;graffiti_vandalism&#39; is retired" in \
        dash.client.get(PAGE).text
    assert dash.run(dash.store.get_area, "waste").active
