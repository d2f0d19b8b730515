"""What an install gets: the lock files cover pyproject.toml, and the wheel holds every file
the packages read (templates, static files, the bundled model and its compiled view)."""

from __future__ import annotations

import fnmatch
import hashlib
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
RUNTIME = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
DEV = [Requirement(r) for r in PYPROJECT["project"]["optional-dependencies"]["dev"]]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+?)(?: ;[^\\\n]*)? \\\n"
                 r"((?:    --hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)", re.M)
NOT_FOR_OPERATORS = {"playwright", "pytest", "ruff", "mypy", "schemathesis", "uv", "aiosmtpd"}


def pins(lock: str) -> dict[str, set[str]]:
    """Package -> pinned versions (one per environment marker); every pin has hashes."""
    text = (ROOT / lock).read_text(encoding="utf-8")
    found: dict[str, set[str]] = {}
    for name, pinned, _hashes in PIN.findall(text):
        found.setdefault(canonicalize_name(name), set()).add(pinned)
    names = re.findall(r"^([A-Za-z0-9_.-]+)==", text, re.M)
    assert len(names) == sum(map(len, found.values())), f"{lock}: a pin without its hashes"
    return found


def test_runtime_lock_covers_the_dependencies() -> None:
    locked = pins("requirements.txt")
    for requirement in RUNTIME:
        versions = locked.get(canonicalize_name(requirement.name))
        assert versions, f"requirements.txt lacks {requirement.name}: run `make lock`"
        for pinned in versions:
            assert requirement.specifier.contains(Version(pinned), prereleases=True), (
                f"requirements.txt pins {requirement.name} {pinned}, outside "
                f"{requirement.specifier}: run `make lock`")


def test_dev_lock_covers_runtime_and_dev_tools_at_the_same_versions() -> None:
    runtime, dev = pins("requirements.txt"), pins("requirements-dev.txt")
    for requirement in RUNTIME + DEV:
        versions = dev.get(canonicalize_name(requirement.name))
        assert versions, f"requirements-dev.txt lacks {requirement.name}: run `make lock`"
        assert all(requirement.specifier.contains(Version(v), prereleases=True)
                   for v in versions), f"{requirement} not met: run `make lock`"
    changed = {name for name in runtime if dev.get(name) != runtime[name]}
    assert not changed, f"the two lock files disagree on {sorted(changed)}: run `make lock`"


def test_an_operators_install_gets_no_dev_tools_or_browser() -> None:
    assert not NOT_FOR_OPERATORS & set(pins("requirements.txt"))
    assert not any(r.name in NOT_FOR_OPERATORS for r in RUNTIME)


def test_package_data_holds_every_file_the_packages_ship() -> None:
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("needs the git checkout to list tracked files")
    packages = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["*"]
    listed = subprocess.run(["git", "ls-files", *(p.rstrip("*") for p in packages)],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    data = [f for f in listed.splitlines() if not f.endswith(".py")]
    assert "models/default/inference.npz" in data
    left_out = [f for f in data if not any(fnmatch.fnmatch(Path(f).name, p) for p in patterns)]
    assert not left_out, f"not in [tool.setuptools.package-data]: {left_out}"


# sha256 of the FSF's text of the GNU AGPL v3 (34,523 bytes), as two unrelated packages on
# PyPI ship it (maubot 0.6.0 and ultralytics 8.4.190, in their dist-info/licenses/LICENSE)
AGPL_3_SHA256 = "0d96a4ff68ad6d4b6f1f30f713b18d5184912ba8dd389f86aa7710db079abcb0"


def test_licence_file_is_the_one_pyproject_names() -> None:
    assert PYPROJECT["project"]["license"] == "AGPL-3.0-or-later"
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_bytes()
    assert text.lstrip().startswith(b"GNU AFFERO GENERAL PUBLIC LICENSE")
    assert hashlib.sha256(text).hexdigest() == AGPL_3_SHA256
