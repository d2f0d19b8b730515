"""``export`` and ``forget``: data out, data erased (``users``/``tokens``: account_commands).

Each command opens the store named by ``DATABASE_URL`` for its own short transaction, so it
works on the same database whether or not ``civicvoice serve`` is running (SQLite in WAL
mode lets both write).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from bot.cli import account_commands
from bot.cli.common import CLI_ACTOR, CliError, with_store
from bot.security import normalise_reference
from bot.storage import FeedbackItem, FeedbackStore

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
    account_commands.register(app)  # users ... and tokens ...
    app.command()(export)
    app.command()(forget)


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
