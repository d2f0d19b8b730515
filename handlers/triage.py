"""Run triage off the event loop, batching concurrent requests.

Many messages arriving together are classified in one ``classify_many`` call in a worker
thread: a batch costs far less per text than single calls, and the event loop never runs
spaCy or scikit-learn itself. The model can be swapped while running (``reload``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from handlers.tasks import cancel_and_wait
from nlp.redact import redact
from nlp.result import TriageResult
from nlp.triage import Triager

logger = logging.getLogger(__name__)

MAX_BATCH = 32
MAX_WAIT = 0.005  # seconds a request waits for company before its batch starts


def redirect(result: TriageResult, moved: Mapping[str, str]) -> TriageResult:
    """Route predictions of retired areas to the areas that took their work.

    A retired area's probability is added to its new home's; the order is recomputed.
    """
    touched = result.area in moved or any(a in moved for a, _ in result.top_areas)
    if not touched:
        return result
    merged: dict[str, float] = {}
    for area, p in result.top_areas:
        home = moved.get(area, area)
        merged[home] = merged.get(home, 0.0) + p
    top = sorted(merged.items(), key=lambda kv: -kv[1])
    area = moved.get(result.area, result.area)
    confidence = merged.get(area, result.area_confidence)
    return replace(result, area=area, area_confidence=min(1.0, confidence), top_areas=top)


@dataclass(slots=True)
class _Pending:
    text: str
    future: asyncio.Future[TriageResult] = field(repr=False)


class TriageService:
    """An async front for a ``Triager``: ``await classify(text)`` from any coroutine."""

    def __init__(self, triager: Triager, loader: Callable[[], Triager] | None = None) -> None:
        self._triager = triager
        self._loader = loader
        self._queue: asyncio.Queue[_Pending] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._moved: dict[str, str] = {}

    def set_redirects(self, moved: Mapping[str, str]) -> None:
        """Route each retired area (key) to the area that took its work (value)."""
        self._moved = dict(moved)

    @property
    def version(self) -> str:
        return self._triager.version

    @property
    def triager(self) -> Triager:
        return self._triager

    async def start(self) -> None:
        if self._worker is None:
            self._queue = asyncio.Queue()
            self._worker = asyncio.create_task(self._run(), name="triage-batcher")

    async def stop(self) -> None:
        await cancel_and_wait(self._worker)
        self._worker = None

    async def classify(self, text: str) -> TriageResult:
        """Triage ``text`` in the next batch (starts the batcher on first use)."""
        if self._worker is None:
            await self.start()
        assert self._queue is not None
        future: asyncio.Future[TriageResult] = asyncio.get_running_loop().create_future()
        await self._queue.put(_Pending(text, future))
        return await future

    async def classify_many(self, texts: list[str]) -> list[TriageResult]:
        """Triage a list in one worker-thread call."""
        results = await asyncio.to_thread(self._triager.classify_many, texts)
        return [redirect(r, self._moved) for r in results]

    async def redact(self, text: str) -> str:
        """``text`` with personal data replaced; names too when the model's spaCy pipeline
        has a trained NER (an operator's ``SPACY_PIPELINE``), run in a worker thread."""
        preparer = self._triager.preparer
        if not preparer.has_ner:
            return redact(text)  # patterns only: microseconds, no thread hop needed
        return await asyncio.to_thread(redact, text, preparer.person_spans)

    async def reload(self) -> bool:
        """Load the current model again if it changed; return whether it did."""
        if self._loader is None:
            return False
        fresh = await asyncio.to_thread(self._loader)
        if fresh.version == self._triager.version:
            return False
        logger.info("model %s replaces %s", fresh.version, self._triager.version)
        self._triager = fresh
        return True

    async def _run(self) -> None:
        assert self._queue is not None
        queue = self._queue
        while True:
            batch = [await queue.get()]
            deadline = asyncio.get_running_loop().time() + MAX_WAIT
            while len(batch) < MAX_BATCH:
                timeout = deadline - asyncio.get_running_loop().time()
                if timeout <= 0:
                    break
                try:
                    batch.append(await asyncio.wait_for(queue.get(), timeout))
                except TimeoutError:
                    break
            live = [p for p in batch if not p.future.done()]
            if not live:
                continue
            try:
                results = await asyncio.to_thread(self._triager.classify_many,
                                                  [p.text for p in live])
            except Exception as exc:  # hand the error to every waiting caller
                logger.error("triage batch of %d failed", len(live), exc_info=exc)
                for p in live:
                    if not p.future.done():
                        p.future.set_exception(exc)
                continue
            for p, result in zip(live, results, strict=True):
                if not p.future.done():
                    p.future.set_result(redirect(result, self._moved))
