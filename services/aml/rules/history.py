"""Rules that need a party's recent history: structuring (A5), rapid pass-through (A7) and the
sudden volume of a shell exporter (S5).

The history is a bounded in-memory window per key (payer, party, enterprise): entries older
than the window are dropped as time advances, and the least recently seen keys are evicted
beyond a cap, so memory stays flat however long the service runs. Entries are keyed by document
id, so re-screening a trade never counts its payments twice.
"""

from __future__ import annotations

import threading
from bisect import bisect_right, insort
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
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
            drop = bisect_right(series.entries, (horizon, "\uffff"), key=_order)
            for old in series.entries[:drop]:
                series.ids.discard(old.doc_id)
            del series.entries[:drop]

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


def _order(e: Entry | tuple[datetime, str]) -> tuple[datetime, str]:
    return (e.at, e.doc_id) if isinstance(e, Entry) else e


def payer_key(payer_name: str, payer_country: str, payer_account: str = "") -> str:
    """The identity a payer's history is kept under: its account when reported (payers are
    known by their account), else its name as written and its country."""
    if payer_account:
        return payer_account
    return f"{payer_name.strip().lower()}|{payer_country.upper()}"
