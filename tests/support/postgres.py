"""A throwaway PostgreSQL server for tests: ``initdb`` + ``pg_ctl`` in a temporary folder, on
a free loopback port, as an unprivileged user when run as root; stopped and removed after.

Standard library only (a test runs this file as another user, outside the venv).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

TEST_USER = "civicvoice-test"  # initdb refuses root; root runs the server as this user
SUPERUSER = "postgres"
DATABASE = "civicvoice_test"
HOST = "127.0.0.1"
PREFIX = "civicvoice-pg-"
OWNER_FILE = "owner.pid"  # the pid of the process that made the cluster, for reap_stale()
DEBIAN_BINDIRS = Path("/usr/lib/postgresql")
TOOLS = ("initdb", "pg_ctl", "postgres", "psql")
INSTALL_HINT = ("install Debian's postgresql package: `make test-deps` as root "
                "(or `apt-get install postgresql`)")
# Durability off: a throwaway cluster trades crash safety for speed.
SERVER_SETTINGS = {
    "listen_addresses": HOST,
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


class ClusterError(RuntimeError):
    """initdb, pg_ctl or psql failed; the message carries their output."""


def find_bindir() -> Path:
    """The folder holding initdb, pg_ctl, postgres and psql: initdb's on PATH, else the newest
    ``/usr/lib/postgresql/<version>/bin`` (Debian keeps them off PATH)."""
    candidates = []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    candidates += sorted(DEBIAN_BINDIRS.glob("*/bin"), key=_version_key, reverse=True)
    for bindir in candidates:
        if all(os.access(bindir / tool, os.X_OK) for tool in TOOLS):
            return bindir
    raise PostgresUnavailable(
        f"PostgreSQL server binaries ({', '.join(TOOLS)}) not found on PATH or under "
        f"{DEBIAN_BINDIRS}/*/bin: {INSTALL_HINT}")


def _version_key(bindir: Path) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in bindir.parent.name.split("."))
    except ValueError:
        return (-1,)


def ensure_test_user(name: str = TEST_USER) -> pwd.struct_passwd:
    """The system account the server runs as under root, made with ``useradd`` if missing."""
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    error = ""
    for _ in range(10):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
        result = subprocess.run(
            [useradd, "--system", "--user-group", "--no-create-home", "--home-dir",
             "/nonexistent", "--shell", "/usr/sbin/nologin", name],
            capture_output=True, text=True, check=False)
        if result.returncode != 0:  # another session may hold /etc/passwd's lock: retry
            error = result.stderr.strip()
            time.sleep(0.3)
    raise ClusterError(f"could not create the system user {name!r}: {error}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def sqlalchemy_url(url: str, driver: str = "asyncpg") -> str:
    """``postgresql://...`` as SQLAlchemy's ``postgresql+<driver>://...``."""
    return url.replace("postgresql://", f"postgresql+{driver}://", 1)


class PostgresCluster:
    """A running throwaway server. ``stop()`` ends it and removes its folder (idempotent)."""

    def __init__(self, base: Path, bindir: Path, account: pwd.struct_passwd | None) -> None:
        self.base = base
        self.bindir = bindir
        self.account = account  # None: the server runs as this process's user
        self.port = 0
        self.stopped = False

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    @property
    def log_file(self) -> Path:
        return self.base / "postgres.log"

    def url(self, database: str = DATABASE) -> str:
        return f"postgresql://{SUPERUSER}@{HOST}:{self.port}/{database}"

    def server_pid(self) -> int | None:
        """The postmaster's pid while it runs, else None."""
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None
        return pid if _alive(pid) else None

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run ``sql`` as the superuser and return psql's unaligned output."""
        result = self._run([str(self.bindir / "psql"), "-X", "-q", "-A", "-t", "-v",
                            "ON_ERROR_STOP=1", "-h", HOST, "-p", str(self.port), "-U",
                            SUPERUSER, "-d", database, "-c", sql], as_server=False)
        return result.stdout.strip()

    def create_database(self, name: str, template: str = "template0") -> str:
        """Create an empty database (or a copy of ``template``) and return its URL."""
        self.psql(f"CREATE DATABASE {_ident(name)} TEMPLATE {_ident(template)}")
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop ``name``, ending any connection a test left open."""
        self.psql(f"DROP DATABASE IF EXISTS {_ident(name)} WITH (FORCE)")

    @contextlib.contextmanager
    def database(self, template: str = "template0") -> Iterator[str]:
        """A new database with a unique name for the ``with`` block, dropped after it."""
        name = f"test_{uuid.uuid4().hex[:16]}"
        url = self.create_database(name, template)
        try:
            yield url
        finally:
            self.drop_database(name)

    # -- lifecycle ---------------------------------------------------------------------

    def _initdb(self) -> None:
        self._run([str(self.bindir / "initdb"), "-D", str(self.data_dir), "-A", "trust",
                   "-U", SUPERUSER, "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])

    def _start(self, attempts: int = 3) -> None:
        for attempt in range(attempts):
            self.port = free_port()
            options = [f"-p {self.port}", f"-k {shlex.quote(str(self.base))}"]
            options += [f"-c {key}={value}" for key, value in SERVER_SETTINGS.items()]
            try:
                self._run([str(self.bindir / "pg_ctl"), "start", "-w", "-t", "60", "-D",
                           str(self.data_dir), "-l", str(self.log_file), "-o",
                           " ".join(options)])
                return
            except ClusterError:
                # Another process took the free port between our probe and the bind.
                if attempt + 1 == attempts or "could not bind" not in self._log_tail():
                    raise

    def stop(self) -> None:
        """Stop the server (fast shutdown; killed if that fails) and remove the folder."""
        if self.stopped:
            return
        try:
            pid = self.server_pid()
            if pid is not None:
                with contextlib.suppress(ClusterError, OSError, subprocess.TimeoutExpired):
                    self._run([str(self.bindir / "pg_ctl"), "stop", "-w", "-t", "30", "-m",
                               "fast", "-D", str(self.data_dir)], timeout=40)
                _kill(pid)
        finally:
            shutil.rmtree(self.base, ignore_errors=True)
            if self.base.exists():
                shutil.rmtree(self.base)  # the same again, to raise what stops it
            self.stopped = True

    def _run(self, argv: list[str], *, as_server: bool = True,
             timeout: float = 120) -> subprocess.CompletedProcess[str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        env.update(LC_ALL="C", HOME=str(self.base))  # English messages; no ~/.psqlrc
        account = self.account if as_server else None  # clients need no switch: TCP
        result = subprocess.run(
            argv, cwd=self.base, env=env, stdin=subprocess.DEVNULL, capture_output=True,
            text=True, timeout=timeout, check=False,
            user=None if account is None else account.pw_uid,
            group=None if account is None else account.pw_gid,
            extra_groups=None if account is None else [])
        if result.returncode != 0:
            raise ClusterError(f"{Path(argv[0]).name} failed (exit {result.returncode}):\n"
                               f"{result.stdout}{result.stderr}{self._log_tail()}")
        return result

    def _log_tail(self, lines: int = 20) -> str:
        try:
            tail = self.log_file.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return ""
        return "server log:\n" + "\n".join(tail) if tail else ""


def start_cluster(parent: Path | None = None, bindir: Path | None = None) -> PostgresCluster:
    """Make and start a cluster in a new folder under ``parent`` (the temp dir), with the
    database ``civicvoice_test``; on any failure nothing is left behind."""
    bindir = bindir or find_bindir()
    account = ensure_test_user() if os.geteuid() == 0 else None
    parent = parent or Path(tempfile.gettempdir())
    reap_stale(parent)
    base = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))
    cluster = PostgresCluster(base, bindir, account)
    try:
        (base / OWNER_FILE).write_text(f"{os.getpid()}\n")
        if account is not None:
            os.chown(base, account.pw_uid, account.pw_gid)
        cluster._initdb()
        cluster._start()
        cluster.create_database(DATABASE)
    except BaseException:
        cluster.stop()
        raise
    return cluster


@contextlib.contextmanager
def throwaway_cluster(parent: Path | None = None) -> Iterator[PostgresCluster]:
    """``start_cluster()`` for a ``with`` block, stopped and removed however it ends."""
    cluster = start_cluster(parent)
    try:
        yield cluster
    finally:
        cluster.stop()


def reap_stale(parent: Path) -> list[Path]:
    """Stop and remove clusters left by test runs that died (killed before their clean-up);
    a folder whose owner may still run is left alone. Returns the folders removed."""
    reaped = []
    for base in parent.glob(f"{PREFIX}*"):
        try:
            owner = int((base / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue  # being made right now, or not ours to read
        if _alive(owner):
            continue
        with contextlib.suppress(OSError, ClusterError):
            account = None
            if os.geteuid() == 0 and base.stat().st_uid != 0:
                account = pwd.getpwuid(base.stat().st_uid)
            stale = PostgresCluster(base, _any_bindir(), account)
            stale.stop()
            reaped.append(base)
    return reaped


def _any_bindir() -> Path:
    try:
        return find_bindir()
    except PostgresUnavailable:
        return Path("/nonexistent")  # stop() then only kills the postmaster and removes


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    try:  # a zombie nobody has reaped yet is gone for our purposes
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _kill(pid: int, grace: float = 10) -> None:
    """End a postmaster that outlived ``pg_ctl stop``: immediate shutdown, then SIGKILL."""
    for sig in (signal.SIGQUIT, signal.SIGKILL):
        if not _alive(pid):
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
