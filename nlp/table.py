"""Read labelled CSV tables for training and evaluation, with one-line errors.

Any CSV works: the text may be one column or several joined (``title,text``), labels are
free strings (any taxonomy). Optional ``kind``, ``urgent`` and ``innovation`` columns
train those heads too; an optional ``urgency`` column (``urgent``, ``borderline``, ``not``,
or U/B/N) marks rows of real traffic labelled by readers, which the urgency head is
calibrated and thresholded on (``nlp.urgency_training``).

A table built in memory may hold rows without an area label (``""``): they teach only
the other heads.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nlp.errors import DataError
from nlp.urgency import level

csv.field_size_limit(10_000_000)

KINDS = ("complaint", "idea", "question", "praise")
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f", ""}


@dataclass(slots=True)
class LabelledTable:
    """Texts with their area labels and, where the table has them, the other labels."""

    texts: list[str]
    labels: list[str]
    kinds: list[str | None] = field(default_factory=list)
    urgent: list[bool | None] = field(default_factory=list)
    innovation: list[bool | None] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)
    urgency: list[str | None] = field(default_factory=list)
    urgent_weights: list[float] = field(default_factory=list)  # empty: ``weights``
    sha256: str = ""
    dropped_empty: int = 0

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def has_kinds(self) -> bool:
        return any(k is not None for k in self.kinds)

    @property
    def has_urgent(self) -> bool:
        return any(u is not None for u in self.urgent)

    @property
    def has_innovation(self) -> bool:
        return any(v is not None for v in self.innovation)

    @property
    def has_urgency(self) -> bool:
        return any(v is not None for v in self.urgency)

    def label_counts(self) -> Counter[str]:
        """Rows per area label (rows without one are not counted)."""
        return Counter(label for label in self.labels if label)

    def extend(self, other: LabelledTable) -> None:
        """Append ``other``'s rows (its optional columns padded with None)."""
        n = len(other)
        self.kinds.extend(other.kinds or [None] * n)
        self.urgent.extend(other.urgent or [None] * n)
        if self.urgency or other.urgency:
            self.urgency = (self.urgency or [None] * len(self)) + (other.urgency or [None] * n)
        if self.urgent_weights or other.urgent_weights:
            self.urgent_weights = ((self.urgent_weights or list(self.weights or [1.0] * len(self)))
                                   + (other.urgent_weights or list(other.weights or [1.0] * n)))
        self.innovation.extend(other.innovation or [None] * n)
        self.weights.extend(other.weights or [1.0] * len(other))
        self.texts.extend(other.texts)
        self.labels.extend(other.labels)


def _decode(path: Path, encoding: str) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, expected a CSV file") from None
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path}: not valid {encoding} (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 or pass --encoding (e.g. cp1252)"
        ) from None
    except LookupError:
        raise DataError(f"unknown encoding {encoding!r}") from None


def _sniff_delimiter(text: str, path: Path) -> str:
    """Comma unless the header line says otherwise (a tab or semicolon file, or .tsv).

    Only the header is read: free text in the rows is full of semicolons and pipes that
    would fool a sniffer.
    """
    if path.suffix.lower() in {".tsv", ".tab"}:
        return "\t"
    header = text.split("\n", 1)[0]
    if "," in header:
        return ","
    for delimiter in ("\t", ";", "|"):
        if delimiter in header:
            return delimiter
    return ","


def _flag(value: str, column: str, row: int) -> bool | None:
    v = value.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return None if v == "" else False
    raise DataError(f"row {row}: column {column!r} must be 0/1 or true/false, got {value!r}")


def _level(value: str, row: int) -> str | None:
    if not value.strip():
        return None
    try:
        return level(value)
    except ValueError:
        raise DataError(f"row {row}: column 'urgency' must be urgent, borderline or not, "
                        f"got {value!r}") from None


def read_table(
    path: str | Path,
    text_columns: Sequence[str] = ("text",),
    label_column: str | None = "label",
    encoding: str = "utf-8-sig",
    require_labels: bool = True,
) -> LabelledTable:
    """Read a labelled CSV. Raises ``DataError`` with a one-line reason on bad input.

    Rows with an empty text are skipped (counted in ``dropped_empty``); a row with a text
    but no label is an error when ``require_labels``.
    """
    path = Path(path)
    content = _decode(path, encoding)
    if not content.strip():
        raise DataError(f"{path}: the file is empty")
    reader = csv.DictReader(io.StringIO(content, newline=""),
                            delimiter=_sniff_delimiter(content, path))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    columns = _text_columns(text_columns, header, path)
    wanted = [c for c in (label_column,) if c] if require_labels else []
    for col in wanted:
        if col not in header:
            raise DataError(f"{path}: no column {col!r} (columns: {', '.join(header)})")
    optional = {c: c in header for c in ("kind", "urgent", "innovation", "urgency")}
    table = LabelledTable(texts=[], labels=[])
    digest = hashlib.sha256()
    try:
        for row_no, row in enumerate(reader, start=2):
            text = " ".join(
                (row.get(c) or "").strip() for c in columns if (row.get(c) or "").strip()
            )
            if not text:
                table.dropped_empty += 1
                continue
            label = (row.get(label_column) or "").strip() if label_column else ""
            if require_labels and not label:
                raise DataError(f"row {row_no}: empty {label_column!r} for a non-empty text")
            digest.update(text.encode() + b"\x1f" + label.encode() + b"\x1e")
            table.texts.append(text)
            table.labels.append(label)
            kind = (row.get("kind") or "").strip().lower() if optional["kind"] else ""
            if kind and kind not in KINDS:
                raise DataError(f"row {row_no}: kind must be one of {', '.join(KINDS)}")
            table.kinds.append(kind or None)
            table.urgent.append(
                _flag(row.get("urgent") or "", "urgent", row_no) if optional["urgent"] else None
            )
            table.innovation.append(
                _flag(row.get("innovation") or "", "innovation", row_no)
                if optional["innovation"] else None
            )
            table.weights.append(1.0)
            if optional["urgency"]:  # absent column: the list stays empty (all None)
                table.urgency.append(_level(row.get("urgency") or "", row_no))
    except csv.Error as exc:
        raise DataError(f"{path}: unreadable CSV ({exc})") from None
    if not table.texts:
        raise DataError(f"{path}: no rows with text in column(s) {', '.join(columns)}")
    table.sha256 = digest.hexdigest()
    return table


def _text_columns(wanted: Sequence[str], header: list[str], path: Path) -> list[str]:
    """Resolve ``--text-column`` values; ``title,text`` joins several columns."""
    columns: list[str] = []
    for item in wanted:
        parts = [item] if item in header else [p.strip() for p in item.split(",") if p.strip()]
        columns.extend(parts)
    missing = [c for c in columns if c not in header]
    if missing or not columns:
        raise DataError(
            f"{path}: no column {missing[0] if missing else ''!r} "
            f"(columns: {', '.join(header) or 'none'})"
        )
    return columns


def subset(table: LabelledTable, rows: Sequence[int]) -> LabelledTable:
    """The rows of ``table`` at these positions, as a new table."""
    def pick(values: list[Any]) -> list[Any]:
        return [values[i] for i in rows] if values else []

    return LabelledTable(texts=pick(table.texts), labels=pick(table.labels),
                         kinds=pick(table.kinds), urgent=pick(table.urgent),
                         innovation=pick(table.innovation), weights=pick(table.weights),
                         urgency=pick(table.urgency), urgent_weights=pick(table.urgent_weights))


def check_trainable(table: LabelledTable, min_per_label: int = 2) -> None:
    """Raise ``DataError`` when the labels cannot train a classifier."""
    counts = table.label_counts()
    if len(counts) < 2:
        raise DataError(f"need at least 2 different labels to train, found {len(counts)}")
    rare = sorted(label for label, n in counts.items() if n < min_per_label)
    if rare:
        shown = ", ".join(repr(r) for r in rare[:5]) + (" ..." if len(rare) > 5 else "")
        raise DataError(
            f"{len(rare)} label(s) with fewer than {min_per_label} examples: {shown}; "
            "add examples or pass --drop-rare"
        )


def drop_rare(table: LabelledTable, min_per_label: int) -> list[str]:
    """Remove rows whose label has fewer than ``min_per_label`` examples; return the labels."""
    counts = table.label_counts()
    rare = {label for label, n in counts.items() if n < min_per_label}
    if not rare:
        return []
    keep = [i for i, label in enumerate(table.labels) if label not in rare]
    for name in ("texts", "labels", "kinds", "urgent", "innovation", "weights", "urgency",
                 "urgent_weights"):
        values = getattr(table, name)
        if values:
            setattr(table, name, [values[i] for i in keep])
    return sorted(rare)
