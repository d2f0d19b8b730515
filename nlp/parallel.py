"""Classify long streams of texts in batches, on several processes when it pays.

Each worker process loads the model once (about 2 s), so a pool is used only for inputs
of more than ``POOL_MIN`` texts; results come back in input order.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from nlp.result import TriageResult
from nlp.triage import Triager

BATCH = 1000
POOL_MIN = 4000

_worker: Triager | None = None


def _init(folder: str, pipeline: str | None) -> None:
    global _worker
    _worker = Triager.from_folder(folder, pipeline)


def _classify(texts: list[str]) -> list[TriageResult]:
    assert _worker is not None
    return _worker.classify_many(texts)


def _batches(texts: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(texts)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def classify_stream(folder: str | Path, texts: Iterable[str], workers: int = 2,
                    pipeline: str | None = None) -> Iterator[TriageResult]:
    """Yield one result per text, in order; spread big inputs over ``workers`` processes."""
    batches = _batches(texts, BATCH)
    head = list(itertools.islice(batches, POOL_MIN // BATCH + 1))
    workers = min(workers, os.cpu_count() or 1)
    if workers <= 1 or len(head) <= POOL_MIN // BATCH:
        triager = Triager.from_folder(folder, pipeline)
        for batch in itertools.chain(head, batches):
            yield from triager.classify_many(batch)
        return
    with ProcessPoolExecutor(workers, initializer=_init, initargs=(str(folder), pipeline)) as pool:
        for results in pool.map(_classify, itertools.chain(head, batches)):
            yield from results
