"""``/docs`` and ``/redoc`` name no other host, and every asset they load is served here."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings

LOADS = re.compile(r"""(?:src|href|url|spec-url)\s*[=:]\s*["']([^"']+)["']""")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    # the pages and their assets need no started service: no lifespan, no database
    yield TestClient(create_app(Settings(_env_file=None, secret_key="k" * 40)))


@pytest.mark.parametrize(("page", "assets"), [
    ("/docs", {"/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css",
               "/docs/assets/favicon.png", "/openapi.json"}),
    ("/redoc", {"/docs/assets/redoc.standalone.js", "/docs/assets/favicon.png",
                "/openapi.json"}),
])
def test_page_loads_only_local_assets(client: TestClient, page: str, assets: set[str]) -> None:
    response = client.get(page)
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]
    assert not re.search(r"https?://|//[a-z]", response.text, re.I), "names another host"
    assert set(LOADS.findall(response.text)) == assets
    policy = dict(part.strip().split(" ", 1) for part in
                  response.headers["content-security-policy"].split(";"))
    assert policy["default-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in policy["script-src"]  # the page's own script, by hash
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert len(served.content) > 1_000, asset


def test_assets_have_their_types_and_unknown_ones_are_404(client: TestClient) -> None:
    kinds = {"swagger-ui-bundle.js": "javascript", "redoc.standalone.js": "javascript",
             "swagger-ui.css": "text/css", "favicon.png": "image/png"}
    for name, kind in kinds.items():
        assert kind in client.get(f"/docs/assets/{name}").headers["content-type"]
    assert client.get("/docs/assets/nothing.js").status_code == 404


def test_pages_are_not_in_the_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not {"/docs", "/redoc"} & set(paths)
