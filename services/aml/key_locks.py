"""Exclusive locks on sets of string keys within one process.

A screening batch holds the history windows of the parties it touches from the moment it reads
them until its own entries are committed, so a batch in flight beside it waits and then reads
them. A batch takes all its keys at once or waits for all (never some), so two batches can
never hold one key each and wait for the other's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable


class KeyLocks:
    """All-or-nothing exclusive locks over string keys."""

    def __init__(self) -> None:
        self._held: set[str] = set()
        self._changed = threading.Condition()

    def acquire(self, keys: Iterable[str]) -> frozenset[str]:
        """Wait until none of `keys` is held, then hold them all; returns what to release."""
        wanted = frozenset(keys)
        with self._changed:
            self._changed.wait_for(lambda: self._held.isdisjoint(wanted))
            self._held |= wanted
        return wanted

    def release(self, keys: frozenset[str]) -> None:
        with self._changed:
            self._held -= keys
            self._changed.notify_all()

    def __len__(self) -> int:
        with self._changed:
            return len(self._held)
