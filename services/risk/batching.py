"""Adaptive micro-batching of concurrent scoring calls, without a timer.

The calling thread that finds no batch running becomes the leader: it scores everything queued
so far (its own request included, up to `max_batch`) in one pass of the model, hands each call
its answer, then passes the lead to the oldest call still queued. Calls that arrive while a
batch runs queue for the next one, so a batch grows with the load and a lone call waits for
nobody. Batches of eight rows or more run the leaf-major TreeSHAP kernel, about twice as fast
per row.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import cast

from services.risk.domain import FinancingRequest, FinancingScore
from services.risk.scoring import ScoringSnapshot


@dataclass(eq=False)
class _Call:
    snapshot: ScoringSnapshot
    request: FinancingRequest
    wake: threading.Event = field(default_factory=threading.Event)
    answered: bool = False
    score: FinancingScore | None = None
    error: BaseException | None = None


class MicroBatcher:
    def __init__(self, max_batch: int = 64) -> None:
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Call] = []
        self._leading = False

    def score(self, snapshot: ScoringSnapshot, request: FinancingRequest) -> FinancingScore:
        """`snapshot.score(request)`, possibly computed together with concurrent calls."""
        call = _Call(snapshot, request)
        with self._lock:
            self._queue.append(call)
            lead = not self._leading
            self._leading = True
        while True:
            if lead:
                self._lead()
            call.wake.wait()
            if call.answered:
                break
            call.wake.clear()  # woken to lead the next batch
            lead = True
        if call.error is not None:
            raise call.error
        return cast(FinancingScore, call.score)

    def _lead(self) -> None:
        with self._lock:
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
        _run(batch)
        with self._lock:
            if self._queue:
                self._queue[0].wake.set()
            else:
                self._leading = False


def _run(batch: list[_Call]) -> None:
    """Answer every call of `batch`: one model pass per snapshot among them."""
    by_snapshot: dict[int, list[_Call]] = {}
    for call in batch:
        by_snapshot.setdefault(id(call.snapshot), []).append(call)
    for calls in by_snapshot.values():
        _run_one_snapshot(calls[0].snapshot, calls)


def _run_one_snapshot(snapshot: ScoringSnapshot, calls: list[_Call]) -> None:
    found: list[_Call] = []
    rows: list[int] = []
    for call in calls:
        try:
            rows.append(snapshot.row(call.request.enterprise_id))
            found.append(call)
        except Exception as error:  # noqa: BLE001 - handed to the call that raised it
            _answer(call, None, error)
    try:
        scores = snapshot.score_rows([call.request for call in found], rows) if found else []
    except Exception as error:  # noqa: BLE001 - every call of the pass sees the failure
        for call in found:
            _answer(call, None, error)
        return
    for call, score in zip(found, scores, strict=True):
        _answer(call, score, None)


def _answer(call: _Call, score: FinancingScore | None, error: BaseException | None) -> None:
    call.score, call.error, call.answered = score, error, True
    call.wake.set()
