"""Retraining as a background job: one at a time, in its own process, with visible progress.

``civicvoice retrain`` (the CLI, or a process the dashboard or a staff Telegram chat starts
through ``RetrainLauncher``) holds an exclusive lock on ``MODEL_DIR/.retrain.lock`` and
writes what it is doing to ``MODEL_DIR/retrain-status.json`` (``StatusFile``): state,
who asked, each progress step, and at the end the decision with both models' figures.
The service only reads that file, so intake never waits for training, and a promotion
reaches it through its model watcher like any other.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import logging
import os
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handlers.tasks import cancel_and_wait
from nlp.errors import ModelError

if TYPE_CHECKING:
    from bot.settings import Settings

logger = logging.getLogger(__name__)

LOCK_FILE = ".retrain.lock"
STATUS_FILE = "retrain-status.json"
MAX_STEPS = 50
START_GRACE_SECONDS = 30.0  # a process just started may not hold the lock yet


@contextlib.contextmanager
def retrain_lock(model_dir: Path) -> Iterator[None]:
    """Hold the retrain lock, or raise ``ModelError`` at once if another retrain has it."""
    model_dir.mkdir(parents=True, exist_ok=True)
    with open(model_dir / LOCK_FILE, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ModelError("a retrain is already running") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def retrain_running(model_dir: Path) -> bool:
    """Whether some process holds the retrain lock now."""
    try:
        with retrain_lock(model_dir):
            return False
    except ModelError:
        return True


@dataclass(slots=True)
class RetrainStatus:
    """The last retrain's state: ``running``, ``promoted``, ``rejected`` or ``failed``."""

    state: str
    actor: str
    started_at: str
    finished_at: str | None = None
    steps: list[str] = field(default_factory=list)
    version: str | None = None
    reason: str | None = None
    candidate_macro_f1: float | None = None
    current_macro_f1: float | None = None
    labels_from_staff: int | None = None

    @property
    def running(self) -> bool:
        return self.state == "running"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _age_seconds(stamp: str) -> float:
    try:
        return (datetime.now(UTC) - datetime.fromisoformat(stamp)).total_seconds()
    except ValueError:
        return float("inf")


class StatusFile:
    """Reads and atomically rewrites ``MODEL_DIR/retrain-status.json``."""

    def __init__(self, model_dir: Path) -> None:
        self.path = Path(model_dir) / STATUS_FILE

    def read(self) -> RetrainStatus | None:
        """The last retrain's status; a ``running`` one whose process died reads as failed."""
        try:
            raw: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
            status = RetrainStatus(**raw)
        except FileNotFoundError:
            return None
        except (ValueError, TypeError) as exc:
            logger.warning("unreadable retrain status file: %s", exc)
            return None
        if status.running and not retrain_running(self.path.parent) and \
                _age_seconds(status.started_at) > START_GRACE_SECONDS:
            status.state, status.reason = "failed", "the retrain process stopped unexpectedly"
        return status

    def write(self, status: RetrainStatus) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(status), indent=1), encoding="utf-8")
        os.replace(tmp, self.path)

    def start(self, actor: str) -> RetrainStatus:
        status = RetrainStatus(state="running", actor=actor, started_at=_now())
        self.write(status)
        return status

    def step(self, status: RetrainStatus, message: str) -> None:
        status.steps = [*status.steps, message][-MAX_STEPS:]
        self.write(status)

    def finish(self, status: RetrainStatus, *, state: str, reason: str,
               version: str | None = None, candidate: float | None = None,
               current: float | None = None, labels_from_staff: int | None = None) -> None:
        status.state, status.reason, status.finished_at = state, reason, _now()
        status.version, status.labels_from_staff = version, labels_from_staff
        status.candidate_macro_f1, status.current_macro_f1 = candidate, current
        self.write(status)


class RetrainLauncher:
    """Starts ``civicvoice retrain`` as a child process of the service (not awaited)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._model_dir = Path(settings.model_dir)
        self._process: asyncio.subprocess.Process | None = None
        self._reaper: asyncio.Task[None] | None = None
        self._starting = asyncio.Lock()

    @property
    def status_file(self) -> StatusFile:
        return StatusFile(self._model_dir)

    def status(self) -> RetrainStatus | None:
        return self.status_file.read()

    def running(self) -> bool:
        mine = self._process is not None and self._process.returncode is None
        return mine or retrain_running(self._model_dir)

    async def start(self, actor: str) -> None:
        """Start a retrain for ``actor``; ``ModelError`` if one is already running."""
        async with self._starting:  # two quick clicks must not both pass the check
            current = self.status_file.read()
            if self.running() or (current is not None and current.running):
                raise ModelError("a retrain is already running")
            # the child must see this service's configuration, however it was built
            env = {**os.environ, "DATABASE_URL": self._settings.database_url,
                   "MODEL_DIR": str(self._model_dir),
                   "SPACY_PIPELINE": self._settings.spacy_pipeline or ""}
            if self._settings.retrain_base_table:
                env["RETRAIN_BASE_TABLE"] = str(self._settings.retrain_base_table)
            # mark it running now, so a page reloaded at once shows it
            mine = self.status_file.start(actor)
            try:
                process = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot.cli", "retrain", "--actor", actor,
                    env=env, stdin=asyncio.subprocess.DEVNULL,
                    stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
            except OSError as exc:
                self.status_file.finish(mine, state="failed", reason=f"could not start: {exc}")
                raise ModelError(f"could not start a retrain: {exc}") from exc
            self._process = process
            self._reaper = asyncio.create_task(self._reap(process, mine),
                                               name="retrain-reaper")
        logger.info("retrain started by %s (pid %s)", actor, process.pid)

    async def _reap(self, process: asyncio.subprocess.Process, mine: RetrainStatus) -> None:
        assert process.stderr is not None
        err = await process.stderr.read()
        code = await process.wait()
        if code != 0:
            last = err.decode(errors="replace").strip().splitlines()[-1:] or ["(no output)"]
            logger.error("retrain process exited with %s: %s", code, last[0][:300])
            current = self.status_file.read()
            # only our own run: a retrain started elsewhere may own the file now
            if current is not None and current.running and \
                    current.started_at >= mine.started_at and current.actor == mine.actor:
                self.status_file.finish(current, state="failed", reason=last[0][:300])

    async def wait(self) -> RetrainStatus | None:
        """Wait until the retrain this launcher started has ended; return its status."""
        if self._reaper is not None:
            await asyncio.shield(self._reaper)
        return self.status()

    async def stop(self) -> None:
        """On shut-down: let a running retrain finish on its own, stop watching it."""
        await cancel_and_wait(self._reaper)
