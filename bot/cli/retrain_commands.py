"""``civicvoice retrain``: train on the base table plus staff labels, promote only if better.

Runs in the CLI process, so the service keeps taking messages; a promotion reaches it
through its model watcher. An exclusive, non-blocking lock on ``MODEL_DIR/.retrain.lock``
keeps two retrains from running at once. The rules for turning corrections into rows,
the held-out data and the gate are in ``nlp.retrain``.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli.common import console, err_console, registry, settings, training_progress
from nlp.errors import ModelError

if TYPE_CHECKING:
    from bot.storage import Correction

DEFAULT_BASE_TABLE = Path(__file__).resolve().parents[2] / "models" / "training" / \
    "default_table.csv"
LOCK_FILE = ".retrain.lock"


def register(app: typer.Typer) -> None:
    app.command()(retrain)


@contextlib.contextmanager
def retrain_lock(model_dir: Path) -> Iterator[None]:
    """Hold the retrain lock, or raise ``ModelError`` at once if another retrain has it."""
    model_dir.mkdir(parents=True, exist_ok=True)
    with open(model_dir / LOCK_FILE, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ModelError("a retrain is already running") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


async def _corrections(database_url: str) -> list[Correction]:
    from bot.storage import store_from_url

    async with store_from_url(database_url) as store:
        return await store.list_corrections()


def retrain(
    base_table: Annotated[Path, typer.Option(
        help="Base training CSV (text, area and optional kind/urgent/innovation)")]
    = DEFAULT_BASE_TABLE,
    area_margin: Annotated[float, typer.Option(
        help="Reject if any area's held-out F1 falls by more than this")] = 0.10,
    tolerance: Annotated[float, typer.Option(
        help="Reject if macro-F1 is lower than the current one minus this")] = 0.005,
) -> None:
    """Train a candidate on the base table plus staff corrections; promote it only if the
    held-out comparison with the current model says it is not worse."""
    config = settings()
    with retrain_lock(Path(config.model_dir)):
        _run(config.database_url, base_table, area_margin, tolerance)


def _run(database_url: str, base_table: Path, area_margin: float, tolerance: float) -> None:
    from models.registry import new_version_name
    from nlp.retrain import correction_rows, decide, evaluate, split
    from nlp.table import check_trainable, drop_rare, read_table
    from nlp.training import TrainConfig, model_card, train_bundle
    from nlp.triage import Triager

    config = settings()
    pipeline = config.spacy_pipeline or None
    reg = registry(config)
    base = read_table(base_table, ("text",), "area")
    corrections = asyncio.run(_corrections(database_url))
    current_version = reg.current_version()
    current = Triager.from_folder(reg.resolve(current_version), pipeline)
    rows = correction_rows(corrections, datetime.now(UTC))
    data = split(base, rows, lambda texts: [r.area for r in current.classify_many(texts)])
    dropped = drop_rare(data.train, 2)
    if dropped:
        err_console.print(f"dropped {len(dropped)} label(s) with fewer than 2 training rows: "
                          f"{', '.join(dropped)}")
    check_trainable(data.train)
    version = new_version_name()
    err_console.print(
        f"retraining {version}: {len(data.train)} training rows ({data.labels_from_staff} "
        f"from staff corrections), {len(data.held_out)} held out ({data.held_out_base} base, "
        f"{data.held_out_corrections} recent corrections); current model {current_version}")
    start = time.perf_counter()
    with training_progress() as progress:
        bundle = train_bundle(
            data.train, TrainConfig(lang=current.lang, spacy_pipeline=pipeline),
            base=reg.load(current_version), progress=progress, version=version,
            extra_metadata={"labels_from_staff": data.labels_from_staff,
                            "source_file": base_table.name})
        progress(f"scoring candidate and current model on {len(data.held_out)} held-out rows")
        prepared = current.preparer.prepare_many(data.held_out.texts)
        theirs = evaluate(current, data.held_out, prepared)
        ours = evaluate(Triager.from_bundle(bundle, current.preparer), data.held_out, prepared)
    decision = decide(ours, theirs, tolerance=tolerance, area_margin=area_margin)
    bundle.metadata["training_seconds"] = round(time.perf_counter() - start, 1)
    bundle.metadata["retrain"] = _summary(data, ours, theirs, current_version, decision,
                                          tolerance, area_margin)
    card = model_card(bundle, "CivicVoice model retrained with staff corrections",
                      f"{data.labels_from_staff} rows from staff corrections.")
    reg.register(bundle, card, status="current" if decision.promote else "rejected",
                 reason=decision.reason)
    console.print(f"candidate {version}: held-out macro-F1 {ours['macro_f1']:.4f} "
                  f"(accuracy {ours['accuracy']:.4f})")
    console.print(f"current   {current_version}: held-out macro-F1 {theirs['macro_f1']:.4f} "
                  f"(accuracy {theirs['accuracy']:.4f})")
    console.print(f"staff labels used: {data.labels_from_staff} (held out: "
                  f"{data.held_out_corrections}); held-out rows: {ours['n']}")
    console.print(("PROMOTED " if decision.promote else "REJECTED ") + decision.reason,
                  markup=False)


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
