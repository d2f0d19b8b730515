"""Names of the files in a model version folder (no imports, so anyone may read them)."""

from __future__ import annotations

MODEL_FILE = "model.skops"
METADATA_FILE = "metadata.json"
CARD_FILE = "MODEL_CARD.md"
