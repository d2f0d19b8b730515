"""A model version on disk: ``model.skops`` + ``metadata.json`` + ``MODEL_CARD.md``.

Saving also writes the compiled view ``inference.npz`` + ``inference.json`` (see
``models.compiled``), which the service reads for fast start-up.

``model.skops`` holds a dict of scikit-learn pipelines (the heads) and nothing else;
loading refuses any type outside ``TRUSTED_PREFIXES`` (skops never unpickles, see
CVE-2024-37065 for why pickled models are unsafe).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import skops.io as sio

from models.compiled import compile_heads, save_compiled
from models.files import CARD_FILE, METADATA_FILE, MODEL_FILE
from nlp.errors import ModelError

HEADS = ("area", "kind", "innovation", "urgent")

# Modules whose types a model may hold. Anything else (a function of ours, builtins.eval,
# an arbitrary class) makes loading fail.
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.sparse.", "builtins.")
_FORBIDDEN = {"builtins.eval", "builtins.exec", "builtins.getattr", "builtins.__import__",
              "builtins.open", "builtins.compile", "builtins.setattr"}


@dataclass(slots=True)
class ModelBundle:
    """The four heads and what is known about them (see ``metadata.json``)."""

    heads: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return str(self.metadata.get("version", "unversioned"))

    @property
    def lang(self) -> str:
        return str(self.metadata.get("lang", "en"))

    @property
    def area_labels(self) -> list[str]:
        return [str(c) for c in self.heads["area"].classes_]

    def threshold(self, name: str, default: float) -> float:
        return float(self.metadata.get("thresholds", {}).get(name, default))


def _check_types(path: Path) -> list[str]:
    untrusted = sio.get_untrusted_types(file=path)
    bad = [t for t in untrusted if t in _FORBIDDEN or not t.startswith(TRUSTED_PREFIXES)]
    if bad:
        raise ModelError(f"{path}: refusing untrusted types {', '.join(sorted(bad)[:5])}")
    return untrusted


def load_bundle(folder: str | Path) -> ModelBundle:
    """Load and verify a version folder. Raises ``ModelError`` with a one-line reason."""
    folder = Path(folder)
    model_path = folder / MODEL_FILE
    meta_path = folder / METADATA_FILE
    if not model_path.is_file() or not meta_path.is_file():
        raise ModelError(f"{folder}: not a model version (needs {MODEL_FILE} and {METADATA_FILE})")
    try:
        metadata = json.loads(meta_path.read_text(encoding="utf-8"))
        trusted = _check_types(model_path)
        heads = sio.load(model_path, trusted=trusted)
    except ModelError:
        raise
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ModelError(f"{folder}: unreadable model ({exc})") from None
    if not isinstance(heads, dict) or "area" not in heads:
        raise ModelError(f"{folder}: {MODEL_FILE} does not hold the model heads")
    missing = [h for h in HEADS if h not in heads]
    if missing:
        raise ModelError(f"{folder}: missing heads {', '.join(missing)}")
    return ModelBundle(heads=heads, metadata=metadata)


def save_bundle(bundle: ModelBundle, folder: str | Path, card: str = "") -> Path:
    """Write ``bundle`` into ``folder`` (created; must not hold a model already)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / MODEL_FILE).exists():
        raise ModelError(f"{folder}: already holds a model; choose a new folder")
    payload = sio.dumps(bundle.heads, compression=8)
    _atomic_write_bytes(folder / MODEL_FILE, payload)
    save_compiled(compile_heads(bundle.heads), folder, hashlib.sha256(payload).hexdigest())
    _atomic_write_bytes(
        folder / METADATA_FILE,
        (json.dumps(bundle.metadata, indent=2, sort_keys=True) + "\n").encode(),
    )
    if card:
        _atomic_write_bytes(folder / CARD_FILE, card.encode())
    return folder


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a model is not secret
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
