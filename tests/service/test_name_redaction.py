"""With an operator's spaCy pipeline that finds names (SPACY_PIPELINE), reports are stored
with names redacted, as well as phone numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.settings import Settings


@pytest.fixture
def settings(service_settings: Settings, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> Settings:
    trained = spacy.blank("en")
    ruler = trained.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([{"label": "PERSON", "pattern": "Asha Rao"}])  # type: ignore[attr-defined]
    trained.to_disk(tmp_path / "pipeline")
    monkeypatch.setenv("SPACY_PIPELINE", str(tmp_path / "pipeline"))
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_names_are_redacted_in_reports_and_follow_ups(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        filed = client.post("/api/v1/messages", json={
            "sender": "asha", "text": "Asha Rao here: the streetlight on Elm Street is out, "
            "call 07700 900123"}).json()
        client.post("/api/v1/messages", json={
            "sender": "asha", "text": "it's outside number 12, ask for Asha Rao"})
        store = client.app.state.services.store  # type: ignore[attr-defined]
        item = client.portal.call(store.get_feedback, filed["reference"])  # type: ignore[union-attr]
    assert item is not None
    assert "Asha" not in item.redacted_text and "07700" not in item.redacted_text
    assert item.redacted_text.startswith("[PERSON] here: the streetlight")
    assert "[PHONE]" in item.redacted_text and "number 12, ask for [PERSON]" in item.redacted_text
    assert "Asha Rao" in item.original_text  # the original stays for the citizen's own record
