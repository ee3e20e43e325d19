"""History windows kept in the alert store's database, so every replica sees what the others saw.

The behaviour rules (structuring, pass-through, shell volume) read a party's recent payments and
orders. Kept in one process, a pattern spread over replicas would never be seen; here the
entries live in ``history_entries`` (SQLite or PostgreSQL), keyed by kind, tenant-scoped key and
document id, so re-screening never counts a payment twice.

A batch of trades is screened against one snapshot: :meth:`SqlWindows.prefetch` loads the keys
the batch touches in one query (all kinds at once), the rules read and add in memory, and
:meth:`SqlWindows.flush` hands the batch's new entries over: on SQLite they are written in the
transaction that commits the batch's screenings (one commit, one flush for both), on PostgreSQL
in the transaction holding their advisory locks (below). Per-trade queries would cost tens of
microseconds each, several per trade; per batch they cost one round trip.

Two batches in flight that touch one party must not both read its window before either has
written: a structuring pattern split across them would be seen by neither. So a batch holds its
keys from the read until its entries are committed, and a batch that needs one of them waits,
then reads what the first wrote. Within a process the keys are held in :class:`KeyLocks` (on
SQLite, whose single writer is this process, that is all it takes); on PostgreSQL every replica
also takes a transaction-scoped advisory lock per key, in one sorted order so that two replicas
never wait for each other, reads and writes the entries in that transaction, and commits, which
releases them.
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from services.aml.detector import AmlDetector
from services.aml.key_locks import KeyLocks
from services.aml.migrations.schema import history_entries
from services.aml.persistence import guard, new_rows, to_datetime, to_micros
from services.aml.rules.behaviour import window_spans
from services.aml.rules.history import NOTHING_STAGED, Entry, MemoryWindows, StagedEntries
from services.aml.store import AlertStore
from services.common.prepared import Prepared, any_of

_H = history_entries.c
# Keys per IN list: well under SQLite's bound variables and PostgreSQL's plan-friendly sizes.
_CHUNK = 500
# Every kind's entries in one statement: the (kind, key) pairs not wanted and the entries older
# than their kind's window are left out as the rows are read.
_ENTRIES = Prepared(
    sa.select(_H.kind, _H.key, _H.at, _H.doc_id, _H.order_id, _H.amount_usd, _H.counterparty)
    .where(any_of(_H.kind, "kinds") & any_of(_H.key, "keys") & (_H.at > sa.bindparam("start")))
    .order_by(_H.kind, _H.key, _H.at, _H.doc_id),
    ["kinds", "keys"],
)
# Advisory locks in key order, one statement per chunk (unnest keeps the array's order).
_ADVISORY = sa.text(
    "SELECT count(pg_advisory_xact_lock(k)) FROM unnest(CAST(:keys AS bigint[])) AS k"
)


def advisory_key(name: str) -> int:
    """A signed 64-bit PostgreSQL advisory lock key for a window key (collisions only make two
    keys wait for each other)."""
    return int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
    )


@dataclass(slots=True)
class _Batch:
    """One thread's batch between prefetch and flush: its windows, the entries it added, the
    keys it holds and, on PostgreSQL, the transaction holding their advisory locks."""

    windows: MemoryWindows
    held: frozenset[str]
    connection: sa.Connection | None = None
    pending: list[dict[str, object]] = field(default_factory=list)


class SqlWindows:
    """A :class:`services.aml.rules.history.WindowStore` over the store's database.

    `namespace` keeps the live and the shadow rule set's windows apart (they may disagree on
    which payments count)."""

    def __init__(
        self, store: AlertStore, spans: dict[str, timedelta], namespace: str = "live"
    ) -> None:
        self._store = store
        self._spans = spans
        self._namespace = namespace
        self._local = threading.local()
        self._locks = KeyLocks()
        self._advisory = store.engine.dialect.name == "postgresql"

    def _kind(self, kind: str) -> str:
        return f"{self._namespace}:{kind}"

    @property
    def _batch(self) -> _Batch:
        batch: _Batch | None = getattr(self._local, "batch", None)
        if batch is None:
            raise RuntimeError("SqlWindows is read between prefetch() and flush() only")
        return batch

    def prefetch(
        self,
        wanted: Iterable[tuple[str, str]],
        since: datetime,
        writes: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Hold the (kind, key) pairs the batch reads (`wanted`) or may write (`writes`) until
        :meth:`flush`, and load the entries of `wanted` into this thread's batch: of each kind,
        those its window can still reach from `since` (the batch's earliest moment less the
        longest window)."""
        wanted = set(wanted)
        names = sorted({f"{self._kind(kind)}\x1f{key}" for kind, key in {*wanted, *writes}})
        batch = _Batch(MemoryWindows(self._spans, max_keys=1 << 30), self._locks.acquire(names))
        try:
            if self._advisory:
                batch.connection = self._locked_transaction(names)
                self._load(batch.connection, wanted, since, batch.windows)
            else:
                # A read-only connection: on SQLite it takes no write lock, so it never waits
                # for the commit in flight.
                with guard(), self._store.reader.connect() as connection:
                    self._load(connection, wanted, since, batch.windows)
        except BaseException:
            self._end(batch)
            raise
        self._local.batch = batch

    def _locked_transaction(self, names: list[str]) -> sa.Connection:
        """A PostgreSQL transaction holding the advisory lock of every key, taken in one order."""
        keys = sorted({advisory_key(n) for n in names})
        with guard():
            connection = self._store.engine.connect()
            try:
                connection.begin()
                for i in range(0, len(keys), _CHUNK):
                    connection.execute(_ADVISORY, {"keys": keys[i : i + _CHUNK]})
            except BaseException:
                connection.close()
                raise
        return connection

    def _load(
        self,
        connection: sa.Connection,
        wanted: set[tuple[str, str]],
        since: datetime,
        windows: MemoryWindows,
    ) -> None:
        """The entries of every wanted (kind, key) its window can reach from `since`, read in
        one statement per chunk of keys whatever the kinds."""
        if not wanted:
            return
        earliest = since + max(self._spans.values())
        kinds = {self._kind(kind): kind for kind in {kind for kind, _ in wanted}}
        starts = {kind: to_micros(earliest - self._spans[kind]) for kind in kinds.values()}
        keys = sorted({key for _, key in wanted})
        found: dict[tuple[str, str], list[Entry]] = defaultdict(list)
        with guard():
            for i in range(0, len(keys), _CHUNK):
                rows = _ENTRIES.execute(
                    connection,
                    kinds=sorted(kinds),
                    keys=keys[i : i + _CHUNK],
                    start=min(starts.values()),
                )
                for stored_kind, key, at, doc, order, usd, party in rows:
                    kind = kinds[stored_kind]
                    if at > starts[kind] and (kind, key) in wanted:
                        found[kind, key].append(Entry(to_datetime(at), doc, order, usd, party))
        for (kind, key), entries in found.items():
            windows.load(kind, key, entries)

    def add(self, kind: str, key: str, entry: Entry) -> None:
        batch = self._batch
        batch.windows.add(kind, key, entry)
        batch.pending.append(
            {
                "kind": self._kind(kind),
                "key": key,
                "doc_id": entry.doc_id,
                "at": to_micros(entry.at),
                "order_id": entry.order_id,
                "amount_usd": entry.amount_usd,
                "counterparty": entry.counterparty[:300],
            }
        )

    def between(self, kind: str, key: str, start: datetime, end: datetime) -> list[Entry]:
        return self._batch.windows.between(kind, key, start, end)

    def flush(self) -> StagedEntries:
        """End the batch and hand over its new entries (idempotent per document). On SQLite
        they join the transaction that commits the batch's screenings (see `AlertStore.write`),
        and the keys stay held until it ends; on PostgreSQL the transaction holding the
        advisory locks commits them here, which releases the locks, and the keys are freed."""
        batch = self._batch
        self._local.batch = None
        if batch.connection is None:
            return _Staged(self._store, batch, self._end)
        try:
            with guard():
                new_rows(batch.connection, history_entries).execute_many(
                    batch.connection, batch.pending
                )
                batch.connection.commit()
        finally:
            self._end(batch)
        return NOTHING_STAGED

    def _end(self, batch: _Batch) -> None:
        """Roll back what was not committed (releasing the advisory locks) and free the keys."""
        try:
            if batch.connection is not None:
                batch.connection.close()
        finally:
            self._locks.release(batch.held)

    def purge(self, before: datetime) -> int:
        """Drop entries older than `before`, across namespaces (on the store's purge timer)."""
        with guard(), self._store.engine.begin() as connection:
            done = connection.execute(
                history_entries.delete().where(_H.at < to_micros(before))
            ).rowcount
        return int(done or 0)


class _Staged:
    """A SQLite batch's entries waiting for the commit of its screenings, its keys held."""

    def __init__(self, store: AlertStore, batch: _Batch, end: Callable[[_Batch], None]) -> None:
        self._store = store
        self._batch: _Batch | None = batch
        self._end = end

    def write_in(self, transaction: Any) -> None:
        connection: sa.Connection = transaction[0]
        if self._batch is not None:
            new_rows(connection, history_entries).execute_many(connection, self._batch.pending)

    def commit(self) -> None:
        if self._batch is not None and self._batch.pending:
            self._store.write(self.write_in)

    def release(self) -> None:
        batch, self._batch = self._batch, None
        if batch is not None:
            self._end(batch)


def keep_history_in_database(detector: AmlDetector, store: AlertStore) -> SqlWindows:
    """Point the detector's live (and shadow) windows at the database; returns the live store
    (whose :meth:`SqlWindows.purge` drops what no window needs any more)."""
    live = SqlWindows(store, window_spans(detector.rules), "live")
    shadow_rules = detector.shadow_rules
    shadow = SqlWindows(store, window_spans(shadow_rules), "shadow") if shadow_rules else None
    detector.use_windows(live, shadow)
    return live


def history_horizon(detector: AmlDetector, now: datetime) -> datetime:
    """Entries older than this are read by no window of the live or shadow rule set."""
    rules = [r for r in (detector.rules, detector.shadow_rules) if r is not None]
    longest = max(span for r in rules for span in window_spans(r).values())
    return now - longest - timedelta(days=1)
