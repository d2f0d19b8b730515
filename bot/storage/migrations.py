"""The SQLite schema as an ordered list of migrations, applied in order on open.

Never edit a released migration: append a new one. Each runs in its own transaction and is
recorded in ``schema_version``, so opening a database twice applies nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Migration:
    """One schema step: ``version`` must be the previous one plus one."""

    version: int
    name: str
    statements: tuple[str, ...]


SCHEMA_VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
)
"""

_INITIAL = (
    """
    CREATE TABLE citizens (
        id                INTEGER PRIMARY KEY,
        channel           TEXT NOT NULL,
        address_hash      TEXT,
        address_encrypted TEXT,
        language          TEXT,
        consent           INTEGER CHECK (consent IN (0, 1)),
        consent_at        TEXT,
        opted_out         INTEGER NOT NULL DEFAULT 0 CHECK (opted_out IN (0, 1)),
        opted_out_at      TEXT,
        created_at        TEXT NOT NULL,
        updated_at        TEXT NOT NULL,
        forgotten_at      TEXT,
        UNIQUE (channel, address_hash)
    )
    """,
    """
    CREATE TABLE inbound_messages (
        id                 INTEGER PRIMARY KEY,
        channel            TEXT NOT NULL,
        channel_message_id TEXT NOT NULL,
        citizen_id         INTEGER REFERENCES citizens (id) ON DELETE SET NULL,
        text               TEXT,
        payload_json       TEXT,
        received_at        TEXT NOT NULL,
        state              TEXT NOT NULL DEFAULT 'received'
                           CHECK (state IN ('received', 'handled', 'failed')),
        handled_at         TEXT,
        feedback_id        INTEGER REFERENCES feedback (id) ON DELETE SET NULL,
        outcome_json       TEXT,
        reply_text         TEXT,
        error              TEXT,
        UNIQUE (channel, channel_message_id)
    )
    """,
    "CREATE INDEX inbound_pending ON inbound_messages (received_at) WHERE state = 'received'",
    "CREATE INDEX inbound_citizen ON inbound_messages (citizen_id)",
    """
    CREATE TABLE feedback (
        id              INTEGER PRIMARY KEY,
        reference       TEXT NOT NULL UNIQUE,
        citizen_id      INTEGER REFERENCES citizens (id) ON DELETE SET NULL,
        inbound_id      INTEGER REFERENCES inbound_messages (id) ON DELETE SET NULL,
        channel         TEXT NOT NULL,
        language        TEXT,
        original_text   TEXT NOT NULL,
        redacted_text   TEXT NOT NULL,
        area            TEXT NOT NULL,
        area_confidence REAL NOT NULL,
        top_areas_json  TEXT NOT NULL DEFAULT '[]',
        kind            TEXT NOT NULL,
        kind_confidence REAL,
        innovation      REAL NOT NULL DEFAULT 0,
        urgent          INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
        needs_review    INTEGER NOT NULL DEFAULT 0 CHECK (needs_review IN (0, 1)),
        model_version   TEXT,
        status          TEXT NOT NULL DEFAULT 'new' CHECK (status IN
                        ('new', 'acknowledged', 'in_progress', 'resolved', 'closed',
                         'duplicate', 'rejected')),
        latitude        REAL,
        longitude       REAL,
        location_text   TEXT,
        duplicate_of    INTEGER REFERENCES feedback (id) ON DELETE SET NULL,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        erased_at       TEXT
    )
    """,
    "CREATE INDEX feedback_area_created ON feedback (area, created_at)",
    "CREATE INDEX feedback_status ON feedback (status)",
    "CREATE INDEX feedback_created ON feedback (created_at)",
    "CREATE INDEX feedback_citizen ON feedback (citizen_id, created_at)",
    """
    CREATE TABLE attachments (
        id          INTEGER PRIMARY KEY,
        feedback_id INTEGER NOT NULL REFERENCES feedback (id) ON DELETE CASCADE,
        kind        TEXT NOT NULL CHECK (kind IN ('photo', 'location', 'media_url')),
        value       TEXT NOT NULL,
        created_at  TEXT NOT NULL
    )
    """,
    "CREATE INDEX attachments_feedback ON attachments (feedback_id)",
    """
    CREATE TABLE outbound_messages (
        id                  INTEGER PRIMARY KEY,
        citizen_id          INTEGER REFERENCES citizens (id) ON DELETE SET NULL,
        channel             TEXT NOT NULL,
        text                TEXT NOT NULL,
        kind                TEXT NOT NULL,
        feedback_id         INTEGER REFERENCES feedback (id) ON DELETE SET NULL,
        status              TEXT NOT NULL DEFAULT 'queued' CHECK (status IN
                            ('queued', 'sending', 'sent', 'delivered', 'failed', 'undelivered')),
        attempts            INTEGER NOT NULL DEFAULT 0,
        next_attempt_at     TEXT NOT NULL,
        provider_message_id TEXT,
        last_error          TEXT,
        created_at          TEXT NOT NULL,
        updated_at          TEXT NOT NULL,
        sent_at             TEXT,
        delivered_at        TEXT
    )
    """,
    """
    CREATE INDEX outbound_due ON outbound_messages (next_attempt_at)
    WHERE status IN ('queued', 'sending')
    """,
    "CREATE INDEX outbound_provider ON outbound_messages (provider_message_id)",
    "CREATE INDEX outbound_citizen ON outbound_messages (citizen_id, created_at)",
    "CREATE INDEX outbound_feedback ON outbound_messages (feedback_id)",
    """
    CREATE TABLE staff_users (
        id            INTEGER PRIMARY KEY,
        email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
        role          TEXT NOT NULL CHECK (role IN ('staff', 'admin')),
        password_hash TEXT,
        active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE staff_user_areas (
        user_id INTEGER NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
        area    TEXT NOT NULL,
        PRIMARY KEY (user_id, area)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX staff_user_areas_area ON staff_user_areas (area)",
    """
    CREATE TABLE api_tokens (
        id         INTEGER PRIMARY KEY,
        user_id    INTEGER NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
        token_hash TEXT NOT NULL UNIQUE,
        label      TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        revoked_at TEXT
    )
    """,
    "CREATE INDEX api_tokens_user ON api_tokens (user_id)",
    """
    CREATE TABLE corrections (
        id             INTEGER PRIMARY KEY,
        feedback_id    INTEGER NOT NULL REFERENCES feedback (id) ON DELETE CASCADE,
        field          TEXT NOT NULL CHECK (field IN ('area', 'kind')),
        value          TEXT NOT NULL,
        previous_value TEXT,
        actor          TEXT NOT NULL,
        created_at     TEXT NOT NULL
    )
    """,
    "CREATE INDEX corrections_created ON corrections (created_at)",
    "CREATE INDEX corrections_feedback ON corrections (feedback_id)",
    """
    CREATE TABLE audit_log (
        id          INTEGER PRIMARY KEY,
        at          TEXT NOT NULL,
        actor       TEXT NOT NULL,
        action      TEXT NOT NULL,
        entity      TEXT NOT NULL,
        entity_id   TEXT NOT NULL,
        before_json TEXT,
        after_json  TEXT
    )
    """,
    "CREATE INDEX audit_entity ON audit_log (entity, entity_id, id)",
    """
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only');
    END
    """,
    """
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only');
    END
    """,
    """
    CREATE TABLE meta (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at TEXT NOT NULL
    ) WITHOUT ROWID
    """,
)

_SATISFACTION = (
    # A citizen's answer to "Is it fixed?" after their report was resolved. No words, only
    # the answer: it outlives a FORGET as an anonymous count, like the item it belongs to.
    # ``inbound_id`` makes recording an answer idempotent when a message is handled again.
    """
    CREATE TABLE satisfaction (
        id          INTEGER PRIMARY KEY,
        feedback_id INTEGER NOT NULL REFERENCES feedback (id) ON DELETE CASCADE,
        answer      TEXT NOT NULL CHECK (answer IN ('yes', 'no')),
        channel     TEXT NOT NULL,
        inbound_id  INTEGER UNIQUE REFERENCES inbound_messages (id) ON DELETE SET NULL,
        answered_at TEXT NOT NULL
    )
    """,
    "CREATE INDEX satisfaction_feedback ON satisfaction (feedback_id, answered_at)",
    "CREATE INDEX satisfaction_answered ON satisfaction (answered_at)",
)

_SERVICE_AREAS = (
    # The taxonomy staff route to. Rows are added at start-up for every area the current
    # model knows; admins add, relabel and retire them. A retired area keeps its row (old
    # reports and audit entries name it) and says where its work went (``moved_to``).
    # The Open311 columns configure forwarding of the area's reports to a city's
    # GeoReport v2 endpoint; the API key is kept encrypted (Fernet, key from SECRET_KEY).
    """
    CREATE TABLE service_areas (
        code                    TEXT PRIMARY KEY,
        label                   TEXT NOT NULL,
        description             TEXT NOT NULL DEFAULT '',
        area_group              TEXT NOT NULL DEFAULT '',
        keywords_json           TEXT NOT NULL DEFAULT '[]',
        active                  INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        moved_to                TEXT REFERENCES service_areas (code),
        requires_confirmation   INTEGER NOT NULL DEFAULT 0
                                CHECK (requires_confirmation IN (0, 1)),
        open311_endpoint        TEXT,
        open311_service_code    TEXT,
        open311_api_key_encrypted TEXT,
        open311_jurisdiction_id TEXT,
        created_at              TEXT NOT NULL,
        updated_at              TEXT NOT NULL,
        retired_at              TEXT
    ) WITHOUT ROWID
    """,
)

_OPEN311_FORWARDS = (
    # One row per report forwarded (or to be forwarded) to a city's Open311 (GeoReport v2)
    # endpoint. ``feedback_id`` is unique, so a report is never queued twice. While a worker
    # holds a row, ``lease_until`` says until when; an expired lease makes it due again.
    # ``uncertain`` is set when an attempt may have reached the city without our seeing
    # the answer (a timeout, a crash), so the next attempt looks for it before posting.
    """
    CREATE TABLE open311_forwards (
        id                    INTEGER PRIMARY KEY,
        feedback_id           INTEGER NOT NULL UNIQUE REFERENCES feedback (id)
                              ON DELETE CASCADE,
        area                  TEXT NOT NULL,
        endpoint              TEXT NOT NULL,
        state                 TEXT NOT NULL DEFAULT 'pending' CHECK (state IN
                              ('pending', 'sending', 'token_pending', 'sent', 'closed',
                               'failed_permanent', 'cancelled')),
        external_id           TEXT,
        external_token        TEXT,
        attempts              INTEGER NOT NULL DEFAULT 0,
        uncertain             INTEGER NOT NULL DEFAULT 0 CHECK (uncertain IN (0, 1)),
        next_attempt_at       TEXT NOT NULL,
        lease_until           TEXT,
        last_error            TEXT,
        external_status       TEXT,
        external_status_notes TEXT,
        last_synced_at        TEXT,
        sent_at               TEXT,
        closed_at             TEXT,
        created_at            TEXT NOT NULL,
        updated_at            TEXT NOT NULL
    )
    """,
    "CREATE INDEX open311_due ON open311_forwards (next_attempt_at) WHERE state IN "
    "('pending', 'sending', 'token_pending')",
    "CREATE INDEX open311_sync ON open311_forwards (last_synced_at) WHERE state = 'sent'",
    "CREATE INDEX open311_state ON open311_forwards (state, updated_at)",
)

_STAFF_ACCESS = (
    # Dashboard sessions, revocable on the server: the signed cookie carries a random session
    # id whose SHA-256 is ``token_hash``; a row counts only while it is unrevoked, unexpired
    # and its user active. Logout revokes one row; a password change or deactivation all of
    # a user's rows.
    """
    CREATE TABLE staff_sessions (
        id             INTEGER PRIMARY KEY,
        user_id        INTEGER NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
        token_hash     TEXT NOT NULL UNIQUE,
        created_at     TEXT NOT NULL,
        last_seen_at   TEXT NOT NULL,
        expires_at     TEXT NOT NULL,
        revoked_at     TEXT,
        revoked_reason TEXT
    )
    """,
    "CREATE INDEX staff_sessions_user ON staff_sessions (user_id) WHERE revoked_at IS NULL",
    "CREATE INDEX staff_sessions_expires ON staff_sessions (expires_at)",
    # Failed sign-ins per client address and per account, for backoff (bot.web.dashboard
    # .throttle holds the policy). ``key_hash`` is a keyed pseudonym of the address or the
    # e-mail, never the value itself. Replaces the ``dashboard:login-failures:*`` meta rows.
    """
    CREATE TABLE signin_failures (
        scope            TEXT NOT NULL CHECK (scope IN ('account', 'address')),
        key_hash         TEXT NOT NULL,
        failures         INTEGER NOT NULL CHECK (failures > 0),
        first_failure_at TEXT NOT NULL,
        last_failure_at  TEXT NOT NULL,
        PRIMARY KEY (scope, key_hash)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX signin_failures_last ON signin_failures (last_failure_at)",
    "DELETE FROM meta WHERE key LIKE 'dashboard:login-failures:%'",
    # One-time codes that link a Telegram staff group to areas, redeemed by one guarded
    # UPDATE (``used_at IS NULL``), and the areas each linked group receives. Codes still
    # unused and group links move here from their ``telegram:code:*``/``telegram:group:*``
    # meta rows (expiry kept to the second).
    """
    CREATE TABLE telegram_link_codes (
        id         INTEGER PRIMARY KEY,
        code_hash  TEXT NOT NULL UNIQUE,
        areas_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at    TEXT,
        used_by    INTEGER
    )
    """,
    """
    CREATE TABLE telegram_group_areas (
        chat_id   INTEGER NOT NULL,
        area      TEXT NOT NULL,
        linked_at TEXT NOT NULL,
        PRIMARY KEY (chat_id, area)
    ) WITHOUT ROWID
    """,
    """
    INSERT INTO telegram_link_codes (code_hash, areas_json, created_at, expires_at)
    SELECT substr(key, 15), json_extract(value, '$.areas'), updated_at,
           strftime('%Y-%m-%dT%H:%M:%S', json_extract(value, '$.expires')) || '.000000Z'
    FROM meta
    WHERE key LIKE 'telegram:code:%' AND json_valid(value)
      AND json_type(value, '$.areas') = 'array'
      AND strftime('%Y-%m-%dT%H:%M:%S', json_extract(value, '$.expires')) IS NOT NULL
    """,
    """
    INSERT OR IGNORE INTO telegram_group_areas (chat_id, area, linked_at)
    SELECT CAST(substr(m.key, 16) AS INTEGER), a.value, m.updated_at
    FROM meta AS m, json_each(m.value, '$.areas') AS a
    WHERE m.key LIKE 'telegram:group:%' AND json_valid(m.value)
      AND json_type(m.value, '$.areas') = 'array' AND a.type = 'text'
    """,
    "DELETE FROM meta WHERE key LIKE 'telegram:code:%' OR key LIKE 'telegram:group:%' "
    "OR key = 'telegram:groups'",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", _INITIAL),
    Migration(2, "satisfaction answers", _SATISFACTION),
    Migration(3, "service areas", _SERVICE_AREAS),
    Migration(4, "open311 forwards", _OPEN311_FORWARDS),
    Migration(5, "staff sessions, sign-in failures, telegram links", _STAFF_ACCESS),
)
"""Every migration, oldest first; ``MIGRATIONS[-1].version`` is the current schema."""

LATEST_VERSION = MIGRATIONS[-1].version
