"""``users add/list``, ``tokens create``, ``export`` and ``forget``: accounts and data.

Each command opens the store named by ``DATABASE_URL`` for its own short transaction, so it
works on the same database whether or not ``civicvoice serve`` is running (SQLite in WAL
mode lets both write).
"""

from __future__ import annotations

import csv
import json
import secrets
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from bot.cli.common import CLI_ACTOR, CliError, settings, with_store
from bot.security import hash_token, new_token, normalise_reference
from bot.storage import ConflictError, FeedbackItem, FeedbackStore, StaffRole

EXPORT_FIELDS = (
    "reference", "created_at", "channel", "area", "kind", "status", "urgent", "innovation",
    "needs_review", "redacted_text",
)  # fmt: skip
_PAGE = 500
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"


def register(app: typer.Typer) -> None:
    users = typer.Typer(help="Dashboard and API accounts.", no_args_is_help=True)
    users.command("add")(add_user)
    users.command("list")(list_users)
    app.add_typer(users, name="users")
    tokens = typer.Typer(help="API tokens (bearer tokens and Open311 api_key).",
                         no_args_is_help=True)
    tokens.command("create")(create_token)
    app.add_typer(tokens, name="tokens")
    app.command()(export)
    app.command()(forget)


def add_user(
    email: Annotated[str, typer.Argument(help="The person's e-mail address")],
    role: Annotated[StaffRole, typer.Option(help="staff: their areas only; admin: all")],
    area: Annotated[list[str] | None, typer.Option(
        help="Service-area code they work on; repeat for several")] = None,
) -> None:
    """Create a dashboard account and print its one-time password."""
    from argon2 import PasswordHasher

    address = email.strip()
    if "@" not in address or len(address) > 254 or any(c.isspace() for c in address):
        raise CliError(f"not an e-mail address: {email!r}")
    areas = sorted({a.strip() for a in area or [] if a.strip()})
    password = secrets.token_urlsafe(12)
    password_hash = PasswordHasher().hash(password)

    async def work(store: FeedbackStore) -> None:
        try:
            await store.create_user(address, role, areas, password_hash, actor=CLI_ACTOR)
        except ConflictError:
            raise CliError(f"a user with the e-mail {address} already exists") from None

    with_store(work)
    scope = "every area" if role is StaffRole.ADMIN else (", ".join(areas) or "no areas yet")
    typer.echo(f"created {role} user {address} ({scope})")
    if role is StaffRole.STAFF and not areas:
        typer.echo("note: a staff user without --area sees no feedback", err=True)
    base = settings().public_base_url
    typer.echo(f"one-time password: {password}")
    typer.echo(f"They can sign in at {base}/staff once the dashboard exists, and should "
               "change this password; it is not shown again.")


def list_users(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array")] = False,
) -> None:
    """List active accounts with their role and areas."""
    users = with_store(lambda store: store.list_users())
    if as_json:
        print(json.dumps([{"email": u.email, "role": u.role, "areas": list(u.areas)}
                          for u in users]))
        return
    for u in users:
        scope = "all areas" if u.role is StaffRole.ADMIN else ", ".join(u.areas) or "-"
        typer.echo(f"{u.email:40s} {u.role:6s} {scope}")


def create_token(
    email: Annotated[str, typer.Argument(help="The account the token acts as")],
    label: Annotated[str, typer.Option(help="What the token is for, e.g. 'open311'")] = "",
) -> None:
    """Print a new API token for EMAIL alone on the last line (shown once, stored hashed)."""
    token = new_token()

    async def work(store: FeedbackStore) -> None:
        user = await store.get_user_by_email(email)
        if user is None or not user.active:
            raise CliError(f"no active user with the e-mail {email.strip()}")
        await store.create_api_token(user.id, hash_token(token), label.strip(), actor=CLI_ACTOR)

    with_store(work)
    typer.echo(f"new API token for {email.strip()} (shown once; only its hash is kept). "
               "Send it as 'Authorization: Bearer TOKEN':", err=True)
    sys.stdout.write(token + "\n")
    sys.stdout.flush()


def _row(item: FeedbackItem) -> dict[str, Any]:
    return {
        "reference": item.reference,
        "created_at": item.created_at.isoformat(),
        "channel": item.channel,
        "area": item.area,
        "kind": item.kind,
        "status": str(item.status),
        "urgent": item.urgent,
        "innovation": round(item.innovation, 4),
        "needs_review": item.needs_review,
        "redacted_text": item.redacted_text,
    }


async def _all_rows(store: FeedbackStore) -> AsyncIterator[dict[str, Any]]:
    offset = 0
    while True:
        page = await store.list_feedback(limit=_PAGE, offset=offset, newest_first=False)
        for item in page:
            yield _row(item)
        if len(page) < _PAGE:
            return
        offset += len(page)


def _safe_cell(value: Any) -> Any:
    """Keep spreadsheets from running citizen text as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


@contextmanager
def _output(out: Path | None) -> Iterator[TextIO]:
    if out is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    with out.open("w", encoding="utf-8", newline="") as handle:
        yield handle


def export(
    format_: Annotated[ExportFormat, typer.Option("--format", help="csv or jsonl")] = (
        ExportFormat.CSV),
    out: Annotated[Path | None, typer.Option(help="Write here instead of stdout")] = None,
) -> None:
    """Write every feedback item, redacted (no addresses, no original text), oldest first."""

    def write_all(handle: TextIO) -> int:
        async def work(store: FeedbackStore) -> int:
            count = 0
            writer = csv.DictWriter(handle, fieldnames=EXPORT_FIELDS, lineterminator="\n")
            if format_ is ExportFormat.CSV:
                writer.writeheader()
            async for row in _all_rows(store):
                if format_ is ExportFormat.CSV:
                    writer.writerow({k: _safe_cell(v) for k, v in row.items()})
                else:
                    handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                count += 1
            return count

        return with_store(work)

    with _output(out) as handle:
        count = write_all(handle)
    if out is not None:
        typer.echo(f"wrote {count} item(s) to {out}", err=True)


def forget(
    citizen_ref: Annotated[str, typer.Argument(
        metavar="CITIZEN_REF", help="A reference (CV-XXXXX) the citizen filed")],
) -> None:
    """Erase the citizen who filed CITIZEN_REF: identity, addresses, texts, attachments."""
    reference = normalise_reference(citizen_ref)
    if reference is None:
        raise CliError(f"not a report reference: {citizen_ref!r} (expected CV-XXXXX)")

    async def work(store: FeedbackStore) -> str:
        item = await store.get_feedback(reference)
        if item is None:
            raise CliError(f"no report {reference}")
        if item.citizen_id is None:
            if item.erased_at is not None:
                return f"the citizen who filed {reference} was already forgotten; nothing to do"
            raise CliError(f"report {reference} is not linked to a citizen")
        result = await store.forget_citizen(item.citizen_id, actor=CLI_ACTOR)
        return (
            f"forgot the citizen who filed {reference}: {result.feedback_anonymised} report(s) "
            f"anonymised, {result.inbound_erased} inbound and {result.outbound_erased} "
            f"outbound message(s) erased, {result.attachments_deleted} attachment(s) deleted"
        )

    typer.echo(with_store(work))
