"""Classify long streams of texts in batches, on several processes when it pays.

Each worker process loads the model once (2-3 s), so a pool is used only for inputs of
more than ``POOL_MIN`` texts; results come back in input order.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import TracebackType

from nlp.result import TriageResult
from nlp.triage import Triager

BATCH = 1000
POOL_MIN = 4000

_worker: Triager | None = None


def _init(folder: str, pipeline: str | None, warm: tuple[str, ...] = ()) -> None:
    global _worker
    _worker = Triager.from_folder(folder, pipeline)
    if warm:  # fill the tokenizer's and the feature hashing's caches before real work
        _worker.classify_many(list(warm))


def _classify(texts: list[str]) -> list[TriageResult]:
    assert _worker is not None
    return _worker.classify_many(texts)


def _classify_json(texts: list[str]) -> str:
    """One batch as JSON lines: a single string crosses the process boundary cheaply."""
    assert _worker is not None
    return _json_lines(_worker.classify_many(texts))


def batches(texts: Iterable[str], size: int = BATCH) -> Iterator[list[str]]:
    """Cut ``texts`` into lists of ``size``."""
    iterator = iter(texts)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


class TriagePool:
    """Worker processes that each hold the model of ``folder``."""

    def __init__(self, folder: str | Path, workers: int = 2,
                 pipeline: str | None = None, warm: Iterable[str] = ()) -> None:
        """``warm``: texts each worker classifies once when it starts (to fill caches)."""
        self._pool = ProcessPoolExecutor(workers, initializer=_init,
                                         initargs=(str(folder), pipeline, tuple(warm)))
        self.workers = workers

    def __enter__(self) -> TriagePool:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._pool.shutdown(cancel_futures=exc is not None)

    def warm_up(self) -> None:
        """Wait until every worker has loaded its model."""
        list(self._pool.map(_classify, [["warm up"]] * self.workers))

    def map_batches(self, texts: Iterable[str],
                    size: int = BATCH) -> Iterator[list[TriageResult]]:
        """Yield the results of each batch of ``size`` texts, in order."""
        yield from self._pool.map(_classify, batches(texts, size))

    def classify(self, texts: Iterable[str], size: int = BATCH) -> Iterator[TriageResult]:
        for results in self.map_batches(texts, size):
            yield from results

    def classify_json(self, texts: Iterable[str], size: int = BATCH) -> Iterator[str]:
        """Yield blocks of JSON lines (one object per text, in order)."""
        yield from self._pool.map(_classify_json, batches(texts, size))


def _json_lines(results: Iterable[TriageResult]) -> str:
    return "".join([r.json_line() for r in results])


def _stream(folder: str | Path, texts: Iterable[str], workers: int, pipeline: str | None,
            as_json: bool) -> Iterator[list[TriageResult] | str]:
    """Batches of results (or JSON-line blocks), in order; a pool only for big inputs."""
    chunks = batches(texts)
    head = list(itertools.islice(chunks, POOL_MIN // BATCH + 1))
    workers = min(workers, os.cpu_count() or 1)
    if workers <= 1 or len(head) <= POOL_MIN // BATCH:
        triager = Triager.from_folder(folder, pipeline)
        for batch in itertools.chain(head, chunks):
            results = triager.classify_many(batch)
            yield _json_lines(results) if as_json else results
        return
    every = (text for batch in itertools.chain(head, chunks) for text in batch)
    with TriagePool(folder, workers, pipeline) as pool:
        if as_json:
            yield from pool.classify_json(every)
        else:
            for results in pool.map_batches(every):
                yield results


def classify_json_stream(folder: str | Path, texts: Iterable[str], workers: int = 2,
                         pipeline: str | None = None) -> Iterator[str]:
    """Like ``classify_stream`` but yields blocks of JSON lines, as ``classify`` prints."""
    for block in _stream(folder, texts, workers, pipeline, as_json=True):
        assert isinstance(block, str)
        yield block


def classify_stream(folder: str | Path, texts: Iterable[str], workers: int = 2,
                    pipeline: str | None = None) -> Iterator[TriageResult]:
    """Yield one result per text, in order; spread big inputs over ``workers`` processes."""
    for results in _stream(folder, texts, workers, pipeline, as_json=False):
        assert isinstance(results, list)
        yield from results
