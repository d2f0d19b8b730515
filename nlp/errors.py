"""The exceptions the triage code raises; callers turn them into one-line messages."""

from __future__ import annotations


class TriageError(Exception):
    """Root of every error raised by ``nlp`` and ``models``."""


class DataError(TriageError):
    """A training or evaluation table cannot be used as given (the message says why)."""


class ModelError(TriageError):
    """A model version is missing, unreadable or holds types we do not trust."""
