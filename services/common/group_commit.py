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
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: Upper bound of units in one transaction, so that one commit stays short.
DEFAULT_MAX_GROUP = 128


@dataclass(eq=False, slots=True)
class _Unit:
    """One caller's work, its outcome, and the event that wakes the caller."""

    work: Callable[[Any], Any]
    wake: threading.Event = field(default_factory=threading.Event)
    lead: bool = False
    finished: bool = False
    result: Any = None
    error: BaseException | None = None

    def finish(self, result: Any = None, error: BaseException | None = None) -> None:
        self.result, self.error, self.finished = result, error, True
        self.wake.set()


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
        self._max_group = max_group
        self._lock = threading.Lock()
        self._queue: list[_Unit] = []
        self._busy = False

    @property
    def waiting(self) -> int:
        """Units queued for the next commit (the one in flight excluded)."""
        with self._lock:
            return len(self._queue)

    def run(self, work: Callable[[T], R]) -> R:
        """`work(transaction)`'s result, once the transaction that ran it has committed."""
        unit = _Unit(work)
        with self._lock:
            self._queue.append(unit)
            if not self._busy:
                self._busy = unit.lead = True
        while not unit.finished:
            if unit.lead:
                unit.lead = False
                self._lead()
                continue
            unit.wake.wait()
            unit.wake.clear()
        if unit.error is not None:
            raise unit.error
        result: R = unit.result
        return result

    def _lead(self) -> None:
        """Commit the next group, then hand the lead to the first caller still waiting."""
        with self._lock:
            group = self._queue[: self._max_group]
            del self._queue[: self._max_group]
        self._commit(group)
        with self._lock:
            if self._queue:
                heir = self._queue[0]
                heir.lead = True
                heir.wake.set()
            else:
                self._busy = False

    def _commit(self, group: list[_Unit]) -> None:
        outcomes: list[tuple[_Unit, Any, BaseException | None]] = []
        try:
            with self._begin() as transaction:
                for unit in group:
                    outcomes.append(self._apply(unit, transaction))
        except BaseException as failure:
            self._after_failure(group, failure)
            return
        for unit, result, error in outcomes:
            unit.finish(result, error)

    def _apply(self, unit: _Unit, transaction: T) -> tuple[_Unit, Any, BaseException | None]:
        try:
            return unit, unit.work(transaction), None
        except self._isolated as error:
            return unit, None, error

    def _after_failure(self, group: list[_Unit], failure: BaseException) -> None:
        if len(group) == 1 or isinstance(failure, self._shared_failures):
            for unit in group:
                unit.finish(error=failure)
            return
        for unit in group:
            self._commit([unit])
