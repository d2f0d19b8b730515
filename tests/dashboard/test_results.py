"""The results page (charts) and the public accountability page (small counts hidden)."""

from __future__ import annotations

from tests.dashboard.conftest import Dash


def test_results_page_draws_svg(dash: Dash) -> None:
    item = dash.file()
    dash.login("admin@city.gov")
    url = f"/staff/feedback/{item.reference}"
    dash.post(f"{url}/triage", {"area": "roads", "kind": "complaint"}, url)
    page = dash.client.get("/staff/results")
    assert page.status_code == 200
    assert page.text.count("<svg") >= 5 and "Classifier accuracy" in page.text
    assert "100% (1 of 1)" in page.text
    assert "<script" not in page.text


def test_accountability_suppresses_small_counts(dash: Dash) -> None:
    for n in range(4):
        dash.file(f"Bins missed {n}", area="waste")
    for n in range(5):
        dash.file(f"Pothole {n}", area="parks_trees")
    idea = dash.file("Plant <b>more</b> trees", area="parks_trees", kind="idea")
    dash.login("admin@city.gov")
    url = f"/staff/feedback/{idea.reference}"
    dash.post(f"{url}/status", {"status": "resolved"}, url)
    dash.post("/staff/logout", {}, "/staff")
    page = dash.client.get("/accountability")
    assert page.status_code == 200
    rows = {row.split("</td>")[0]: row for row in page.text.split("<tr><td>")[1:]}
    assert "<td>fewer than 5</td>" in rows["waste and litter"]
    assert "<td>6</td>" in rows["parks and trees"]
    assert "Bins missed" not in page.text and "Pothole" not in page.text
    assert "Plant &lt;b&gt;more&lt;/b&gt; trees" in page.text  # you said, we did
    assert idea.reference not in page.text
