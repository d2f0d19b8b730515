"""The published OpenAPI schema is true: schemathesis against the real server.

``civicvoice serve`` runs on a database of its own with a few reports; the schemathesis
command line (a dev dependency) calls every operation in ``/openapi.json`` with generated
valid and invalid inputs, first with a staff token and then with an admin token, and
checks each response against the schema (status codes, content types, headers, bodies,
``Allow``) and for 5xx; a run with any failure fails the test. Left out: checks that need
a stateful set-up (``use_after_free``, ``ensure_resource_availability``,
``object_level_authorization``), ``positive_data_acceptance`` (rules a schema cannot say,
such as an area code that must exist in the area table), and from the admin run a
retrain (minutes of CPU) and revoking tokens (its own).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.serve import ROOT, serving

pytestmark = pytest.mark.slow

EXAMPLES = "20"
EXCLUDED_CHECKS = ("use_after_free,ensure_resource_availability,object_level_authorization,"
                   "positive_data_acceptance")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    folder = tmp_path_factory.mktemp("schema")
    with serving(folder, {"WEB_SENDERS_PER_IP_PER_HOUR": "0"}) as (base, env):
        with httpx.Client(base_url=base) as client:
            for text in ("Huge pothole outside 12 Elm Street", "Bins not emptied on Oak Rd"):
                client.post("/api/v1/messages", json={"text": text})
        yield base, env


def _token(env: dict[str, str], email: str, role: str, *areas: str) -> str:
    _cli(env, "users", "add", email, "--role", role, *[f"--area={a}" for a in areas])
    return _cli(env, "tokens", "create", email).strip().splitlines()[-1]


def _schemathesis(base: str, token: str, folder: Path, *extra: str) -> None:
    done = subprocess.run(
        [str(SCHEMATHESIS), "run", f"{base}/openapi.json", "--workers", "1",
         "--max-examples", EXAMPLES, "--checks", "all", "--exclude-checks", EXCLUDED_CHECKS,
         "-H", f"Authorization: Bearer {token}", *extra],
        cwd=folder, capture_output=True, text=True, timeout=600)
    report = done.stdout + done.stderr
    assert done.returncode == 0, report[-12_000:]
    assert " passed" in report and "failure" not in report.split("SUMMARY")[-1], report[-3000:]


def test_the_schema_holds_with_a_staff_token(server: tuple[str, dict[str, str]],
                                            tmp_path: Path) -> None:
    base, env = server
    _schemathesis(base, _token(env, "roads@city.example", "staff", "roads"), tmp_path)


def test_the_schema_holds_with_an_admin_token(server: tuple[str, dict[str, str]],
                                             tmp_path: Path) -> None:
    base, env = server
    _schemathesis(base, _token(env, "chief@city.example", "admin"), tmp_path,
                  "--exclude-path", "/api/v1/admin/retrain",
                  "--exclude-path-regex", "tokens/.*/revoke")


def test_the_schema_names_no_framework_error_shapes(
        server: tuple[str, dict[str, str]]) -> None:
    document = httpx.get(server[0] + "/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    messages = document["paths"]["/api/v1/messages"]["post"]["responses"]
    assert {"400", "413", "422", "429"} <= set(messages)
    fmt = next(p for p in document["paths"]["/open311/v2/services.{fmt}"]["get"]["parameters"]
               if p["name"] == "fmt")
    assert fmt["schema"]["enum"] == ["json", "xml"]


def test_allow_names_every_method_of_a_path(server: tuple[str, dict[str, str]]) -> None:
    response = httpx.put(server[0] + "/api/v1/messages")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST"}
