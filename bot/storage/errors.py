"""The exceptions a ``FeedbackStore`` raises."""

from __future__ import annotations


class StorageError(Exception):
    """Root of every error raised by ``bot.storage``."""


class NotFoundError(StorageError, LookupError):
    """The row asked for does not exist (the message names the kind and key, never text)."""


class ConflictError(StorageError):
    """A write would break a uniqueness rule, e.g. a second user with the same e-mail."""


class SchemaError(StorageError):
    """The database was written by a newer schema than this code knows."""
