"""Actions on a report page: re-route, resolve, reply, merge, internal note."""

from __future__ import annotations

import pytest

from bot.storage import CorrectionField, FeedbackStatus
from tests.dashboard.conftest import Dash


def test_reroute_records_a_correction(dash: Dash) -> None:
    item = dash.file("Street light flickering", area="roads")
    dash.login("admin@city.gov")
    url = f"/staff/feedback/{item.reference}"
    response = dash.post(f"{url}/triage", {"area": "street_lighting", "kind": "complaint"}, url)
    assert response.status_code == 303
    assert "recorded" in dash.client.get(url).text
    corrections = dash.run(dash.store.list_corrections)
    area = [c for c in corrections if c.field is CorrectionField.AREA]
    assert (area[0].value, area[0].previous_value) == ("street_lighting", "roads")
    moved = dash.run(dash.store.get_feedback, item.reference)
    assert moved.area == "street_lighting"


def test_resolve_notifies_the_citizen(dash: Dash) -> None:
    item = dash.file()
    dash.login("roads@city.gov")
    url = f"/staff/feedback/{item.reference}"
    dash.post(f"{url}/status", {"status": "resolved", "note": "Filled today"}, url)
    page = dash.client.get(url).text
    assert "is now resolved" in page and "Filled today" in page
    assert dash.run(dash.store.get_feedback, item.reference).status is FeedbackStatus.RESOLVED
    sent = dash.run(dash.store.list_outbound, feedback_id=item.id)
    assert any(item.reference in m.text and m.kind == "status" for m in sent)


def test_reply_and_stopped_citizen(dash: Dash) -> None:
    item = dash.file()
    dash.login("roads@city.gov")
    url = f"/staff/feedback/{item.reference}"
    dash.post(f"{url}/reply", {"text": "We are on it"}, url)
    assert "Reply to" in dash.client.get(url).text
    sent = dash.run(dash.store.list_outbound, feedback_id=item.id)
    assert any(m.kind == "reply" and "We are on it" in m.text for m in sent)
    dash.run(dash.store.set_opt_out, dash.citizen_id, True)
    dash.post(f"{url}/reply", {"text": "Hello again"}, url)
    assert "stopped messages" in dash.client.get(url).text


def test_merge_duplicate_and_internal_note(dash: Dash) -> None:
    first, second = dash.file("Pothole A"), dash.file("Pothole A again")
    hidden = dash.file("Bins", area="waste")
    dash.login("roads@city.gov")
    url = f"/staff/feedback/{second.reference}"
    dash.post(f"{url}/merge", {"duplicate_of": hidden.reference}, url)
    assert "Not merged" in dash.client.get(url).text  # cannot merge into an unseen item
    dash.post(f"{url}/merge", {"duplicate_of": first.reference.lower()}, url)
    merged = dash.run(dash.store.get_feedback, second.reference)
    assert merged.status is FeedbackStatus.DUPLICATE
    assert merged.duplicate_of_reference == first.reference
    dash.post(f"{url}/note", {"note": "Crew booked for Tuesday"}, url)
    page = dash.client.get(url).text
    assert "Internal note added" in page and "Crew booked for Tuesday" in page
    audit = dash.run(dash.store.list_audit, "feedback", second.id)
    assert any((e.after or {}).get("note") == "Crew booked for Tuesday" for e in audit)
    sent = dash.run(dash.store.list_outbound, feedback_id=second.id)
    assert not any("Crew booked" in m.text for m in sent)


def test_the_triage_form_refuses_an_area_not_in_the_table(dash: Dash) -> None:
    item = dash.file()
    dash.login("roads@city.gov")
    url = f"/staff/feedback/{item.reference}"
    dash.run(dash.store.retire_area, "graffiti_vandalism", "public_safety", actor="test")
    for area in ("no_such_team", "graffiti_vandalism"):
        response = dash.post(f"{url}/triage", {"area": area, "kind": "complaint"}, url)
        assert response.status_code == 303
        assert "not an active service area" in dash.client.get(url).text
    still = dash.run(dash.store.get_feedback, item.reference)
    assert still.area == "roads"
    assert [c for c in dash.run(dash.store.list_corrections)
            if c.field is CorrectionField.AREA] == []


@pytest.mark.parametrize("query", ["page=369367187582054473", "page=-4", "page=abc",
                                   "from=9999-12-31&to=9999-12-31", "from=0001-01-01",
                                   "to=2026-13-45"])
def test_queue_parameters_out_of_range_get_a_clear_message(dash: Dash, query: str) -> None:
    dash.file()
    dash.login("roads@city.gov")
    response = dash.client.get(f"/staff?{query}")
    assert response.status_code == 200
    assert 'class="flash"' in response.text
    assert "is ignored" in response.text or "showing the first page" in response.text
    assert "Page 1 of 1" in response.text
