"""The registry of model versions under ``MODEL_DIR``, with promotion and rollback.

Layout::

    MODEL_DIR/registry.json          which version is current, the promotion history,
                                     each version's status and reason
    MODEL_DIR/versions/<version>/    model.skops, metadata.json, MODEL_CARD.md

The bundled default model (``models/default``) is always a version too; it is current
until another one is promoted. Writes take an exclusive file lock and replace
``registry.json`` atomically, so the CLI and a running service can share a folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from models.files import METADATA_FILE
from nlp.errors import ModelError

if TYPE_CHECKING:
    from models.artifact import ModelBundle

BUNDLED_DIR = Path(__file__).resolve().parent / "default"
_REGISTRY_FILE = "registry.json"


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """One version as ``civicvoice models list --json`` shows it."""

    version: str
    created_at: str
    current: bool
    status: str
    reason: str
    labels_from_staff: int
    metrics: dict[str, Any]
    path: str
    bundled: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "created_at": self.created_at,
            "current": self.current,
            "status": self.status,
            "reason": self.reason,
            "labels_from_staff": self.labels_from_staff,
            "metrics": self.metrics,
            "path": self.path,
            "bundled": self.bundled,
            **self.extra,
        }


def new_version_name(now: datetime | None = None) -> str:
    """Return a sortable, unique version name such as ``20261129-034512-a3f9``."""
    now = now or datetime.now(UTC)
    return now.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


class ModelRegistry:
    """Save, list, promote and roll back model versions in ``model_dir``."""

    def __init__(self, model_dir: str | Path, bundled_dir: Path = BUNDLED_DIR) -> None:
        self.model_dir = Path(model_dir)
        self.bundled_dir = bundled_dir

    # -- reading ---------------------------------------------------------------------

    def _state(self) -> dict[str, Any]:
        path = self.model_dir / _REGISTRY_FILE
        try:
            state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            state = {}
        except (OSError, ValueError) as exc:
            raise ModelError(f"{path}: unreadable registry ({exc})") from None
        state.setdefault("current", None)
        state.setdefault("history", [])
        state.setdefault("versions", {})
        return state

    def bundled_version(self) -> str | None:
        meta = self.bundled_dir / METADATA_FILE
        if not meta.is_file():
            return None
        return str(json.loads(meta.read_text(encoding="utf-8"))["version"])

    def current_version(self) -> str:
        """The version the service and ``classify`` use."""
        current = self._state()["current"] or self.bundled_version()
        if current is None:
            raise ModelError("no model: the bundled default is missing and none is promoted")
        return str(current)

    def path_of(self, version: str) -> Path:
        if version == self.bundled_version():
            return self.bundled_dir
        path = self.model_dir / "versions" / version
        if not (path / METADATA_FILE).is_file():
            raise ModelError(f"no model version {version!r} in {self.model_dir}")
        return path

    def resolve(self, dir_or_version: str | None) -> Path:
        """A version name, a version folder, or None (the current version) -> folder."""
        if not dir_or_version:
            return self.path_of(self.current_version())
        as_path = Path(dir_or_version)
        if (as_path / METADATA_FILE).is_file():
            return as_path
        return self.path_of(dir_or_version)

    def load(self, dir_or_version: str | None = None) -> ModelBundle:
        """The scikit-learn bundle of a version (imports skops; for training, not serving)."""
        from models.artifact import load_bundle

        return load_bundle(self.resolve(dir_or_version))

    def stamp(self) -> str:
        """Changes whenever the current version changes (for cheap hot-reload checks)."""
        return self.current_version()

    def list(self) -> list[VersionInfo]:
        """Every version, oldest first."""
        state = self._state()
        current = state["current"] or self.bundled_version()
        folders: list[tuple[Path, bool]] = []
        if self.bundled_version():
            folders.append((self.bundled_dir, True))
        versions_dir = self.model_dir / "versions"
        if versions_dir.is_dir():
            folders.extend((p, False) for p in versions_dir.iterdir() if p.is_dir())
        infos = []
        for folder, bundled in folders:
            meta_path = folder / METADATA_FILE
            if not meta_path.is_file():
                continue
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            version = str(meta.get("version", folder.name))
            entry = state["versions"].get(version, {})
            is_current = version == current
            status = "current" if is_current else entry.get(
                "status", "bundled" if bundled else "candidate")
            if status == "current" and not is_current:
                status = "previous"
            area = meta.get("metrics", {}).get("area", {})
            infos.append(VersionInfo(
                version=version,
                created_at=str(meta.get("created_at", "")),
                current=is_current,
                status=status,
                reason=str(entry.get("reason", meta.get("reason", ""))),
                labels_from_staff=int(meta.get("labels_from_staff", 0)),
                metrics={"macro_f1": area.get("macro_f1"), "accuracy": area.get("accuracy"),
                         **{k: v for k, v in area.items() if k in ("weighted_f1", "n")}},
                path=str(folder),
                bundled=bundled,
                extra={"labels": meta.get("labels", []), "lang": meta.get("lang")},
            ))
        infos.sort(key=lambda i: (i.created_at, i.version))
        return infos

    # -- writing ---------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, Any]]:
        self.model_dir.mkdir(parents=True, exist_ok=True)
        with open(self.model_dir / ".lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                state = self._state()
                yield state
                self._write_state(state)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _write_state(self, state: dict[str, Any]) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.model_dir, prefix=".registry.")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(state, handle, indent=2, sort_keys=True)
        os.replace(tmp, self.model_dir / _REGISTRY_FILE)

    def register(self, bundle: ModelBundle, card: str = "", status: str = "candidate",
                 reason: str = "") -> Path:
        """Save ``bundle`` as a new version (its metadata must name the version)."""
        from models.artifact import save_bundle

        version = bundle.version
        folder = self.model_dir / "versions" / version
        save_bundle(bundle, folder, card)
        with self._locked() as state:
            state["versions"][version] = {"status": status, "reason": reason}
        if status == "current":
            self.promote(version, reason)
        return folder

    def set_status(self, version: str, status: str, reason: str) -> None:
        self.path_of(version)
        with self._locked() as state:
            state["versions"][version] = {"status": status, "reason": reason}

    def promote(self, version: str, reason: str = "promoted by an admin") -> None:
        """Make ``version`` current; the one it replaces becomes ``previous``."""
        from models.artifact import load_bundle

        load_bundle(self.path_of(version))  # exists, and loads with trusted types only
        with self._locked() as state:
            old = state["current"] or self.bundled_version()
            if old == version:
                return
            if old:
                state["versions"][old] = {"status": "previous",
                                          "reason": f"replaced by {version}"}
                if not state["history"] or state["history"][-1] != old:
                    state["history"].append(old)
            state["versions"][version] = {"status": "current", "reason": reason}
            state["current"] = version

    def rollback(self) -> str:
        """Go back to the version that was current before this one; return its name."""
        with self._locked() as state:
            if not state["history"]:
                raise ModelError("nothing to roll back to: no earlier current version")
            old = state["current"] or self.bundled_version()
            target = state["history"].pop()
            if old:
                state["versions"][old] = {"status": "rolled_back",
                                          "reason": f"rolled back to {target}"}
            state["versions"][target] = {"status": "current",
                                         "reason": f"restored by rollback from {old}"}
            state["current"] = target
        return str(target)
