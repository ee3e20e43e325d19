"""Group commit: concurrent writers share one transaction and one durable flush.

A durable commit costs a disk flush (SQLite WAL with synchronous=FULL, PostgreSQL with
synchronous_commit=on); committing each unary call on its own spends most of the call on it.
Here each call hands in its unit of work. The first caller that finds no commit running leads:
it opens one transaction, applies every unit queued so far in arrival order, commits, and wakes
each caller with its own result; the first caller still queued then leads the next group. Calls
that arrive while a commit is in flight wait for the next one, so groups grow with the load and
a lone caller pays nothing extra. A call returns only after the commit that holds its write, so
durability is exactly that of the transaction.

A unit may fail alone with one of the `isolated` errors, which it must raise before writing
anything (a failed optimistic check, say): the others commit. Any other failure rolls the group
back; unless it is one of the `shared_failures` (the database is down: every unit would fail
again), each unit is then retried in a transaction of its own, so one bad write cannot fail its
neighbours.

The gathering itself (:class:`Gathered`) serves any work that is cheaper done for many callers
at once than for each alone.
"""

from __future__ import annotations

import threading
from _thread import allocate_lock as _allocate_lock
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, Generic, TypeVar

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 - the item type, beside T and R
R = TypeVar("R")

#: Upper bound of units in one transaction, so that one commit stays short.
DEFAULT_MAX_GROUP = 128

#: Most waits of a leader for its group to fill (see `Gathered`'s `gather_seconds`).
GATHER_ROUNDS = 20

#: One caller's answer: its result, or the error that is its answer.
Outcome = tuple[Any, BaseException | None]


class _Waiter:
    """One caller's item, its outcome, and the lock that wakes the caller: held from the start
    and released once, when the caller has something to do (lead, or read its outcome). A bare
    lock costs a fraction of an Event, whose wait and set go through a Python Condition."""

    __slots__ = ("item", "_wake", "lead", "finished", "result", "error")

    def __init__(self, item: Any) -> None:
        self.item = item
        self._wake = _allocate_lock()
        self._wake.acquire()
        self.lead = False
        self.finished = False
        self.result: Any = None
        self.error: BaseException | None = None

    def wait(self) -> None:
        """Block until `wake` (which may already have happened); then ready for the next one."""
        self._wake.acquire()

    def wake(self) -> None:
        self._wake.release()

    def finish(self, outcome: Outcome) -> None:
        self.result, self.error = outcome
        self.finished = True
        self.wake()


class Gathered(Generic[I, R]):
    """Concurrent calls gathered into one `process(items)` call, led by the first caller that
    finds none running; the callers that queue meanwhile make up the next group. `process`
    returns one (result, error) per item, in order; an exception it raises answers them all.
    With `gather_seconds` a leader first lets its group fill (see `_await_group`)."""

    def __init__(
        self,
        process: Callable[[list[I]], list[Outcome]],
        max_group: int = DEFAULT_MAX_GROUP,
        *,
        gather_seconds: float = 0.0,
    ) -> None:
        self._process = process
        self._max_group = max_group
        self._gather_seconds = gather_seconds
        self._lock = threading.Lock()
        self._queue: list[_Waiter] = []
        self._busy = False
        # Callers inside `run`, and the most of them seen since the last group was taken.
        self._inside = 0
        self._peak = 0
        # A leader waiting for its group to fill, released once `_want` callers are queued.
        self._filled: Any = None
        self._want = 0

    @property
    def waiting(self) -> int:
        """Calls queued for the next group (the one in flight excluded)."""
        with self._lock:
            return len(self._queue)

    def run(self, item: I) -> R:
        """This item's result, once the group that holds it has been processed."""
        waiter = _Waiter(item)
        with self._lock:
            self._queue.append(waiter)
            self._inside += 1
            if self._inside > self._peak:
                self._peak = self._inside
            if not self._busy:
                self._busy = waiter.lead = True
            elif self._filled is not None and len(self._queue) >= self._want:
                self._filled.release()
                self._filled = None
        while not waiter.finished:
            if waiter.lead:
                waiter.lead = False
                self._lead()
                continue
            waiter.wait()
        if waiter.error is not None:
            raise waiter.error
        result: R = waiter.result
        return result

    def _lead(self) -> None:
        """Process the next group, then hand the lead to the first caller still waiting."""
        self._await_group()
        with self._lock:
            group = self._queue[: self._max_group]
            del self._queue[: self._max_group]
            self._peak = self._inside
        try:
            outcomes = self._process([w.item for w in group])
        except BaseException as failure:
            outcomes = [(None, failure)] * len(group)
        for waiter, outcome in zip(group, outcomes, strict=True):
            waiter.finish(outcome)
        with self._lock:
            self._inside -= len(group)
            if self._queue:
                heir = self._queue[0]
                heir.lead = True
                heir.wake()
            else:
                self._busy = False

    def _await_group(self) -> None:
        """With `gather_seconds`, let the group fill before taking it: while fewer callers are
        queued than were in flight at once during the last group, and callers keep arriving
        (one at least every `gather_seconds`, for at most GATHER_ROUNDS such waits). Under
        steady load the callers the last group answered come back at once, and a group of
        one would pay the whole per-group cost alone; a lone caller never waits."""
        if self._gather_seconds <= 0:
            return
        want, queued = min(self._max_group, self._peak), -1
        for _ in range(GATHER_ROUNDS):
            filled = _allocate_lock()
            filled.acquire()
            with self._lock:
                now = len(self._queue)
                if now >= want or now == queued:
                    return
                queued = now
                self._filled, self._want = filled, want
            # Released early by the caller that fills the group.
            filled.acquire(timeout=self._gather_seconds)
            with self._lock:
                self._filled = None


class GroupCommit(Generic[T]):
    """Runs units of work in shared transactions opened by `begin` (a context manager that
    commits on a clean exit and rolls back on an exception, yielding what units write with)."""

    def __init__(
        self,
        begin: Callable[[], AbstractContextManager[T]],
        *,
        isolated: tuple[type[BaseException], ...] = (),
        shared_failures: tuple[type[BaseException], ...] = (),
        max_group: int = DEFAULT_MAX_GROUP,
    ) -> None:
        self._begin = begin
        self._isolated = isolated
        self._shared_failures = shared_failures
        self._gathered: Gathered[Callable[[T], Any], Any] = Gathered(self._commit, max_group)

    @property
    def waiting(self) -> int:
        """Units queued for the next commit (the one in flight excluded)."""
        return self._gathered.waiting

    def run(self, work: Callable[[T], R]) -> R:
        """`work(transaction)`'s result, once the transaction that ran it has committed."""
        result: R = self._gathered.run(work)
        return result

    def _commit(self, group: list[Callable[[T], Any]]) -> list[Outcome]:
        try:
            with self._begin() as transaction:
                outcomes = [self._apply(work, transaction) for work in group]
        except BaseException as failure:
            return self._after_failure(group, failure)
        return outcomes

    def _apply(self, work: Callable[[T], Any], transaction: T) -> Outcome:
        try:
            return work(transaction), None
        except self._isolated as error:
            return None, error

    def _after_failure(
        self, group: list[Callable[[T], Any]], failure: BaseException
    ) -> list[Outcome]:
        if len(group) == 1 or isinstance(failure, self._shared_failures):
            return [(None, failure)] * len(group)
        return [outcome for work in group for outcome in self._commit([work])]
