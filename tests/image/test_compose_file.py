"""compose.yaml agrees with the Containerfile (read, not run: no test starts Compose)."""

from __future__ import annotations

import re

import yaml

from tests.image.buildah import ROOT

COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
CONTAINERFILE = (ROOT / "Containerfile").read_text(encoding="utf-8")


def test_app_is_built_from_the_containerfile_with_its_volume_and_port() -> None:
    app = COMPOSE["services"]["app"]
    assert app["build"]["dockerfile"] == "Containerfile"
    volume = re.search(r"^VOLUME (\S+)$", CONTAINERFILE, re.M)
    exposed = re.search(r"^EXPOSE (\d+)$", CONTAINERFILE, re.M)
    assert volume and exposed
    assert any(mount.endswith(f":{volume.group(1)}") for mount in app["volumes"])
    assert app["ports"] == [f"127.0.0.1:{exposed.group(1)}:{exposed.group(1)}"]
    assert f"127.0.0.1:{exposed.group(1)}/readyz" in " ".join(app["healthcheck"]["test"])
    assert app["environment"]["ENVIRONMENT"] == "production"


def test_app_uses_the_compose_database_and_waits_for_it() -> None:
    app, db = COMPOSE["services"]["app"], COMPOSE["services"]["db"]
    url = app["environment"]["DATABASE_URL"]
    assert url.startswith(f"postgresql://{db['environment']['POSTGRES_USER']}:")
    assert url.endswith(f"@db:5432/{db['environment']['POSTGRES_DB']}")
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert set(COMPOSE["volumes"]) == {"civicvoice-data", "postgres-data"}
