"""``classify``, ``train``, ``evaluate`` and ``models list/promote/rollback``."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli.common import CliError, console, err_console, registry, settings, training_progress
from nlp.errors import DataError

if TYPE_CHECKING:
    from nlp.table import LabelledTable


def register(app: typer.Typer) -> None:
    app.command()(classify)
    app.command()(train)
    app.command()(evaluate)
    models = typer.Typer(help="The model registry: list, promote, roll back.",
                         no_args_is_help=True)
    models.command("list")(list_models)
    models.command()(promote)
    models.command()(rollback)
    app.add_typer(models, name="models")


def classify(
    text: Annotated[str | None, typer.Argument(help="Text to triage; omit to read stdin")] = None,
    model: Annotated[str | None, typer.Option(help="Version name or folder")] = None,
    workers: Annotated[int, typer.Option(help="Processes for large stdin batches")] = 2,
) -> None:
    """Print the triage of TEXT as JSON, or one JSON object per stdin line."""
    from nlp.parallel import classify_json_stream
    from nlp.triage import Triager

    config = settings()
    folder = registry(config).resolve(model)
    if text is not None:
        triager = Triager.from_folder(folder, config.spacy_pipeline or None)
        sys.stdout.write(triager.classify(text).json_line())
        return
    lines = (line.rstrip("\r\n") for line in sys.stdin)
    for block in classify_json_stream(folder, lines, workers=workers,
                                      pipeline=config.spacy_pipeline or None):
        sys.stdout.write(block)
    sys.stdout.flush()


def _read(data: Path, text_column: list[str], label_column: str, encoding: str) -> LabelledTable:
    from nlp.table import read_table

    return read_table(data, text_column, label_column, encoding=encoding)


def train(
    data: Annotated[Path, typer.Option(help="Labelled CSV (any taxonomy)")],
    text_column: Annotated[list[str], typer.Option(
        help="Text column; repeat it or give 'title,text' to join columns")] = ["text"],  # noqa: B006
    label_column: Annotated[str, typer.Option(help="Area label column")] = "label",
    out: Annotated[Path | None, typer.Option(
        help="Write the version folder here instead of registering it")] = None,
    lang: Annotated[str | None, typer.Option(help="Language code; default: detected")] = None,
    encoding: Annotated[str, typer.Option(help="File encoding")] = "utf-8-sig",
    drop_rare: Annotated[bool, typer.Option(
        help="Drop labels with fewer than 2 examples instead of failing")] = False,
    promote: Annotated[bool, typer.Option(
        help="Make the new version current (when registering)")] = True,
) -> None:
    """Train a routing model on any labelled CSV; print its validation metrics."""
    from models.registry import new_version_name
    from nlp.language import detect_language
    from nlp.table import check_trainable
    from nlp.table import drop_rare as drop_rare_labels
    from nlp.training import TrainConfig, model_card, train_bundle

    config = settings()
    if out is not None and out.exists() and any(out.iterdir()):
        raise CliError(f"{out} exists and is not empty; choose a new folder")
    table = _read(data, text_column, label_column, encoding)
    if drop_rare:
        dropped = drop_rare_labels(table, 2)
        if dropped:
            err_console.print(f"dropped {len(dropped)} rare label(s): {', '.join(dropped)}")
    check_trainable(table)
    language = lang or detect_language(table.texts, default=config.language)
    reg = registry(config)
    base = reg.load()
    version = new_version_name()
    err_console.print(f"training {version} on {len(table)} rows, {len(set(table.labels))} "
                      f"labels, language {language}")
    start = time.perf_counter()
    with training_progress() as progress:
        bundle = train_bundle(
            table,
            TrainConfig(lang=language, spacy_pipeline=config.spacy_pipeline or None),
            base=base,
            progress=progress,
            version=version,
            extra_metadata={"source_file": data.name},
        )
    bundle.metadata["training_seconds"] = round(time.perf_counter() - start, 1)
    card = model_card(bundle, f"CivicVoice model trained on {data.name}")
    if out is not None:
        from models.artifact import save_bundle

        save_bundle(bundle, out, card)
        where = str(out)
    else:
        status_name = "current" if promote else "candidate"
        where = str(reg.register(bundle, card, status=status_name,
                                 reason=f"trained on {data.name}"))
    _print_metrics(bundle.metadata, where, promoted=out is None and promote)


def _print_metrics(meta: dict[str, Any], where: str, promoted: bool) -> None:
    area = meta["metrics"]["area"]
    console.print(f"version {meta['version']} -> {where}" + (" (now current)" if promoted else ""))
    console.print(f"validation: accuracy {area.get('accuracy')}, macro-F1 "
                  f"{area.get('macro_f1')}, weighted-F1 {area.get('weighted_f1')} "
                  f"(n={area.get('n')})")
    console.print(f"needs_review below {meta['thresholds']['area_review']} "
                  f"({area.get('auto_routed_share')} routed automatically at accuracy "
                  f"{area.get('auto_routed_accuracy')}); training took "
                  f"{meta['training_seconds']} s")
    console.print("heads: " + ", ".join(f"{h} from {s}" for h, s in meta["heads_from"].items()))


def evaluate(
    data: Annotated[Path, typer.Option(help="Labelled CSV")],
    model: Annotated[str | None, typer.Option(help="Version name or folder (default: current)")]
    = None,
    text_column: Annotated[list[str], typer.Option(help="Text column(s)")] = ["text"],  # noqa: B006
    label_column: Annotated[str, typer.Option(help="Label column")] = "label",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    encoding: Annotated[str, typer.Option(help="File encoding")] = "utf-8-sig",
) -> None:
    """Score a model on a labelled CSV (accuracy, macro/weighted F1, per class)."""
    from nlp.metrics import classification_report, confusion_text
    from nlp.parallel import classify_stream

    config = settings()
    folder = registry(config).resolve(model)
    table = _read(data, text_column, label_column, encoding)
    predicted = [r.area for r in classify_stream(folder, iter(table.texts),
                                                 pipeline=config.spacy_pipeline or None)]
    labels = sorted(set(table.labels) | set(predicted))
    report = classification_report(table.labels, predicted, labels=labels)
    report["model"] = str(folder)
    unknown = sorted(set(table.labels) - set(predicted))
    if as_json:
        print(json.dumps(report))
        return
    console.print(f"model {folder}: n={report['n']} accuracy {report['accuracy']} macro-F1 "
                  f"{report['macro_f1']} weighted-F1 {report['weighted_f1']}")
    for label, m in report["per_class"].items():
        console.print(f"  {label:30s} P {m['precision']:.3f} R {m['recall']:.3f} "
                      f"F1 {m['f1']:.3f} n={m['support']}")
    console.print(confusion_text(report))
    if unknown:
        err_console.print(f"note: never predicted: {', '.join(unknown)}")


def list_models(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array")] = False,
) -> None:
    """List every model version with its metrics and status."""
    infos = registry().list()
    if as_json:
        print(json.dumps([i.to_json() for i in infos]))
        return
    for i in infos:
        mark = "*" if i.current else " "
        console.print(f"{mark} {i.version:28s} {i.status:11s} macro-F1 {i.metrics.get('macro_f1')}"
                      f"  acc {i.metrics.get('accuracy')}  staff labels {i.labels_from_staff}"
                      f"  {i.created_at}  {i.reason}", markup=False)


def promote(version: Annotated[str, typer.Argument(help="Version to make current")]) -> None:
    """Make VERSION the current model (the running service picks it up)."""
    reg = registry()
    reg.promote(version, "promoted by an admin")
    console.print(f"current model: {reg.current_version()}")


def rollback() -> None:
    """Switch back to the model that was current before this one."""
    reg = registry()
    target = reg.rollback()
    console.print(f"rolled back; current model: {target}")


__all__ = ["DataError", "register"]
