"""A member of staff works a report in a real browser (headless Chromium via Playwright).

Signs in, filters the queue, re-routes a report, resolves it, and the citizen's channel
(the web inbox the try-it page polls) receives the notification naming the reference.
`make test` (its test-deps step) installs Debian's chromium when it is missing; elsewhere
the test is skipped without it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.browser import CHROMIUM, FLAGS, needs_chromium
from tests.support.serve import ROOT

pytestmark = needs_chromium


@pytest.fixture
def citizen(server: tuple[str, dict[str, str]]) -> Iterator[httpx.Client]:
    """The citizen's own browser: keeps its cv_web cookie."""
    with httpx.Client(base_url=server[0]) as client:
        yield client


def test_staff_reroute_and_resolve_in_a_browser(server: tuple[str, dict[str, str]],
                                                citizen: httpx.Client, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, env = server
    filed = citizen.post("/api/v1/messages", json={
        "sender": "browser-citizen", "message_id": "b1",
        "text": "Huge pothole outside 12 Elm Street, my tyre burst"}).json()
    reference = filed["reference"]
    httpx.post(base + "/api/v1/messages", json={
        "sender": "someone-else", "text": "Rubbish bags dumped behind the shops again"})
    created = subprocess.run(
        [sys.executable, "-m", "bot.cli", "users", "add", "chief@city.example", "--role",
         "admin"], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    password = re.search(r"one-time password: (\S+)", created.stdout)
    assert password is not None

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        page.goto(base + "/staff/login")
        page.fill("input[name=email]", "chief@city.example")
        page.fill("input[name=password]", password.group(1))
        page.click("button[type=submit]")
        expect(page.locator("body")).to_contain_text(reference)

        page.select_option("select[name=status]", "new")
        page.fill("input[name=q]", "pothole")
        page.click("form.filters button[type=submit]")
        expect(page.locator("body")).to_contain_text(reference)
        expect(page.locator("body")).not_to_contain_text("Rubbish bags")

        page.click(f"a:has-text('{reference}')")
        page.select_option("select[name=area]", "traffic_parking")
        page.click("button:has-text('Save triage')")
        expect(page.locator("body")).to_contain_text("traffic")

        page.select_option("select[name=status]", "resolved")
        page.fill("textarea[name=note]", "Filled and resurfaced today.")
        page.click("button:has-text('Change status')")
        expect(page.locator("body")).to_contain_text("resolved")
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        browser.close()

    inbox: list[dict[str, object]] = []
    for _ in range(100):  # the outbox delivers within a second or two
        inbox = citizen.get("/api/v1/messages").json()
        if inbox:
            break
        time.sleep(0.1)
    assert len(inbox) == 1
    text = str(inbox[0]["text"])
    assert reference in text and "Filled and resurfaced today." in text and "1" in text
