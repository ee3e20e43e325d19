"""The dated amounts that rules needing a party's recent history read: structuring (A5), rapid
pass-through (A7) and the sudden volume of a shell exporter (S5).

A :class:`WindowStore` keeps entries per (kind, key); keys carry the tenant. Entries are keyed by
document id, so re-screening a trade never counts its payments twice. :class:`MemoryWindows` is
the in-process store (one replica, tests, batch replays): a bounded window per key whose old
entries drop as time advances and whose least recently seen keys are evicted beyond a cap.
"""

from __future__ import annotations

import threading
from bisect import bisect_right, insort
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any, Protocol


@dataclass(slots=True, unsafe_hash=True)
class Entry:
    """One dated amount in a key's history."""

    at: datetime
    doc_id: str
    order_id: str
    amount_usd: float
    counterparty: str = ""


class _Series:
    """One key's entries sorted by time, with the ids already seen."""

    __slots__ = ("entries", "ids")

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.ids: set[str] = set()


class WindowState:
    """Recent entries per key within a time window, bounded in keys."""

    def __init__(self, window: timedelta, max_keys: int) -> None:
        self._window = window
        self._max_keys = max_keys
        self._by_key: OrderedDict[str, _Series] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, key: str, entry: Entry) -> None:
        """Record an entry (idempotent per document id) and prune the key's old entries."""
        with self._lock:
            series = self._by_key.get(key)
            if series is None:
                series = self._by_key[key] = _Series()
                while len(self._by_key) > self._max_keys:
                    self._by_key.popitem(last=False)
            else:
                self._by_key.move_to_end(key)
            if entry.doc_id in series.ids:
                return
            insort(series.entries, entry, key=_order)
            series.ids.add(entry.doc_id)
            horizon = series.entries[-1].at - self._window
            if series.entries[0].at > horizon:
                return  # nothing old enough to drop (most adds): spare the search
            drop = bisect_right(series.entries, (horizon, "\uffff"), key=_order)
            for old in series.entries[:drop]:
                series.ids.discard(old.doc_id)
            del series.entries[:drop]

    def load(self, key: str, entries: list[Entry]) -> None:
        """Set a key's entries from a store, already sorted by (at, doc_id)."""
        series = _Series()
        series.entries = entries
        series.ids = {e.doc_id for e in entries}
        with self._lock:
            self._by_key[key] = series

    def between(self, key: str, start: datetime, end: datetime) -> list[Entry]:
        """Entries of `key` with start < at <= end, oldest first."""
        with self._lock:
            series = self._by_key.get(key)
            if series is None:
                return []
            lo = bisect_right(series.entries, (start, "\uffff"), key=_order)
            hi = bisect_right(series.entries, (end, "\uffff"), key=_order)
            return series.entries[lo:hi]

    def __len__(self) -> int:
        return len(self._by_key)


#: The sort key of entries, (at, doc_id); bisect applies it to the entries only, so a probe is
#: given as that tuple. A C-level getter: it runs for every comparison of every add and read.
_order = attrgetter("at", "doc_id")


class StagedEntries(Protocol):
    """A screened batch's new entries, handed over by :meth:`WindowStore.flush` to be made
    durable.

    They are written either inside the transaction that commits what the batch screened
    (:meth:`write_in`, so one commit and one flush hold both) or in a commit of their own
    (:meth:`commit`); :meth:`release` says that transaction has ended, committed or not (a
    store that kept the entries at hand for the batches read meanwhile, or held their keys,
    lets them go)."""

    def write_in(self, transaction: Any) -> None:
        """Add the entries to the store's open write transaction (not yet committed)."""
        ...

    def commit(self) -> None:
        """Make the entries durable in a transaction of their own."""
        ...

    def release(self) -> None:
        """The commit has ended (idempotent)."""
        ...


class NothingStaged:
    """Entries already durable or never kept durable (in-process windows): nothing to write."""

    def write_in(self, transaction: Any) -> None:
        """Nothing to add."""

    def commit(self) -> None:
        """Nothing to commit."""

    def release(self) -> None:
        """Nothing kept."""


NOTHING_STAGED = NothingStaged()


def commit_alone(staged: StagedEntries) -> None:
    """Make staged entries durable in a commit of their own, then free their keys."""
    try:
        staged.commit()
    finally:
        staged.release()


class WindowStore(Protocol):
    """Where history windows live: add entries, read a key's entries in a time range.

    A batch of trades is screened between :meth:`prefetch` (the keys it reads, from `since` on,
    and the keys it may write) and :meth:`flush` (its new entries handed over to be made
    durable, see :class:`StagedEntries`); a shared store holds those keys in between, so that a
    batch beside it waits and then reads what this one wrote. An in-process store needs neither
    and ignores them."""

    def prefetch(
        self,
        wanted: Iterable[tuple[str, str]],
        since: datetime,
        writes: Iterable[tuple[str, str]] = (),
    ) -> None: ...

    def flush(self) -> StagedEntries: ...

    def add(self, kind: str, key: str, entry: Entry) -> None: ...

    def between(self, kind: str, key: str, start: datetime, end: datetime) -> list[Entry]:
        """Entries of (kind, key) with start < at <= end, oldest first."""
        ...


class MemoryWindows:
    """One :class:`WindowState` per kind of window, in this process."""

    def __init__(self, windows: dict[str, timedelta], max_keys: int) -> None:
        self._states = {kind: WindowState(span, max_keys) for kind, span in windows.items()}

    def prefetch(
        self,
        wanted: Iterable[tuple[str, str]],
        since: datetime,
        writes: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Everything is at hand already (and each key is read and added under its own lock)."""

    def flush(self) -> StagedEntries:
        """Nothing to make durable: the windows live and die with the process."""
        return NOTHING_STAGED

    def add(self, kind: str, key: str, entry: Entry) -> None:
        self._states[kind].add(key, entry)

    def load(self, kind: str, key: str, entries: list[Entry]) -> None:
        """Set (kind, key)'s entries from a store, already sorted by (at, doc_id)."""
        self._states[kind].load(key, entries)

    def between(self, kind: str, key: str, start: datetime, end: datetime) -> list[Entry]:
        return self._states[kind].between(key, start, end)
