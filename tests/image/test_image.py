"""The container image: built from the Containerfile, run, and asked ``/healthz`` and ``/readyz``.

One build per test session (a module fixture; see ``tests/image/buildah.py`` for the base,
the store and what is cached). It needs root, Buildah and mmdebstrap (``make test-deps``
installs both) and PyPI and the Debian mirror for the build; a missing tool fails the test
with what to install. Timings and the image's size are printed at the end of the run and
kept in ``var/image-test/timings.json``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.image.buildah import (
    CACHE,
    IMAGE_TAG,
    ROOT,
    Buildah,
    Running,
    build_image,
    image_config,
    image_size,
    make_base,
    missing_tools,
    serve,
)
from tests.image.conftest import IMAGE_REPORT
from tests.support.serve import free_port

pytestmark = pytest.mark.slow

BUNDLED_VERSION = json.loads(
    (ROOT / "models" / "default" / "metadata.json").read_text(encoding="utf-8"))["version"]
DEV_ONLY = ["pytest", "playwright", "ruff", "mypy", "schemathesis", "uv", "aiosmtpd"]


@pytest.fixture(scope="module")
def buildah(request: pytest.FixtureRequest) -> Iterator[Buildah]:
    """The image, built once; yields the Buildah store it is in."""
    missing = missing_tools()
    if missing:
        pytest.fail(f"the image test needs {' and '.join(missing)}: run `make test-deps` as "
                    f"root, or apt-get install {' '.join(missing)}", pytrace=False)
    if os.geteuid() != 0:
        pytest.fail("the image test runs Buildah with chroot isolation, which needs root",
                    pytrace=False)
    CACHE.mkdir(parents=True, exist_ok=True)
    tool = Buildah(CACHE / "store", CACHE / "build.log")
    tool.log.write_text("", encoding="utf-8")
    started = time.monotonic()
    make_base(tool)
    build_image(tool)
    tool.timings["base and build"] = round(time.monotonic() - started, 1)
    yield tool
    report = {**tool.timings, "image size": image_size(tool), "log": str(tool.log)}
    (CACHE / "timings.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    request.config.stash[IMAGE_REPORT] = report


@pytest.fixture(scope="module")
def running(buildah: Buildah) -> Iterator[Running]:
    """``civicvoice serve`` in production mode inside a working container of the image."""
    container = buildah("from", "--pull=never", IMAGE_TAG).strip()
    port = free_port()
    service = serve(buildah, container, port, {
        "ENVIRONMENT": "production", "SECRET_KEY": "k" * 48,
        "PUBLIC_BASE_URL": "https://feedback.example.gov"}, CACHE / "serve.log")
    try:
        with buildah.timed("serve until /readyz"):
            _wait_ready(service)
        yield service
    finally:
        service.stop()
        buildah("rm", container)


def _wait_ready(service: Running, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            break
        try:
            if httpx.get(service.base_url + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    log = (CACHE / "serve.log").read_text(encoding="utf-8", errors="replace")[-2000:]
    raise AssertionError(f"civicvoice serve in the image did not become ready:\n{log}")


def in_container(buildah: Buildah, container: str, *command: str) -> str:
    return buildah("run", "--isolation", "chroot", container, "--", *command)


def test_image_runs_serve_as_a_fixed_unprivileged_user_with_data_on_a_volume(
        buildah: Buildah) -> None:
    config = image_config(buildah)
    assert config["User"] == "10001:10001"
    every_address = "0.0.0.0"  # noqa: S104 - inside the container, for its port mapping
    assert config["Cmd"] == ["civicvoice", "serve", "--host", every_address, "--port", "8000"]
    assert "/var/lib/civicvoice" in config["Volumes"]  # type: ignore[operator]
    assert "8000/tcp" in config["ExposedPorts"]  # type: ignore[operator]
    env = dict(item.split("=", 1) for item in config["Env"])  # type: ignore[attr-defined]
    assert env["DATA_DIR"] == "/var/lib/civicvoice"
    assert env["DATABASE_URL"] == "sqlite:////var/lib/civicvoice/civicvoice.db"
    assert env["MODEL_DIR"].startswith("/var/lib/civicvoice/")
    labels = config["Labels"]
    assert labels["org.opencontainers.image.licenses"] == "AGPL-3.0-or-later"  # type: ignore[index]


def test_healthz_and_readyz_answer_from_the_image(running: Running) -> None:
    health = httpx.get(running.base_url + "/healthz", timeout=5)
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "model_version": BUNDLED_VERSION}
    ready = httpx.get(running.base_url + "/readyz", timeout=5)
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert ready.headers["strict-transport-security"]  # production behind https


def test_the_bundled_model_triages_inside_the_image(running: Running) -> None:
    answer = httpx.post(running.base_url + "/api/v1/messages", timeout=10, json={
        "sender": "image-test", "text": "Street light out on Elm Road for a week"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["area"] == "street_lighting"
    assert answer.json()["reference"].startswith("CV-")
    docs = httpx.get(running.base_url + "/docs/assets/swagger-ui-bundle.js", timeout=10)
    assert docs.status_code == 200


def test_service_writes_only_its_volume_as_uid_10001(buildah: Buildah,
                                                     running: Running) -> None:
    listing = in_container(buildah, running.container, "python3", "-c",
                           "import os, json; d = '/var/lib/civicvoice'; print(json.dumps("
                           "[os.getuid(), {n: os.stat(os.path.join(d, n)).st_uid "
                           "for n in os.listdir(d)}]))")
    uid, owners = json.loads(listing)
    assert uid == 10001
    assert "civicvoice.db" in owners  # the SQLite default, on the volume
    assert set(owners.values()) == {10001}
    denied = in_container(buildah, running.container, "sh", "-c",
                          "touch /opt/civicvoice/x 2>/dev/null && echo wrote || echo denied")
    assert denied.strip() == "denied"


def test_operators_image_has_no_dev_tools_and_ships_the_compiled_model(
        buildah: Buildah, running: Running) -> None:
    found = in_container(buildah, running.container, "python3", "-c",
                         "import importlib.util as u, json, models.registry as r; "
                         f"print(json.dumps([[m for m in {DEV_ONLY!r} if u.find_spec(m)], "
                         "sorted(p.name for p in r.BUNDLED_DIR.iterdir())]))")
    dev_tools, bundled = json.loads(found)
    assert dev_tools == []
    assert {"model.skops", "inference.npz", "inference.json", "metadata.json"} <= set(bundled)


def test_sigterm_stops_the_service_cleanly(running: Running) -> None:
    """Last: stops the module's service, as `docker stop` or Kubernetes would."""
    assert running.service_pids()
    assert running.stop(), "civicvoice serve did not end within 30 s of SIGTERM"
    log = (CACHE / "serve.log").read_text(encoding="utf-8", errors="replace")
    assert "Application shutdown complete" in log
