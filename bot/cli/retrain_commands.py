"""``civicvoice retrain``: train on the base table plus staff labels, promote only if better.

Runs in its own process (the CLI, or a child the dashboard or a staff Telegram chat starts
through ``bot.retraining.RetrainLauncher``), so the service keeps taking messages; a
promotion reaches it through its model watcher. ``bot.retraining.retrain_lock`` keeps two
retrains from running at once, and every step is written to the status file the admin page
shows. Labels of retired areas count for the area that took their work. The rules for
turning corrections into rows, the held-out data and the gate are in ``nlp.retrain``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from bot.cli.common import console, err_console, registry, settings, training_progress
from bot.retraining import RetrainStatus, StatusFile, retrain_lock
from nlp.errors import ModelError

if TYPE_CHECKING:
    from bot.storage import Correction
    from nlp.table import LabelledTable

T = TypeVar("T")
DB_PATIENCE_SECONDS = 120.0
HOLDOUT_KEY = "held_out_slice_excluded"  # metadata: trained without nlp.retrain's slice
DEFAULT_BASE_TABLE = Path(__file__).resolve().parents[2] / "models" / "training" / \
    "default_table.csv"

__all__ = ["DEFAULT_BASE_TABLE", "register", "retrain", "retrain_lock"]


def register(app: typer.Typer) -> None:
    app.command()(retrain)


@dataclass(slots=True)
class _Labels:
    corrections: list[Correction]
    moved: dict[str, str]  # retired area -> the area that took its work


def _patiently(work: Callable[[], Coroutine[Any, Any, T]], what: str) -> T:
    """Run a short store operation, retrying while the service keeps the database busy.

    SQLite's busy wait is not fair: under a burst of citizen messages the service's own
    connection can hold the write lock for longer than the 5 s busy timeout in total.
    """
    from bot.storage import StorageError

    deadline = time.monotonic() + DB_PATIENCE_SECONDS
    while True:
        try:
            return asyncio.run(work())
        except StorageError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            err_console.print(f"database busy while {what}; trying again")
            time.sleep(1.0)


async def _labels(database_url: str) -> _Labels:
    from bot.storage import store_from_url

    async with store_from_url(database_url) as store:
        corrections = await store.list_corrections()
        retired = await store.list_areas(include_retired=True)
    moved = {a.code: a.moved_to for a in retired if not a.active and a.moved_to}
    return _Labels(corrections, moved)


async def _audit(database_url: str, actor: str, summary: dict[str, Any], version: str) -> None:
    from bot.storage import store_from_url

    async with store_from_url(database_url) as store:
        await store.add_audit(actor, "retrain", "model", version, after={
            "decision": summary["decision"], "reason": summary["reason"],
            "candidate_macro_f1": summary["candidate"]["macro_f1"],
            "current_macro_f1": summary["current"]["macro_f1"],
            "compared_with": summary["compared_with"],
            "labels_from_staff": summary["labels_from_staff"]})


def _relabel(table: LabelledTable, moved: dict[str, str]) -> None:
    table.labels = [moved.get(label, label) for label in table.labels]


def retrain(
    base_table: Annotated[Path | None, typer.Option(
        help="Base training CSV (text, area and optional kind/urgent/innovation); "
             "default RETRAIN_BASE_TABLE, else the bundled table")] = None,
    area_margin: Annotated[float, typer.Option(
        help="Reject if any area's held-out F1 falls by more than this")] = 0.10,
    tolerance: Annotated[float, typer.Option(
        help="Reject if macro-F1 is lower than the current one minus this")] = 0.005,
    actor: Annotated[str, typer.Option(
        help="Who asked for it, for the audit log (e.g. staff:admin@city.gov)")] = "cli",
) -> None:
    """Train a candidate on the base table plus staff corrections; promote it only if the
    held-out comparison with the current model says it is not worse."""
    config = settings()
    table = base_table or config.retrain_base_table or DEFAULT_BASE_TABLE
    with retrain_lock(Path(config.model_dir)):
        status_file = StatusFile(Path(config.model_dir))
        status = status_file.start(actor)
        try:
            _run(config.database_url, table, area_margin, tolerance, actor, status_file,
                 status)
        except BaseException as exc:
            status_file.finish(status, state="failed", reason=str(exc)[:300] or repr(exc))
            raise


def _run(database_url: str, base_table: Path, area_margin: float, tolerance: float,
         actor: str, status_file: StatusFile, status: RetrainStatus) -> None:
    from models.registry import new_version_name
    from nlp.retrain import correction_rows, decide, evaluate, split
    from nlp.table import check_trainable, drop_rare, read_table
    from nlp.training import TrainConfig, model_card, train_bundle
    from nlp.triage import Triager

    def step(message: str) -> None:
        status_file.step(status, message)

    config = settings()
    pipeline = config.spacy_pipeline or None
    reg = registry(config)
    step("reading the base table and staff labels")
    base = read_table(base_table, ("text",), "area")
    labels = _patiently(lambda: _labels(database_url), "reading staff labels")
    _relabel(base, labels.moved)
    current_version = reg.current_version()
    current = Triager.from_folder(reg.resolve(current_version), pipeline)
    rows = correction_rows(labels.corrections, datetime.now(UTC))
    if not rows:
        raise ModelError("no staff labels to learn from yet: confirm or correct the area or "
                         "kind of some reports first")
    data = split(base, rows, lambda texts: [r.area for r in current.classify_many(texts)])
    _relabel(data.train, labels.moved)
    _relabel(data.held_out, labels.moved)
    base_only = _head(data.train, data.base_train_rows)
    dropped = drop_rare(data.train, 2)
    if dropped:
        err_console.print(f"dropped {len(dropped)} label(s) with fewer than 2 training rows: "
                          f"{', '.join(dropped)}")
    check_trainable(data.train)
    version = new_version_name()
    step(f"retraining {version}: {len(data.train)} training rows ({data.labels_from_staff} "
         f"from staff corrections), {len(data.held_out)} held out; current {current_version}")
    err_console.print(
        f"retraining {version}: {len(data.train)} training rows ({data.labels_from_staff} "
        f"from staff corrections), {len(data.held_out)} held out ({data.held_out_base} base, "
        f"{data.held_out_corrections} recent corrections); current model {current_version}")
    start = time.perf_counter()
    with training_progress() as progress:
        def both(message: str) -> None:
            progress(message)
            step(message)

        current_bundle = reg.load(current_version)
        train_config = TrainConfig(lang=current.lang, spacy_pipeline=pipeline)
        bundle = train_bundle(
            data.train, train_config, base=current_bundle, progress=both, version=version,
            extra_metadata={"labels_from_staff": data.labels_from_staff,
                            "source_file": base_table.name, "retrained_by": actor,
                            HOLDOUT_KEY: True})
        comparator, compared_with = current, current_version
        if not current_bundle.metadata.get(HOLDOUT_KEY):
            # The current model learnt from the held-out slice, so it would be scored on
            # its own training rows. Compare with a reference trained like the candidate
            # on the base rows alone: the gate then asks whether the staff labels help.
            both("the current model was trained on the held-out rows: training a reference "
                 "on the base rows alone for a fair comparison")
            drop_rare(base_only, 2)
            reference = train_bundle(base_only, train_config, base=current_bundle,
                                     progress=both, version=f"{current_version}-reference")
            comparator = Triager.from_bundle(reference, current.preparer)
            compared_with = f"{current_version} (reference retrained without held-out rows)"
        both(f"scoring candidate and current model on {len(data.held_out)} held-out rows")
        prepared = current.preparer.prepare_many(data.held_out.texts)
        candidate = Triager.from_bundle(bundle, current.preparer)
        theirs = evaluate(comparator, data.held_out, prepared)
        ours = evaluate(candidate, data.held_out, prepared)
        n_base = data.held_out_base
        base_slice = _head(data.held_out, n_base)
        theirs_base = evaluate(comparator, base_slice, prepared[:n_base])
        ours_base = evaluate(candidate, base_slice, prepared[:n_base])
    decision = decide(ours, theirs, tolerance=tolerance, area_margin=area_margin,
                      candidate_base=ours_base, current_base=theirs_base)
    bundle.metadata["training_seconds"] = round(time.perf_counter() - start, 1)
    summary = _summary(data, ours, theirs, compared_with, decision, tolerance, area_margin)
    summary["base_slice"] = {"candidate": ours_base, "current": theirs_base}
    summary["labels_from_staff"] = data.labels_from_staff
    bundle.metadata["retrain"] = summary
    card = model_card(bundle, "CivicVoice model retrained with staff corrections",
                      f"{data.labels_from_staff} rows from staff corrections.")
    reg.register(bundle, card, status="current" if decision.promote else "rejected",
                 reason=decision.reason)
    _patiently(lambda: _audit(database_url, actor, summary, version), "writing the audit log")
    status_file.finish(status, state="promoted" if decision.promote else "rejected",
                       reason=decision.reason, version=version, candidate=ours["macro_f1"],
                       current=theirs["macro_f1"], labels_from_staff=data.labels_from_staff)
    console.print(f"candidate {version}: held-out macro-F1 {ours['macro_f1']:.4f} "
                  f"(accuracy {ours['accuracy']:.4f})")
    console.print(f"current   {compared_with}: held-out macro-F1 {theirs['macro_f1']:.4f} "
                  f"(accuracy {theirs['accuracy']:.4f})")
    console.print(f"staff labels used: {data.labels_from_staff} (held out: "
                  f"{data.held_out_corrections}); held-out rows: {ours['n']}")
    console.print(("PROMOTED " if decision.promote else "REJECTED ") + decision.reason,
                  markup=False)


def _head(table: LabelledTable, n: int) -> LabelledTable:
    from nlp.retrain import subset

    return subset(table, range(n))


def _summary(data: Any, ours: dict[str, Any], theirs: dict[str, Any], current_version: str,
             decision: Any, tolerance: float, area_margin: float) -> dict[str, Any]:
    return {
        "compared_with": current_version,
        "held_out": {"rows": ours["n"], "base_rows": data.held_out_base,
                     "correction_rows": data.held_out_corrections},
        "corrections_total": data.corrections_total,
        "candidate": ours,
        "current": theirs,
        "gate": {"tolerance": tolerance, "area_margin": area_margin,
                 "area_drops": decision.area_drops},
        "decision": "promoted" if decision.promote else "rejected",
        "reason": decision.reason,
    }
