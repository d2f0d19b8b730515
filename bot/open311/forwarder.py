"""Queue reports for their area's Open311 endpoint and post them, once each.

A pass (``run_once``) first queues every newly eligible report (``queue_open311_forwards``:
open, in an area with an endpoint and service code, confirmed by staff where the area asks
for it, and older than ``Open311Config.delay`` so the citizen's follow-ups go with it), then
claims due forwards under a lease and works on each:

* ``pending``: post ``requests.json`` with the report's *redacted* text (never the
  original, never contact details) ending in our reference, its coordinates and/or
  ``location_text`` as ``address_string``, the area's service code, API key and
  jurisdiction. The city's id is stored (``sent``), or its token (``token_pending``).
* ``token_pending``: ask ``tokens/{token}.json`` for the id, again later until it comes.

Before posting, the report is checked again: one that was erased, re-routed elsewhere or
closed meanwhile, or whose area stopped forwarding, is ``cancelled``, not sent.

Failures: connection errors, timeouts, 5xx and 429 are retried with backoff (429 after its
``Retry-After``); other 4xx answers are the city refusing the report, so it becomes
``failed_permanent`` with the city's error text, as does a forward still failing after
``max_attempts``. ``civicvoice open311 retry REF`` makes it due again.

Sent once: a forward is only marked ``sent`` when the city's answer has been read. If a
post may have reached the city without our seeing the answer (a timeout after sending, a
gateway timeout, a worker dying mid-request: ``uncertain``), the next attempt first looks
for our reference among the area's requests filed since the report was queued, and only
posts again if it is not there. A city that cannot be searched may then get it twice;
the reference at the end of every description lets its staff spot that.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.open311.client import GeoReportClient, NewRequest, Open311Error
from bot.open311.config import Open311Config
from bot.security import AddressCipher
from bot.storage import (
    FeedbackItem,
    FeedbackStore,
    Open311Forward,
    Open311State,
    Open311Target,
    ServiceArea,
)
from nlp.redact import redact

logger = logging.getLogger(__name__)

MAX_DESCRIPTION = 4000
TOKEN_CHECK = timedelta(seconds=30)
TOKEN_CHECK_MAX = timedelta(hours=1)
SEARCH_SLACK = timedelta(minutes=5)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def description(item: FeedbackItem) -> str:
    """Return what the city reads: the redacted text, then our reference."""
    tail = f"\n\n(CivicVoice reference {item.reference})"
    return item.redacted_text.strip()[: MAX_DESCRIPTION - len(tail)] + tail


def new_request(item: FeedbackItem, area: ServiceArea) -> NewRequest:
    """Build the POST for ``item`` under ``area``'s service code and jurisdiction."""
    return NewRequest(
        service_code=area.open311_service_code or "",
        description=description(item),
        lat=item.latitude,
        long=item.longitude,
        # a place, but redacted again in case the citizen put a phone number in it
        address_string=redact((item.location_text or "").strip()) or None,
        jurisdiction_id=area.open311_jurisdiction_id or None,
    )


class Forwarder:
    """Queues and posts reports; ``run_once`` is one pass (the worker calls it on a timer)."""

    def __init__(self, store: FeedbackStore, client: GeoReportClient, secret_key: str,
                 config: Open311Config | None = None, now: Callable[[], datetime] = _utcnow,
                 rng: random.Random | None = None) -> None:
        self._store = store
        self._client = client
        self._cipher = AddressCipher(secret_key)
        self._config = config or Open311Config()
        self._now = now
        self._rng = rng

    async def queue(self) -> int:
        """Queue every newly eligible report; return how many."""
        targets = [Open311Target(a.code, a.open311_endpoint or "", a.requires_confirmation)
                   for a in await self._store.list_areas() if a.forwards_to_open311]
        if not targets:
            return 0
        added = await self._store.queue_open311_forwards(
            targets, created_before=self._now() - self._config.delay)
        if added:
            logger.info("queued %d report(s) for Open311", added)
        return added

    async def run_once(self, limit: int = 20) -> int:
        """Queue, then work on every forward due now (at most ``limit``); return how many."""
        await self.queue()
        due = await self._store.claim_due_open311(limit, self._now(), lease=self._config.lease)
        if due:
            await asyncio.gather(*(self._work(forward) for forward in due))
        return len(due)

    async def _work(self, forward: Open311Forward) -> None:
        try:
            if forward.state is Open311State.TOKEN_PENDING:
                await self._resolve_token(forward)
            else:
                await self._post(forward)
        except Open311Error as exc:
            await self._failed(forward, exc)
        except Exception as exc:  # a bug must not lose the forward: retry it later
            logger.error("open311 forward %s failed", forward.reference, exc_info=exc)
            await self._failed(forward, Open311Error(f"internal error: {type(exc).__name__}",
                                                     uncertain=forward.uncertain))

    async def _post(self, forward: Open311Forward) -> None:
        item = await self._store.get_feedback_by_id(forward.feedback_id)
        area = await self._store.get_area(forward.area)
        reason = self._cancel_reason(forward, item, area)
        if reason is not None or item is None or area is None:
            await self._store.cancel_open311_forward(forward.id, reason or "report gone")
            logger.info("open311 forward of %s cancelled: %s", forward.reference, reason)
            return
        endpoint = area.open311_endpoint or forward.endpoint
        request = new_request(item, area)
        api_key = self._api_key(area)
        uncertain = forward.uncertain
        if uncertain:
            found = await self._find(forward, endpoint, request)
            uncertain = False  # looked: whatever happens next is certain again
            if found is not None:
                logger.info("%s was already at the city as %s", forward.reference, found)
                await self._store.mark_open311_sent(forward.id, external_id=found,
                                                    endpoint=endpoint)
                return
        created = await self._client.create(endpoint, api_key, request)
        await self._store.mark_open311_sent(
            forward.id, external_id=created.service_request_id, external_token=created.token,
            token_check_at=self._now() + TOKEN_CHECK, endpoint=endpoint)
        logger.info("%s forwarded to Open311 (%s)", forward.reference,
                    "id" if created.service_request_id else "token")

    async def _find(self, forward: Open311Forward, endpoint: str,
                    request: NewRequest) -> str | None:
        """Return the city's id for our report if an earlier attempt reached it."""
        try:
            found = await self._client.search(endpoint, request.service_code,
                                              forward.created_at - SEARCH_SLACK,
                                              request.jurisdiction_id)
        except Open311Error as exc:
            if exc.permanent:  # the city cannot be searched: post (see the module docstring)
                return None
            raise Open311Error(f"looking for an earlier attempt: {exc}",
                               uncertain=True) from None
        for status in found:
            if status.description and forward.reference in status.description:
                return status.service_request_id
        return None

    async def _resolve_token(self, forward: Open311Forward) -> None:
        area = await self._store.get_area(forward.area)
        jurisdiction = area.open311_jurisdiction_id if area else None
        token = forward.external_token or ""
        request_id = await self._client.resolve_token(forward.endpoint, token, jurisdiction)
        if request_id is not None:
            await self._store.mark_open311_sent(forward.id, external_id=request_id)
            logger.info("%s: the city's token now has an id", forward.reference)
            return
        if forward.attempts >= self._config.max_attempts:
            await self._store.mark_open311_failed(
                forward.id, f"the city gave no id for token {token} after "
                f"{forward.attempts} checks", None)
            return
        wait = min(TOKEN_CHECK * 2 ** max(forward.attempts - 1, 0), TOKEN_CHECK_MAX)
        await self._store.mark_open311_sent(forward.id, external_token=token,
                                            token_check_at=self._now() + wait)

    def _cancel_reason(self, forward: Open311Forward, item: FeedbackItem | None,
                       area: ServiceArea | None) -> str | None:
        if item is None or item.erased_at is not None:
            return "the report was erased"
        if item.area != forward.area:
            return f"the report moved to {item.area}"
        if not item.status.is_open:
            return f"the report is {item.status}"
        if area is None or not area.forwards_to_open311:
            return f"area {forward.area} no longer forwards to Open311"
        return None

    def _api_key(self, area: ServiceArea) -> str | None:
        if not area.open311_api_key_encrypted:
            return None
        try:
            return self._cipher.decrypt(area.open311_api_key_encrypted)
        except ValueError:
            raise Open311Error(f"the API key of area {area.code} cannot be decrypted "
                               "(SECRET_KEY changed?); set it again", permanent=True) from None

    async def _failed(self, forward: Open311Forward, exc: Open311Error) -> None:
        attempts = max(forward.attempts, 1)  # the claim counted this attempt
        retry_at: datetime | None
        if exc.permanent or attempts >= self._config.max_attempts:
            retry_at = None
        elif exc.retry_after is not None:
            retry_at = self._now() + timedelta(seconds=exc.retry_after)
        else:
            retry_at = self._now() + self._config.backoff(attempts, self._rng)
        logger.warning("open311 forward of %s failed (attempt %d)%s: %s", forward.reference,
                       attempts, "" if retry_at else ", giving up", exc)
        await self._store.mark_open311_failed(forward.id, str(exc), retry_at,
                                              uncertain=exc.uncertain)
