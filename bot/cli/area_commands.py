"""``civicvoice areas list/add/rename/retire``: the service-area taxonomy from the shell.

Works on the database named by ``DATABASE_URL`` whether or not the service runs; the
running service picks the changes up within its model-check interval (10 s).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from bot.cli.common import CLI_ACTOR, CliError, console, registry, with_store
from bot.storage import ConflictError, FeedbackStore, NotFoundError
from handlers.areas import MIN_EXAMPLES, default_label

T = TypeVar("T")


def register(app: typer.Typer) -> None:
    areas = typer.Typer(help="Service areas: list, add, rename, retire.", no_args_is_help=True)
    areas.command("list")(list_areas)
    areas.command("add")(add_area)
    areas.command("rename")(rename_area)
    areas.command("retire")(retire_area)
    app.add_typer(areas, name="areas")


def _model_counts() -> tuple[list[str], dict[str, int]]:
    """The current model's areas and its training rows per area (from metadata only)."""
    reg = registry()
    folder = reg.resolve(reg.current_version())
    meta: dict[str, Any] = json.loads((Path(folder) / "metadata.json").read_text("utf-8"))
    counts = {str(k): int(v) for k, v in meta.get("label_counts", {}).items()}
    return list(meta.get("labels", counts)), counts


def _run(work: Callable[[FeedbackStore], Awaitable[T]]) -> T:
    """Open the store, add the current model's areas if missing, then run ``work``."""
    labels, _ = _model_counts()

    async def ensured(store: FeedbackStore) -> T:
        await store.ensure_areas({code: default_label(code) for code in labels})
        return await work(store)

    return with_store(ensured, (ConflictError, NotFoundError, ValueError))


def list_areas(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array")] = False,
) -> None:
    """List every area with its status and the current model's training rows."""
    _, counts = _model_counts()
    areas = _run(lambda store: store.list_areas(include_retired=True))
    rows = [{
        "code": a.code, "label": a.label, "active": a.active, "moved_to": a.moved_to,
        "trained_examples": counts.get(a.code, 0),
        "too_few": a.active and counts.get(a.code, 0) < MIN_EXAMPLES,
        "open311": a.forwards_to_open311,
    } for a in areas]
    if as_json:
        console.print_json(json.dumps(rows))
        return
    for row in rows:
        state = "active" if row["active"] else f"retired -> {row['moved_to']}"
        warn = "  (too few examples)" if row["too_few"] else ""
        typer.echo(f"{row['code']:<22} {row['label']:<28} {state:<26} "
                   f"{row['trained_examples']:>6} examples{warn}")


def add_area(
    code: Annotated[str, typer.Argument(help="Code, e.g. snow_clearing")],
    label: Annotated[str, typer.Argument(help="Label staff and citizens see")],
    description: Annotated[str, typer.Option(help="What the area covers")] = "",
    group: Annotated[str, typer.Option(help="Group name (Open311 'group')")] = "",
    keyword: Annotated[list[str] | None, typer.Option(help="Keyword; repeat")] = None,
) -> None:
    """Add a service area. Staff can route to it at once; retrain to teach the model."""
    area = _run(lambda store: store.add_area(code, label, actor=CLI_ACTOR,
                                             description=description, group=group,
                                             keywords=keyword or ()))
    typer.echo(f"added {area.code} ({area.label}); label at least {MIN_EXAMPLES} reports "
               "with it, then run `civicvoice retrain`")


def rename_area(
    code: Annotated[str, typer.Argument(help="Area code")],
    label: Annotated[str, typer.Argument(help="New label")],
) -> None:
    """Give an area a new label (its code stays)."""
    area = _run(lambda store: store.update_area(code, actor=CLI_ACTOR, label=label))
    typer.echo(f"{area.code} is now labelled {area.label!r}")


def retire_area(
    code: Annotated[str, typer.Argument(help="Area to retire")],
    move_to: Annotated[str, typer.Option(help="Area that takes over its reports")],
) -> None:
    """Retire an area: its reports and staff move to another area."""
    if not move_to.strip():
        raise CliError("--move-to must name an area")
    moved = _run(lambda store: store.retire_area(code, move_to, actor=CLI_ACTOR))
    typer.echo(f"retired {code}: {moved} report(s) moved to {move_to}")
