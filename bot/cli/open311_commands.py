"""``civicvoice open311 configure/status/sync/retry``: forwarding reports to a city's Open311.

Works on the database named by ``DATABASE_URL`` whether or not the service runs (the
running service reads an area's settings at every pass). The API key is read from standard
input (``--api-key-stdin``), kept encrypted with ``SECRET_KEY`` and never printed.
"""

from __future__ import annotations

import ipaddress
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

import typer

from bot.cli.common import CLI_ACTOR, CliError, console, settings, with_store
from bot.open311.worker import open311_parts
from bot.security import AddressCipher, normalise_reference
from bot.storage import (
    FeedbackStore,
    NotFoundError,
    Open311Forward,
    ServiceArea,
)

T = TypeVar("T")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Forward reports to a city's Open311 (GeoReport v2) endpoint.",
                        no_args_is_help=True)
    group.command("configure")(configure)
    group.command("status")(status)
    group.command("sync")(sync)
    group.command("retry")(retry)
    app.add_typer(group, name="open311")


def _run(work: Callable[[FeedbackStore], Awaitable[T]]) -> T:
    return with_store(work, (NotFoundError, ValueError))


async def _area(store: FeedbackStore, code: str) -> ServiceArea:
    area = await store.get_area(code.strip())
    if area is None:
        raise CliError(f"no service area {code.strip()!r} (civicvoice areas list shows them)")
    return area


def check_endpoint(url: str) -> str:
    """Return the endpoint's base URL ending in ``/``; refuse plain HTTP except loopback."""
    value = url.strip()
    parts = urlsplit(value)
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise CliError(f"--endpoint must be an https:// URL, not {value!r}")
    if parts.scheme == "http" and not _loopback(host):
        raise CliError("--endpoint must use https (the API key travels with every report)")
    if parts.query or parts.fragment:
        raise CliError("--endpoint is the API's base URL, without ?query or #fragment")
    if value.endswith(".json"):
        raise CliError("--endpoint is the base URL (.../open311/v2/), not a .json document")
    return value.rstrip("/") + "/"


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _describe(area: ServiceArea) -> str:
    if not area.forwards_to_open311:
        return f"{area.code}: not forwarded"
    key = "API key set" if area.open311_api_key_encrypted else "no API key"
    extra = f", jurisdiction {area.open311_jurisdiction_id}" if area.open311_jurisdiction_id \
        else ""
    confirm = ", after staff confirm the area" if area.requires_confirmation else ""
    return (f"{area.code}: forwarded to {area.open311_endpoint} as service code "
            f"{area.open311_service_code} ({key}{extra}{confirm})")


def configure(
    area: Annotated[str, typer.Argument(help="Service-area code, e.g. roads")],
    endpoint: Annotated[str | None, typer.Option(
        help="Base URL of the city's GeoReport v2 API, e.g. https://city.example/open311/v2/"
    )] = None,
    service_code: Annotated[str | None, typer.Option(
        help="The city's service_code for this area's reports")] = None,
    api_key_stdin: Annotated[bool, typer.Option(
        "--api-key-stdin", help="Read the city's API key from standard input")] = False,
    jurisdiction: Annotated[str | None, typer.Option(
        help="jurisdiction_id, for endpoints serving several cities ('' clears it)")] = None,
    confirmation: Annotated[bool | None, typer.Option(
        "--confirmation/--no-confirmation",
        help="Hold reports until staff confirm the area (or move them past new)")] = None,
    off: Annotated[bool, typer.Option(
        "--off", help="Stop forwarding this area's reports and forget its key")] = False,
) -> None:
    """Set (or with --off remove) an area's Open311 forwarding."""
    changes: dict[str, Any] = {}
    if off:
        if endpoint or service_code or api_key_stdin or jurisdiction:
            raise CliError("--off takes no other forwarding option")
        changes = {"open311_endpoint": None, "open311_service_code": None,
                   "open311_api_key_encrypted": None, "open311_jurisdiction_id": None}
    else:
        if endpoint is not None:
            changes["open311_endpoint"] = check_endpoint(endpoint)
        if service_code is not None:
            if not service_code.strip():
                raise CliError("--service-code must not be empty")
            changes["open311_service_code"] = service_code.strip()
        if jurisdiction is not None:
            changes["open311_jurisdiction_id"] = jurisdiction.strip() or None
        if api_key_stdin:
            key = sys.stdin.readline().strip()
            if not key:
                raise CliError("no API key on standard input")
            changes["open311_api_key_encrypted"] = AddressCipher(settings().secret).encrypt(key)
    if confirmation is not None:
        changes["requires_confirmation"] = confirmation

    async def work(store: FeedbackStore) -> ServiceArea:
        current = await _area(store, area)
        if changes:
            current = await store.update_area(current.code, actor=CLI_ACTOR, **changes)
        if not off and not current.forwards_to_open311 and (
                current.open311_endpoint or current.open311_service_code):
            missing = "--service-code" if current.open311_endpoint else "--endpoint"
            console.print(f"forwarding starts once {missing} is set too")
        return current

    typer.echo(_describe(_run(work)))


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


def _row(forward: Open311Forward) -> dict[str, Any]:
    return {
        "reference": forward.reference, "area": forward.area, "state": forward.state.value,
        "attempts": forward.attempts, "service_request_id": forward.external_id,
        "token": forward.external_token, "city_status": forward.external_status,
        "city_notes": forward.external_status_notes, "last_error": forward.last_error,
        "next_attempt_at": forward.next_attempt_at.isoformat() if forward.state.in_flight
        else None,
        "last_synced_at": forward.last_synced_at.isoformat() if forward.last_synced_at
        else None,
    }  # fmt: skip


def status(
    failed: Annotated[bool, typer.Option(
        "--failed", help="Only forwards that failed or are retrying after an error")] = False,
    area: Annotated[str | None, typer.Option(help="Only this service area")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many forwards")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """List the areas' forwarding, then the latest forwards (most recently changed first)."""

    async def work(store: FeedbackStore) -> tuple[list[ServiceArea], list[Open311Forward]]:
        areas = [a for a in await store.list_areas() if a.forwards_to_open311]
        forwards = await store.list_open311_forwards(failed_only=failed, area=area,
                                                     limit=limit)
        return areas, forwards

    areas, forwards = _run(work)
    if as_json:
        typer.echo(json.dumps({"areas": [_describe(a) for a in areas],
                               "forwards": [_row(f) for f in forwards]}, indent=2))
        return
    for line in [_describe(a) for a in areas] or ["no area forwards to Open311"]:
        typer.echo(line)
    for forward in forwards:
        city = forward.external_id or (f"token {forward.external_token}"
                                       if forward.external_token else "-")
        line = (f"{forward.reference}  {forward.area}  {forward.state.value}  "
                f"attempts {forward.attempts}  city {city}")
        if forward.external_status:
            line += f" ({forward.external_status}, read {_when(forward.last_synced_at)})"
        if forward.state.in_flight:
            line += f"  next {_when(forward.next_attempt_at)}"
        if forward.last_error:
            line += f"  error: {forward.last_error}"
        typer.echo(line)


def sync() -> None:
    """Post due reports and read the city's status now, whatever the timers."""
    config = settings()

    async def work(store: FeedbackStore) -> tuple[int, int]:
        async with open311_parts(config, store) as (forwarder, status_sync):
            return await forwarder.run_once(limit=500), await status_sync.run_once()

    worked, resolved = _run(work)
    typer.echo(f"worked on {worked} forward(s); {resolved} report(s) resolved by the city")


def retry(reference: Annotated[str, typer.Argument(help="Report reference, e.g. CV-7K3P2")]
          ) -> None:
    """Try a failed or cancelled forward again (after fixing the area's settings)."""
    ref = normalise_reference(reference)
    if ref is None:
        raise CliError(f"{reference.strip()[:20]!r} is not a reference such as CV-7K3P2")

    async def work(store: FeedbackStore) -> Open311Forward:
        item = await store.get_feedback(ref)
        if item is None:
            raise CliError(f"no report {ref}")
        return await store.retry_open311_forward(item.id, actor=CLI_ACTOR)

    forward = _run(work)
    typer.echo(f"{forward.reference} will be sent at the next pass (civicvoice open311 sync "
               "sends it now)")
