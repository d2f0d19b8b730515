"""Storage for CivicVoice: the ``FeedbackStore`` Protocol, its records and SQLite backend.

This package is the only place in CivicVoice that holds SQL. Typical use::

    store = store_from_url(settings.database_url)  # not yet connected
    async with store:                               # connects and migrates
        citizen = await store.get_or_create_citizen("sms", pseudonymise(key, "sms", sender))
        inbound, new = await store.record_inbound("sms", message_sid, citizen.id, text)

Depend on ``FeedbackStore`` (the Protocol), never on ``SQLiteStore`` directly; every store
passes the contract tests in ``tests/storage/test_contract.py``.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from bot.storage.areas import ServiceArea, check_area_code
from bot.storage.base import (
    DEFAULT_LEASE,
    UPDATABLE_FEEDBACK_FIELDS,
    CountGroup,
    FeedbackStore,
)
from bot.storage.errors import ConflictError, NotFoundError, SchemaError, StorageError
from bot.storage.open311_records import Open311Forward, Open311State, Open311Target
from bot.storage.records import (
    ERASED_TEXT,
    OPEN_STATUSES,
    ApiToken,
    Attachment,
    AttachmentKind,
    AuditEntry,
    Citizen,
    Correction,
    CorrectionField,
    FeedbackItem,
    FeedbackStatus,
    ForgetResult,
    InboundRecord,
    InboundState,
    OutboundRecord,
    OutboundStatus,
    StaffRole,
    StaffUser,
)
from bot.storage.results import (
    DEFAULT_RESOLUTION_TARGET,
    FeedbackStats,
    Satisfaction,
    SatisfactionAnswer,
    SatisfactionCounts,
)
from bot.storage.sqlite import MEMORY, SQLiteStore

__all__ = [
    "DEFAULT_LEASE",
    "DEFAULT_RESOLUTION_TARGET",
    "ERASED_TEXT",
    "MEMORY",
    "OPEN_STATUSES",
    "UPDATABLE_FEEDBACK_FIELDS",
    "ApiToken",
    "Attachment",
    "AttachmentKind",
    "AuditEntry",
    "Citizen",
    "ConflictError",
    "Correction",
    "CorrectionField",
    "CountGroup",
    "FeedbackItem",
    "FeedbackStats",
    "FeedbackStatus",
    "FeedbackStore",
    "ForgetResult",
    "InboundRecord",
    "InboundState",
    "NotFoundError",
    "Open311Forward",
    "Open311State",
    "Open311Target",
    "OutboundRecord",
    "OutboundStatus",
    "SQLiteStore",
    "Satisfaction",
    "SatisfactionAnswer",
    "SatisfactionCounts",
    "SchemaError",
    "ServiceArea",
    "StaffRole",
    "StaffUser",
    "StorageError",
    "check_area_code",
    "sqlite_path_from_url",
    "store_from_url",
]


def sqlite_path_from_url(url: str) -> str:
    """Return the file path in a ``sqlite://`` URL, or ``":memory:"``.

    ``sqlite:///./var/civicvoice.db`` and ``sqlite:///var/x.db`` are relative to the working
    directory, ``sqlite:////srv/x.db`` is absolute, ``sqlite://`` and
    ``sqlite:///:memory:`` are in memory (SQLAlchemy's spelling).
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("sqlite", "sqlite3"):
        raise ValueError(f"unsupported DATABASE_URL scheme {parts.scheme!r}; use sqlite:///")
    if parts.netloc not in ("", "localhost"):
        raise ValueError("a sqlite DATABASE_URL has no host: use sqlite:///relative/path.db")
    path = unquote(parts.path)
    if path in ("", "/", "/:memory:"):
        return MEMORY
    # The single slash after the empty host is a separator, not the root.
    return path[1:]


def store_from_url(url: str) -> FeedbackStore:
    """Build the store a ``DATABASE_URL`` names (not yet open; opening creates the file).

    Only ``sqlite:///`` URLs are supported today.
    """
    return SQLiteStore(sqlite_path_from_url(url))
