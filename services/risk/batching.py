"""Adaptive micro-batching of concurrent scoring calls.

The calling thread that finds no batch running becomes the leader: it answers everything queued
(its own request included, up to `max_batch`) in one pass of the model, hands each call the
batch's answers and its row, then passes the lead to the oldest call still queued. Each call
then writes its own response from its row.

A lone call waits for nobody. Under load the leader first lets the batch fill: while calls keep
arriving it sleeps `gap` at a time (the interpreter lock is free meanwhile, so the other calls
get through the network and the checks that come before the queue), and stops as soon as as
many calls are queued as the last batch held (the load it measured), at the first gap in which
nobody came, or after `linger` in all. A call's cost falls steeply with the batch (the model
reads each tree once for all rows, and one thread does a batch's work with its caches warm),
and at saturation the wait costs no throughput: the processor works on the calls that are
arriving. The gap is long enough for a few calls to arrive under load (a shorter one ended most
fills after a handful, 32 calls in flight making batches of about 6), while the stop at the last
batch's size keeps a steady lighter load from waiting a gap per batch for nobody.

A waiting call sleeps on a bare lock, the cheapest wake-up the interpreter has, and is woken
exactly once (answered, or handed the lead).
"""

from __future__ import annotations

import threading
import time
from _thread import allocate_lock
from collections.abc import Callable, Sequence

from services.risk.answers import Answers
from services.risk.domain import FinancingRequest
from services.risk.scoring import ScoringSnapshot


class _Call:
    __slots__ = ("snapshot", "request", "wake", "answers", "index", "error", "response")

    def __init__(self, snapshot: ScoringSnapshot, request: FinancingRequest) -> None:
        self.snapshot = snapshot
        self.request = request
        self.wake = allocate_lock()
        self.wake.acquire()  # released once: answered, or handed the lead
        self.answers: Answers | None = None
        self.index = 0
        self.error: BaseException | None = None
        self.response: object = None

    @property
    def answered(self) -> bool:
        return self.answers is not None or self.error is not None


class MicroBatcher:
    def __init__(
        self,
        max_batch: int = 64,
        on_answers: Callable[[Answers], None] = lambda answers: None,
        linger: float = 0.005,
        gap: float = 0.001,
        respond: Callable[[ScoringSnapshot, Answers], Sequence[object]] | None = None,
    ) -> None:
        self._max_batch = max_batch
        self._on_answers = on_answers
        self._respond = respond
        self._linger = linger
        self._gap = gap
        self._lock = threading.Lock()
        self._queue: list[_Call] = []
        self._leading = False
        self._last = 1
        """Size of the last batch: more than one call means there is load to wait for."""

    @property
    def queued(self) -> int:
        """Calls waiting for the next batch."""
        return len(self._queue)

    def answer(self, snapshot: ScoringSnapshot, request: FinancingRequest) -> tuple[Answers, int]:
        """`snapshot.answer_rows` for this one request (tenor checked, row looked up), possibly
        computed together with concurrent calls: the batch's answers and this call's row."""
        call = self._wait(snapshot, request)
        assert call.answers is not None
        return call.answers, call.index

    def response(self, snapshot: ScoringSnapshot, request: FinancingRequest) -> object:
        """This request's element of `respond(snapshot, answers)` for its batch: the leader
        writes every call's response in one loop, its caches warm, instead of each call
        writing its own after waking."""
        return self._wait(snapshot, request).response

    def _wait(self, snapshot: ScoringSnapshot, request: FinancingRequest) -> _Call:
        call = _Call(snapshot, request)
        with self._lock:
            self._queue.append(call)
            lead = not self._leading
            self._leading = True
        while True:
            if lead:
                self._lead()
            if not call.answered:
                call.wake.acquire()
            if call.answered:
                break
            lead = True  # woken to lead the next batch
        if call.error is not None:
            raise call.error
        return call

    def _lead(self) -> None:
        self._fill()
        with self._lock:
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
            self._last = len(batch)
        self._run(batch)
        with self._lock:
            if self._queue:
                self._queue[0].wake.release()
            else:
                self._leading = False

    def _fill(self) -> None:
        """Under load, wait while calls keep arriving (see the module's docstring)."""
        seen = len(self._queue)
        if self._linger <= 0 or (self._last <= 1 and seen <= 1):
            return
        deadline = time.monotonic() + self._linger
        enough = min(self._last, self._max_batch)
        while seen < enough and time.monotonic() < deadline:
            time.sleep(self._gap)
            now = len(self._queue)
            if now == seen:
                return
            seen = now

    def _run(self, batch: list[_Call]) -> None:
        """Answer every call of `batch`: one model pass per snapshot among them."""
        by_snapshot: dict[int, list[_Call]] = {}
        for call in batch:
            by_snapshot.setdefault(id(call.snapshot), []).append(call)
        for calls in by_snapshot.values():
            self._run_one_snapshot(calls[0].snapshot, calls)

    def _run_one_snapshot(self, snapshot: ScoringSnapshot, calls: list[_Call]) -> None:
        found: list[_Call] = []
        rows: list[int] = []
        for call in calls:
            try:
                rows.append(snapshot.accept(call.request))
                found.append(call)
            except Exception as error:  # noqa: BLE001 - handed to the call that raised it
                _answer(call, error=error)
        if not found:
            return
        try:
            answers = snapshot.answer_rows([call.request for call in found], rows)
            self._on_answers(answers)
            responses = None if self._respond is None else self._respond(snapshot, answers)
        except Exception as error:  # noqa: BLE001 - every call of the pass sees the failure
            for call in found:
                _answer(call, error=error)
            return
        for index, call in enumerate(found):
            if responses is not None:
                call.response = responses[index]
            _answer(call, answers, index)


def _answer(
    call: _Call,
    answers: Answers | None = None,
    index: int = 0,
    error: BaseException | None = None,
) -> None:
    call.answers, call.index, call.error = answers, index, error
    if call.wake.locked():
        call.wake.release()
