"""Build the Containerfile with Buildah on a Debian base made here, and run what it built.

This machine pulls no images, so the base is made from Debian's own mirror with
``mmdebstrap`` (minbase, plus python3, python3-venv and ca-certificates) and imported into
a Buildah store of the test's own under ``var/image-test/`` (left out of git). That folder
is kept between runs in one checkout, so a second run reuses the base (up to a week old)
and Buildah's cached layers; a fresh clone, as on CI, builds everything. Buildah runs with
``--isolation chroot``: it needs no container runtime or cgroups, only root.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "var" / "image-test"
SUITE = "bookworm"
BASE_PACKAGES = "python3,python3-venv,ca-certificates"
BASE_TAG = f"localhost/civicvoice-test-base:{SUITE}"
IMAGE_TAG = "localhost/civicvoice:test"
BASE_MAX_AGE = 7 * 24 * 3600  # a week: then the base is made again with Debian's updates
TOOLS = {"buildah": "buildah", "mmdebstrap": "mmdebstrap"}  # command -> Debian package


class ToolMissing(Exception):
    """A command the image test needs is not installed (the message says what to install)."""


def tail(log: Path, lines: int = 25) -> str:
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def missing_tools() -> list[str]:
    return [package for command, package in TOOLS.items() if shutil.which(command) is None]


def ca_bundle() -> Path | None:
    """The CA bundle this host trusts, handed to the build so pip trusts the same."""
    for candidate in (os.environ.get("PIP_CERT"), os.environ.get("SSL_CERT_FILE"),
                      ssl.get_default_verify_paths().cafile,
                      "/etc/ssl/certs/ca-certificates.crt"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


@dataclass
class Buildah:
    """``buildah`` on the test's own store; every call is logged to ``log``."""

    store: Path
    log: Path
    timings: dict[str, float] = field(default_factory=dict)

    def command(self, *args: str) -> list[str]:
        return ["buildah", "--root", str(self.store / "root"),
                "--runroot", str(self.store / "runroot"), *args]

    @property
    def env(self) -> dict[str, str]:
        # buildah keeps RUN --mount=type=cache folders under $TMPDIR: here, in the cache
        (self.store / "tmp").mkdir(parents=True, exist_ok=True)
        return {**os.environ, "TMPDIR": str(self.store / "tmp")}

    def __call__(self, *args: str, timeout: float = 600) -> str:
        with self.log.open("a", encoding="utf-8") as log:
            log.write(f"\n$ {' '.join(self.command(*args))}\n")
            log.flush()
            done = subprocess.run(self.command(*args), env=self.env, stdout=subprocess.PIPE,
                                  stderr=log, text=True, timeout=timeout, check=False)
            log.write(done.stdout)
        if done.returncode:
            raise AssertionError(f"buildah {args[0]} failed ({done.returncode}); the end of "
                                 f"{self.log}:\n{tail(self.log)}")
        return done.stdout

    def has_image(self, tag: str) -> bool:
        listed = subprocess.run(self.command("images", "--quiet", tag), env=self.env,
                                capture_output=True, text=True, check=False)
        return listed.returncode == 0 and bool(listed.stdout.strip())

    @contextlib.contextmanager
    def timed(self, step: str) -> Iterator[None]:
        started = time.monotonic()
        yield
        self.timings[step] = round(time.monotonic() - started, 1)


def make_base(buildah: Buildah) -> None:
    """The Debian base image, from a cached mmdebstrap tarball when one is fresh."""
    tarball = CACHE / f"debian-{SUITE}-python3.tar"
    fresh = tarball.is_file() and time.time() - tarball.stat().st_mtime < BASE_MAX_AGE
    if fresh and buildah.has_image(BASE_TAG):
        return
    if not fresh:
        with buildah.timed("mmdebstrap"), buildah.log.open("a", encoding="utf-8") as log:
            partial = tarball.with_suffix(".partial.tar")
            command = ["mmdebstrap", "--variant=minbase", f"--include={BASE_PACKAGES}",
                       SUITE, str(partial)]
            log.write(f"\n$ {' '.join(command)}\n")
            log.flush()
            # stdin closed: older mmdebstrap releases read a sources.list from a stdin that
            # is not a terminal
            done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                  check=False, timeout=1200)
        if done.returncode:
            raise AssertionError(f"mmdebstrap failed ({done.returncode}); the end of "
                                 f"{buildah.log}:\n{tail(buildah.log)}")
        partial.replace(tarball)
    with buildah.timed("import base"):
        container = buildah("from", "scratch").strip()
        try:
            buildah("add", container, str(tarball), "/")
            buildah("config", "--cmd", '["python3"]', container)
            buildah("commit", "--quiet", container, BASE_TAG)
        finally:
            buildah("rm", container)


def build_image(buildah: Buildah) -> None:
    """``buildah bud`` of the Containerfile on the Debian base (cached layers reused)."""
    secret = ca_bundle()
    args = ["bud", "--isolation", "chroot", "--layers", "--pull=never",
            "--build-arg", f"BASE={BASE_TAG}", "-f", str(ROOT / "Containerfile"),
            "-t", IMAGE_TAG]
    if secret is not None:
        args += ["--secret", f"id=ca-bundle,src={secret}"]
    if os.environ.get("PIP_INDEX_URL"):
        args += ["--build-arg", f"PIP_INDEX_URL={os.environ['PIP_INDEX_URL']}"]
    with buildah.timed("build"):
        buildah(*args, str(ROOT), timeout=2400)


def image_config(buildah: Buildah) -> dict[str, object]:
    inspected = json.loads(buildah("inspect", "--type", "image", IMAGE_TAG))
    config: dict[str, object] = inspected["OCIv1"]["config"]
    return config


def image_size(buildah: Buildah) -> str:
    """The image's size as Buildah reports it (uncompressed, e.g. ``1.05 GB``)."""
    return str(json.loads(buildah("images", "--json", IMAGE_TAG))[0]["size"])


@dataclass
class Running:
    """``civicvoice serve`` inside a working container of the image."""

    process: subprocess.Popen[bytes]
    base_url: str
    container: str

    def service_pids(self) -> list[int]:
        """The service's own processes (the image's Python, not Buildah's helpers): with
        chroot isolation they are ordinary processes of this host, in Buildah's session."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
                session = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[3])
            except (OSError, IndexError, ValueError):
                continue
            if session == self.process.pid and argv[0].startswith(b"/opt/civicvoice/"):
                pids.append(int(entry.name))
        return pids

    def stop(self) -> bool:
        """SIGTERM to the service, as a container runtime stops its PID 1; True when it
        then ended by itself within 30 s (else the whole session is killed)."""
        for pid in self.service_pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
            return True
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            return False


def serve(buildah: Buildah, container: str, port: int, env: dict[str, str],
          log: Path) -> Running:
    """Start the image's ``civicvoice serve`` on 127.0.0.1:``port`` (chroot isolation shares
    the host's network, so only the loopback address is bound)."""
    flags = [item for key, value in env.items() for item in ("--env", f"{key}={value}")]
    command = buildah.command("run", "--isolation", "chroot", *flags, container, "--",
                              "civicvoice", "serve", "--host", "127.0.0.1", "--port", str(port))
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=buildah.env, stdout=output,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    return Running(process, f"http://127.0.0.1:{port}", container)
