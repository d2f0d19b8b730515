"""Trained model versions: the skops artifact format and the registry of versions.

Never imports spaCy, telegram, twilio or a web framework.
"""

from __future__ import annotations

from models.artifact import ModelBundle, load_bundle, save_bundle
from models.registry import ModelRegistry, VersionInfo

__all__ = ["ModelBundle", "ModelRegistry", "VersionInfo", "load_bundle", "save_bundle"]
