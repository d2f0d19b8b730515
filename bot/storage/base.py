"""The ``FeedbackStore`` Protocol: everything the rest of CivicVoice may ask of storage.

Conventions every implementation keeps (the contract tests in ``tests/storage`` check them):

* Timestamps in and out are timezone-aware; a naive ``datetime`` raises ``ValueError``.
  Where a method takes an optional time, None means "now" by the store's clock.
* ``actor`` names who made a change, e.g. ``"system"``, ``"citizen:42"``, ``"staff:7"``.
* Every change to citizens, feedback, attachments, users, tokens and corrections writes an
  ``AuditEntry`` in the same transaction. Audit entries never hold citizens' words or
  addresses, and there is no way to change or delete one.
* Methods that change a row which does not exist raise ``NotFoundError``; getters return
  None instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Literal, Protocol, Self, runtime_checkable

from bot.storage.access_records import SigninFailures, StaffSession, ThrottleKey
from bot.storage.areas import ServiceArea
from bot.storage.open311_records import Open311Forward, Open311State, Open311Target
from bot.storage.records import (
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

CountGroup = Literal["area", "status", "kind"]
StatusFilter = FeedbackStatus | Iterable[FeedbackStatus] | None
TextFilter = str | Iterable[str] | None

DEFAULT_LEASE = timedelta(minutes=5)
"""How long a claimed outbound message stays ``sending`` before another sender may retry it."""

UPDATABLE_FEEDBACK_FIELDS = frozenset(
    {
        "status",
        "area",
        "kind",
        "urgent",
        "needs_review",
        "duplicate_of",
        "language",
        "latitude",
        "longitude",
        "location_text",
    }
)
"""The keys ``update_feedback`` accepts; texts change only through ``append_text``."""


@runtime_checkable
class FeedbackStore(Protocol):
    """Durable storage for citizens, their messages, feedback items, staff and the audit log."""

    # -- lifecycle ---------------------------------------------------------------------

    async def open(self) -> None:
        """Connect and bring the schema up to date; calling it again does nothing."""
        ...

    async def close(self) -> None:
        """Finish pending work and disconnect; calling it again does nothing."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    # -- meta --------------------------------------------------------------------------

    async def get_meta(self, key: str) -> str | None:
        """Return the value stored under ``key`` (e.g. ``digest:last:roads``), or None."""
        ...

    async def set_meta(self, key: str, value: str) -> None:
        """Store ``value`` under ``key``, replacing any previous value."""
        ...

    # -- citizens ----------------------------------------------------------------------

    async def get_or_create_citizen(
        self,
        channel: str,
        address_hash: str,
        address_encrypted: str | None = None,
        language: str | None = None,
    ) -> Citizen:
        """Return the citizen with this pseudonym on ``channel``, creating it if new.

        An existing citizen keeps its language; a missing encrypted address is filled in.
        """
        ...

    async def get_citizen(self, citizen_id: int) -> Citizen | None:
        """Return the citizen with this id, or None."""
        ...

    async def find_citizen(self, channel: str, address_hash: str) -> Citizen | None:
        """Return the citizen with this pseudonym on ``channel`` without creating one."""
        ...

    async def set_citizen_language(
        self, citizen_id: int, language: str, *, actor: str | None = None
    ) -> Citizen:
        """Set the language replies use; ``actor`` defaults to the citizen."""
        ...

    async def set_consent(
        self,
        citizen_id: int,
        consent: bool,
        *,
        at: datetime | None = None,
        actor: str | None = None,
    ) -> Citizen:
        """Record the citizen's answer to the data-use question."""
        ...

    async def set_opt_out(
        self,
        citizen_id: int,
        opted_out: bool,
        *,
        at: datetime | None = None,
        actor: str | None = None,
    ) -> Citizen:
        """Stop (True) or resume (False) messages to the citizen."""
        ...

    async def forget_citizen(self, citizen_id: int, *, actor: str) -> ForgetResult:
        """Erase a citizen: their identity, addresses, message texts and attachments.

        Their feedback items stay as anonymous counts (area, kind, status, dates) with the
        texts replaced by ``ERASED_TEXT`` and the citizen link removed; queued messages to
        them are cancelled. One audit entry records the counts.
        """
        ...

    # -- inbound messages --------------------------------------------------------------

    async def record_inbound(
        self,
        channel: str,
        channel_message_id: str,
        citizen_id: int | None,
        text: str | None,
        payload_json: str | None = None,
        received_at: datetime | None = None,
    ) -> tuple[InboundRecord, bool]:
        """Store a received message; return it and whether it was new.

        A second call with the same ``(channel, channel_message_id)`` changes nothing and
        returns the stored row with ``False``. ``payload_json`` must already be redacted.
        """
        ...

    async def get_inbound(self, inbound_id: int) -> InboundRecord | None:
        """Return the inbound message with this id, or None."""
        ...

    async def mark_inbound_handled(
        self,
        inbound_id: int,
        *,
        feedback_id: int | None = None,
        reply_text: str | None = None,
        outcome: Mapping[str, Any] | None = None,
        at: datetime | None = None,
    ) -> InboundRecord:
        """Record that a message was processed, what it led to and what was replied."""
        ...

    async def mark_inbound_failed(
        self, inbound_id: int, error: str, *, at: datetime | None = None
    ) -> InboundRecord:
        """Record that processing gave up; ``error`` must not quote the citizen's text."""
        ...

    async def list_unhandled_inbound(
        self, *, limit: int = 100, received_before: datetime | None = None
    ) -> list[InboundRecord]:
        """Return messages still ``received`` (oldest first), for recovery after a crash."""
        ...

    # -- feedback ----------------------------------------------------------------------

    async def create_feedback(
        self,
        *,
        channel: str,
        original_text: str,
        redacted_text: str,
        area: str,
        area_confidence: float,
        kind: str,
        innovation: float = 0.0,
        urgent: bool = False,
        needs_review: bool = False,
        model_version: str | None = None,
        citizen_id: int | None = None,
        inbound_id: int | None = None,
        language: str | None = None,
        top_areas: Iterable[tuple[str, float]] = (),
        kind_confidence: float | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
        location_text: str | None = None,
        status: FeedbackStatus = FeedbackStatus.NEW,
        duplicate_of: int | None = None,
        created_at: datetime | None = None,
        actor: str = "system",
    ) -> FeedbackItem:
        """File a feedback item under a new unique reference such as ``CV-7K3P2``."""
        ...

    async def get_feedback(self, reference: str) -> FeedbackItem | None:
        """Return the item with this canonical reference, or None."""
        ...

    async def get_feedback_by_id(self, feedback_id: int) -> FeedbackItem | None:
        """Return the item with this id, or None."""
        ...

    async def list_feedback(
        self,
        *,
        areas: Iterable[str] | None = None,
        status: StatusFilter = None,
        kind: TextFilter = None,
        urgent: bool | None = None,
        needs_review: bool | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        search: str | None = None,
        citizen_id: int | None = None,
        limit: int = 50,
        offset: int = 0,
        newest_first: bool = True,
    ) -> list[FeedbackItem]:
        """Return items matching every filter given.

        ``areas=None`` means any area and ``areas=[]`` none at all (a staff user without
        areas sees nothing). ``since`` is inclusive and ``until`` exclusive, on
        ``created_at``. ``search`` matches the redacted text or the reference,
        case-insensitively.
        """
        ...

    async def count_feedback(
        self,
        *,
        areas: Iterable[str] | None = None,
        status: StatusFilter = None,
        kind: TextFilter = None,
        urgent: bool | None = None,
        needs_review: bool | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        search: str | None = None,
        citizen_id: int | None = None,
    ) -> int:
        """Return how many items ``list_feedback`` would find with no limit."""
        ...

    async def count_feedback_by(
        self,
        group: CountGroup,
        *,
        areas: Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> dict[str, int]:
        """Return item counts per area, status or kind (only non-zero groups)."""
        ...

    async def update_feedback(
        self,
        reference: str,
        actor: str,
        changes: Mapping[str, Any],
        *,
        note: str | None = None,
    ) -> FeedbackItem:
        """Apply ``changes`` (keys from ``UPDATABLE_FEEDBACK_FIELDS``) and audit them.

        The audit entry holds the changed fields before and after (and ``note``, a staff
        remark, if given). ``duplicate_of`` takes an item id, a reference or None. Unknown
        keys or bad values raise ``ValueError`` and change nothing.
        """
        ...

    async def append_text(
        self, reference: str, original_text: str, redacted_text: str, *, actor: str
    ) -> FeedbackItem:
        """Add a citizen's follow-up text to an item (both the original and redacted form)."""
        ...

    async def add_attachment(
        self,
        feedback_id: int,
        kind: AttachmentKind,
        value: str,
        *,
        actor: str,
        created_at: datetime | None = None,
    ) -> Attachment:
        """Attach a photo id, a location (``"lat,lon"``) or a media URL to an item."""
        ...

    async def list_attachments(self, feedback_id: int) -> list[Attachment]:
        """Return an item's attachments, oldest first."""
        ...

    async def latest_feedback_for_citizen(self, citizen_id: int) -> FeedbackItem | None:
        """Return the citizen's most recent item, or None."""
        ...

    # -- outbound messages -------------------------------------------------------------

    async def enqueue_outbound(
        self,
        citizen_id: int | None,
        channel: str,
        text: str,
        *,
        feedback_id: int | None = None,
        kind: str = "reply",
        not_before: datetime | None = None,
    ) -> int:
        """Queue a message to a citizen and return its id; it is due at ``not_before``."""
        ...

    async def get_outbound(self, outbound_id: int) -> OutboundRecord | None:
        """Return the outbound message with this id, or None."""
        ...

    async def claim_due_outbound(
        self,
        limit: int = 50,
        now: datetime | None = None,
        *,
        lease: timedelta = DEFAULT_LEASE,
    ) -> list[OutboundRecord]:
        """Atomically take up to ``limit`` due messages and mark them ``sending``.

        Two claims never return the same message. A message left ``sending`` longer than
        ``lease`` (its sender died) becomes due again.
        """
        ...

    async def mark_outbound_sent(
        self, outbound_id: int, provider_message_id: str | None, *, at: datetime | None = None
    ) -> None:
        """Record that the provider accepted the message, with the provider's id."""
        ...

    async def mark_outbound_failed(
        self, outbound_id: int, error: str, retry_at: datetime | None
    ) -> None:
        """Record a failed attempt; queue it again at ``retry_at``, or give up if None."""
        ...

    async def update_delivery_status(
        self,
        provider_message_id: str,
        status: OutboundStatus,
        *,
        error: str | None = None,
        at: datetime | None = None,
    ) -> bool:
        """Apply a provider's status callback; return False if no message has that id.

        Late callbacks never move a message backwards (``sent`` after ``delivered`` is
        ignored).
        """
        ...

    async def count_outbound_since(self, citizen_id: int, since: datetime) -> int:
        """Return how many messages to the citizen were queued since ``since`` (not failed)."""
        ...

    async def list_outbound(
        self, *, citizen_id: int | None = None, feedback_id: int | None = None, limit: int = 100
    ) -> list[OutboundRecord]:
        """Return messages to a citizen or about an item, oldest first."""
        ...

    # -- staff users and API tokens ----------------------------------------------------

    async def create_user(
        self,
        email: str,
        role: StaffRole,
        areas: Iterable[str] = (),
        password_hash: str | None = None,
        *,
        actor: str = "system",
    ) -> StaffUser:
        """Create a dashboard account; a second account with the same e-mail (any case)
        raises ``ConflictError``."""
        ...

    async def get_user(self, user_id: int) -> StaffUser | None:
        """Return the user with this id, or None."""
        ...

    async def get_user_by_email(self, email: str) -> StaffUser | None:
        """Return the user with this e-mail (case-insensitive), or None."""
        ...

    async def list_users(
        self, *, area: str | None = None, include_inactive: bool = False
    ) -> list[StaffUser]:
        """Return users, those covering ``area`` if given (admins cover every area)."""
        ...

    async def update_user(
        self,
        user_id: int,
        *,
        actor: str,
        role: StaffRole | None = None,
        areas: Iterable[str] | None = None,
        active: bool | None = None,
    ) -> StaffUser:
        """Change a user's role, areas or active flag (None leaves a field as it is).

        Deactivation ends the user's sessions and revokes their API tokens in the same
        transaction (the audit entry lists them). A change that would leave no active admin
        (deactivating or demoting the last one) raises ``ConflictError``.
        """
        ...

    async def set_user_password(self, user_id: int, password_hash: str, *, actor: str) -> int:
        """Replace a user's password hash and end every session of theirs; return how many.

        The audit entry does not hold the hash.
        """
        ...

    async def create_api_token(
        self, user_id: int, token_hash: str, label: str = "", *, actor: str = "system"
    ) -> ApiToken:
        """Store a token's hash for ``user_id``; the token itself is never stored."""
        ...

    async def get_user_by_token_hash(self, token_hash: str) -> StaffUser | None:
        """Return the active user owning this unrevoked token hash, or None."""
        ...

    async def list_api_tokens(self, user_id: int | None = None) -> list[ApiToken]:
        """Return a user's tokens (everyone's with None), revoked ones included, by id."""
        ...

    async def get_api_token(self, token_id: int) -> ApiToken | None:
        """Return the token with this id (revoked or not), or None."""
        ...

    async def revoke_token(self, token_id: int, *, actor: str = "system") -> bool:
        """Revoke a token; return False if it does not exist or was already revoked."""
        ...

    # -- dashboard sessions ------------------------------------------------------------

    async def create_staff_session(
        self, user_id: int, token_hash: str, expires_at: datetime, *, actor: str
    ) -> StaffSession:
        """Store a new session, known by the hash of its cookie id; audited as a sign-in."""
        ...

    async def get_staff_session(self, token_hash: str) -> StaffSession | None:
        """Return the session with this hash only if it is unrevoked, unexpired and its
        user active (checked in one statement); note when it was last seen."""
        ...

    async def list_staff_sessions(self, user_id: int | None = None) -> list[StaffSession]:
        """Return the live sessions, of one user or of everyone, oldest first."""
        ...

    async def revoke_staff_session(self, session_id: int, *, actor: str, reason: str) -> bool:
        """End one session (a sign-out), audited; False if it was not live."""
        ...

    async def revoke_staff_sessions(
        self, user_id: int, *, actor: str, reason: str, keep: int | None = None
    ) -> int:
        """End every live session of ``user_id`` but ``keep``; return how many ended."""
        ...

    # -- failed sign-ins (the backoff policy is the caller's) --------------------------

    async def signin_failures(
        self, keys: Iterable[ThrottleKey], *, since: datetime
    ) -> list[SigninFailures]:
        """Return the counts of ``keys`` whose last failure is at or after ``since``."""
        ...

    async def add_signin_failure(
        self, keys: Iterable[ThrottleKey], *, forget_before: datetime,
        at: datetime | None = None,
    ) -> list[SigninFailures]:
        """Count one failure (at ``at``) against each key and return the new counts; a
        count whose last failure is before ``forget_before`` starts again at 1."""
        ...

    async def clear_signin_failures(self, key: ThrottleKey) -> None:
        """Forget the failures counted against ``key``."""
        ...

    # -- Telegram staff groups -----------------------------------------------------------

    async def create_link_code(
        self, code_hash: str, areas: Iterable[str], expires_at: datetime, *, actor: str
    ) -> None:
        """Store a one-time group link code, known by its hash, for ``areas``; audited."""
        ...

    async def redeem_link_code(
        self, code_hash: str, chat_id: int, *, actor: str
    ) -> list[str] | None:
        """Use a code once, atomically: link ``chat_id`` to its areas and return all the
        group's areas; None if the code is unknown, expired or used (by anyone, ever)."""
        ...

    async def telegram_group_areas(self, chat_id: int) -> list[str]:
        """Return the areas a linked group receives (empty if it is not linked)."""
        ...

    async def list_telegram_groups(self) -> dict[int, list[str]]:
        """Return every linked group chat id with its areas."""
        ...

    # -- corrections (staff labels for training) --------------------------------------

    async def add_correction(
        self,
        feedback_id: int,
        field: CorrectionField,
        value: str,
        previous_value: str | None,
        actor: str,
        created_at: datetime | None = None,
    ) -> Correction:
        """Record a label staff gave an item, whether it changed the value or confirmed it."""
        ...

    async def list_corrections(
        self, since: datetime | None = None, *, include_erased: bool = False
    ) -> list[Correction]:
        """Return labels (oldest first) with each item's redacted text, for training.

        Items erased by ``forget_citizen`` are left out unless ``include_erased``.
        """
        ...

    # -- audit log ---------------------------------------------------------------------

    async def add_audit(
        self,
        actor: str,
        action: str,
        entity: str,
        entity_id: str | int,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Append an entry to the audit log (it can never be changed or deleted)."""
        ...

    async def list_audit(
        self, entity: str | None = None, entity_id: str | int | None = None, *, limit: int = 1000
    ) -> list[AuditEntry]:
        """Return audit entries, oldest first, for one entity, one kind, or all."""
        ...

    # -- results: satisfaction and aggregates -----------------------------------------

    async def record_satisfaction(
        self,
        feedback_id: int,
        answer: SatisfactionAnswer,
        channel: str,
        *,
        actor: str,
        inbound_id: int | None = None,
        at: datetime | None = None,
    ) -> Satisfaction:
        """Record a citizen's answer to "Is it fixed?" about an item, with an audit entry.

        With ``inbound_id`` (the message that answered), recording the same message again
        changes nothing and returns the answer stored the first time.
        """
        ...

    async def list_satisfaction(self, feedback_id: int) -> list[Satisfaction]:
        """Return the answers given about one item, oldest first."""
        ...

    async def satisfaction_counts(
        self,
        *,
        areas: Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> dict[str, SatisfactionCounts]:
        """Return yes/no answers per area (the item's current area), only areas with some.

        ``since`` (inclusive) and ``until`` (exclusive) apply to when the answer was given.
        """
        ...

    async def feedback_stats(
        self,
        *,
        areas: Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        target: timedelta = DEFAULT_RESOLUTION_TARGET,
    ) -> list[FeedbackStats]:
        """Return figures per area and ISO week of filing, sorted by area then week.

        ``since``/``until`` select items by ``created_at`` as ``list_feedback`` does. First
        response is the first status change or reply by staff (``staff:`` actors); time to
        resolution runs to the last change into ``resolved`` or ``closed`` of items that are
        resolved or closed now; ``target`` is the resolution target.
        """
        ...

    # -- service areas -----------------------------------------------------------------

    async def list_areas(self, include_retired: bool = False) -> list[ServiceArea]:
        """Return the areas (active ones only unless ``include_retired``), by code."""
        ...

    async def get_area(self, code: str) -> ServiceArea | None:
        """Return the area with this code (active or retired), or None."""
        ...

    async def ensure_areas(self, labels: Mapping[str, str], *, actor: str = "system"
                           ) -> list[str]:
        """Add each ``code -> label`` not yet known; return the codes added."""
        ...

    async def add_area(self, code: str, label: str, *, actor: str, description: str = "",
                       group: str = "", keywords: Iterable[str] = ()) -> ServiceArea:
        """Add a new area; an existing code (even retired) raises ``ConflictError``."""
        ...

    async def update_area(self, code: str, *, actor: str, **changes: Any) -> ServiceArea:
        """Change an area's label, description, group, keywords or Open311 settings."""
        ...

    async def retire_area(self, code: str, move_to: str, *, actor: str) -> int:
        """Retire ``code``, moving its reports and staff to ``move_to``; return reports moved."""
        ...

    # -- Open311 forwards (bot.open311) ------------------------------------------------

    async def queue_open311_forwards(
        self, targets: Iterable[Open311Target], *, created_before: datetime | None = None
    ) -> int:
        """Queue every eligible report of the targets' areas; return how many were new.

        Eligible: in the area, open (new, acknowledged, in_progress), not erased, filed
        before ``created_before``, never queued before; where the target requires
        confirmation, also confirmed or set by a non-citizen (an ``area`` correction for
        its current area) or moved past ``new``.
        """
        ...

    async def claim_due_open311(
        self, limit: int = 20, now: datetime | None = None, *, lease: timedelta = DEFAULT_LEASE
    ) -> list[Open311Forward]:
        """Atomically take up to ``limit`` due forwards, each leased for ``lease``.

        Two claims never return the same row while its lease runs; a row left ``sending``
        past its lease is taken again with ``uncertain`` set.
        """
        ...

    async def mark_open311_sent(
        self,
        forward_id: int,
        *,
        external_id: str | None = None,
        external_token: str | None = None,
        token_check_at: datetime | None = None,
        endpoint: str | None = None,
    ) -> Open311Forward:
        """Record the city's id (``sent``) or token (``token_pending``, due at
        ``token_check_at``) for a forward, and the ``endpoint`` it went to if given."""
        ...

    async def mark_open311_failed(
        self, forward_id: int, error: str, retry_at: datetime | None, *, uncertain: bool = False
    ) -> Open311Forward:
        """Record a failed attempt: due again at ``retry_at``, or ``failed_permanent``."""
        ...

    async def cancel_open311_forward(self, forward_id: int, reason: str) -> Open311Forward:
        """Stop forwarding a report that left the area, closed or was erased before it went."""
        ...

    async def retry_open311_forward(self, feedback_id: int, *, actor: str) -> Open311Forward:
        """Make a failed or cancelled forward due now (``ValueError`` if it is not)."""
        ...

    async def get_open311_forward(self, feedback_id: int) -> Open311Forward | None:
        """Return the forward of this report, or None if it was never queued."""
        ...

    async def list_open311_forwards(
        self,
        *,
        failed_only: bool = False,
        states: Iterable[Open311State] | None = None,
        area: str | None = None,
        limit: int = 100,
    ) -> list[Open311Forward]:
        """Return forwards, most recently changed first; ``failed_only`` keeps refused,
        given-up and still-retrying-after-an-error ones."""
        ...

    async def list_open311_to_sync(
        self, *, synced_before: datetime, limit: int = 200
    ) -> list[Open311Forward]:
        """Return ``sent`` forwards not synced since ``synced_before``, least recent first."""
        ...

    async def record_open311_status(
        self,
        forward_id: int,
        status: str | None,
        notes: str | None = None,
        *,
        at: datetime | None = None,
    ) -> bool:
        """Store the city's status and notes; return True only for the call that closed it.

        ``status`` None (the city did not list it) only moves the sync time.
        """
        ...
