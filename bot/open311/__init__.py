"""Forward reports to a city's Open311 (GeoReport v2) endpoint and hear back when it closes.

Per service area, ``open311_endpoint``, ``open311_service_code``, an encrypted API key and
an optional jurisdiction turn forwarding on (``civicvoice open311 configure AREA ...``).
``bot.app`` starts an ``Open311Worker``: every ``OPEN311_POLL_SECONDS`` it queues and posts
reports (``forwarder``), every ``OPEN311_SYNC_SECONDS`` it reads the city's status back
(``sync``) and resolves a report the city closed, telling the citizen (``closing``).
Forwards, their failures and the city's status are kept in the store
(``FeedbackStore.list_open311_forwards``), which the admin pages and
``civicvoice open311 status`` show.
"""

from __future__ import annotations

from bot.open311.client import Created, GeoReportClient, NewRequest, Open311Error, RequestStatus
from bot.open311.config import Open311Config
from bot.open311.forwarder import Forwarder
from bot.open311.sync import StatusSync
from bot.open311.worker import Open311Worker, start_open311, stop_open311

__all__ = [
    "Created", "Forwarder", "GeoReportClient", "NewRequest", "Open311Config", "Open311Error",
    "Open311Worker", "RequestStatus", "StatusSync", "start_open311", "stop_open311",
]
