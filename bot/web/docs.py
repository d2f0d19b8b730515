"""The API's documentation pages, ``/docs`` (Swagger UI) and ``/redoc``, working offline.

FastAPI's own pages load their scripts, styles and favicon from a CDN (and ReDoc its fonts
from Google), so on a city's closed network they stay blank. Here the same pages point at
copies served by this app from the installed ``fastapi-offline`` package (Swagger UI,
Apache-2.0; ReDoc, MIT), under ``/docs/assets/``. Nothing on either page names another host,
and their Content-Security-Policy lets the browser load nothing from one: ReDoc's script
always asks cdn.redoc.ly for its attribution logo (an image that hides itself when it cannot
load), which would tell a third party who reads the docs and when.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, swagger_ui_default_parameters
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"
ASSETS_PACKAGE = ("fastapi_offline", "static")  # swagger-ui-bundle.js, .css, redoc, favicon
# the online validator badge would send the schema to swagger.io; there is none offline
SWAGGER_PARAMETERS = swagger_ui_default_parameters | {"validatorUrl": None}
# this host only; inline scripts by their hash, inline styles (both UIs inject them), data:
# images and fonts from the stylesheets, and a blob: worker for ReDoc's search
POLICY = ("default-src 'self'; script-src 'self' {scripts}; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; "
          "frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'none'")
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def self_only(page: HTMLResponse) -> HTMLResponse:
    """Give ``page`` a policy that allows this host and the page's own inline scripts."""
    scripts = INLINE_SCRIPT.findall(bytes(page.body).decode())
    hashes = (base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
              for script in scripts)
    page.headers["content-security-policy"] = POLICY.format(
        scripts=" ".join(f"'sha256-{digest}'" for digest in hashes))
    return page


def install_docs(app: FastAPI) -> None:
    """Serve ``/docs``, ``/redoc`` and their assets (the app is made with both URLs off)."""
    app.mount(ASSETS, StaticFiles(packages=[ASSETS_PACKAGE]), name="docs-assets")

    def base(request: Request) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = base(request)
        return self_only(get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} - API",
            swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS}/favicon.png",
            swagger_ui_parameters=SWAGGER_PARAMETERS))

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = base(request)
        return self_only(get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}", title=f"{app.title} - API",
            redoc_js_url=f"{root}{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS}/favicon.png", with_google_fonts=False))
