"""The API docs render in a real browser that may reach nothing but this service.

The pages' Content-Security-Policy keeps the browser to this host, and any request that
still left for another host would be refused and recorded here; Swagger UI must draw the
operations of ``/openapi.json`` and ReDoc its reference, with no script errors. The one
thing the policy stops is ReDoc's attribution logo from cdn.redoc.ly.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.browser import CHROMIUM, FLAGS, needs_chromium

pytestmark = needs_chromium


@pytest.mark.parametrize(("page_path", "drawn", "refused"), [
    ("/docs", "#swagger-ui .opblock", set()),
    ("/redoc", "redoc h2", {"https://cdn.redoc.ly/redoc/logo-mini.svg"}),
])
def test_docs_render_offline(server: tuple[str, dict[str, str]], page_path: str,
                             drawn: str, refused: set[str], tmp_path: Path) -> None:
    from playwright.sync_api import Route, expect, sync_playwright

    base, _env = server
    elsewhere: list[str] = []
    errors: list[str] = []
    policy: list[str] = []

    def only_here(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context()
        context.route("**/*", only_here)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: policy.append(message.text)
                if "Content Security Policy" in message.text else None)
        page.goto(base + page_path)
        expect(page.locator(drawn).first).to_be_visible(timeout=20_000)
        assert page.locator(drawn).count() >= 5
        expect(page.locator("body")).to_contain_text("/api/v1/messages")
        page.screenshot(path=str(tmp_path / "docs.png"))
        browser.close()
    assert elsewhere == []
    assert errors == []
    blocked = {found.group(1) if (found := re.search(r"'(\w+://[^']+)'", line)) else line
               for line in policy}
    assert blocked == refused
