"""An admin in a real browser (headless Chromium via Playwright): the models page follows a
running retrain without reloading, then shows its decision; the areas page adds an area.

The retrain is simulated: this test holds the retrain lock and writes the status file as
``civicvoice retrain`` does. Skipped without Chromium, like tests/browser.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from bot.retraining import StatusFile, retrain_lock
from tests.support.browser import CHROMIUM, FLAGS, needs_chromium
from tests.support.serve import ROOT

pytestmark = needs_chromium


def test_admin_follows_a_retrain_and_adds_an_area(server: tuple[str, dict[str, str]],
                                                  tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, env = server
    created = subprocess.run(
        [sys.executable, "-m", "bot.cli", "users", "add", "head@city.example", "--role",
         "admin"], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    password = re.search(r"one-time password: (\S+)", created.stdout)
    assert password is not None
    files = StatusFile(tmp_path / "models")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.goto(base + "/staff/login")
        page.fill("input[name=email]", "head@city.example")
        page.fill("input[name=password]", password.group(1))
        page.click("button[type=submit]")
        with retrain_lock(tmp_path / "models"):  # another admin's retrain is running
            status = files.start("staff:other@city.example")
            page.click("header a:has-text('Models')")
            expect(page.locator("#retrain-busy")).to_contain_text("A retrain is running now")
            expect(page.locator("svg.heatmap").first).to_be_visible()
            page.evaluate("window.sameDocument = true")
            files.step(status, "training the area head")
            expect(page.locator("#retrain-steps")).to_contain_text("training the area head")
            assert page.evaluate("window.sameDocument === true")  # updated in place
            files.finish(status, state="rejected", reason="rejected: macro-F1 fell",
                         version="2030-x", candidate=0.5, current=0.6, labels_from_staff=4)
        # the lock is free: the script sees the end and reloads the page
        expect(page.locator("#retrain-reason")).to_contain_text("rejected: macro-F1 fell")
        expect(page.locator("button:has-text('Retrain now')")).to_be_visible()
        assert page.evaluate("window.sameDocument === undefined")
        page.screenshot(path=str(tmp_path / "models.png"), full_page=True)

        page.click("header a:has-text('Areas')")
        page.fill("input[name=code]", "snow_clearing")
        page.fill("input[name=label]", "Snow clearing")
        page.click("button:has-text('Add area')")
        expect(page.locator(".flash")).to_contain_text("Snow clearing (snow_clearing) added")
        expect(page.locator("#area-snow_clearing")).to_contain_text("does not know this area")
        browser.close()
