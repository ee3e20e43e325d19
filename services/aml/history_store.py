"""History windows kept in the alert store's database, so every replica sees what the others saw.

The behaviour rules (structuring, pass-through, shell volume) read a party's recent payments and
orders. Kept in one process, a pattern spread over replicas would never be seen; here the
entries live in ``history_entries`` (SQLite or PostgreSQL), keyed by kind, tenant-scoped key and
document id, so re-screening never counts a payment twice.

A batch of trades is screened against one snapshot: :meth:`SqlWindows.prefetch` loads the keys
the batch touches in one query per kind, the rules read and add in memory, and
:meth:`SqlWindows.flush` writes the batch's new entries in one transaction. Per-trade queries
would cost tens of microseconds each, several per trade; per batch they cost one round trip.

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
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from services.aml.detector import AmlDetector
from services.aml.key_locks import KeyLocks
from services.aml.migrations.schema import history_entries
from services.aml.persistence import guard, new_rows, to_datetime, to_micros
from services.aml.rules.behaviour import window_spans
from services.aml.rules.history import Entry, MemoryWindows
from services.aml.store import AlertStore, Transaction
from services.common.prepared import Prepared, any_of

_H = history_entries.c
# Keys per IN list: well under SQLite's bound variables and PostgreSQL's plan-friendly sizes.
_CHUNK = 500
_ENTRIES = Prepared(
    sa.select(_H.key, _H.at, _H.doc_id, _H.order_id, _H.amount_usd, _H.counterparty)
    .where(
        (_H.kind == sa.bindparam("kind")) & any_of(_H.key, "keys") & (_H.at > sa.bindparam("start"))
    )
    .order_by(_H.key, _H.at, _H.doc_id),
    ["keys"],
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
        by_kind: dict[str, set[str]] = defaultdict(set)
        for kind, key in wanted:
            by_kind[kind].add(key)
        earliest = since + max(self._spans.values())
        with guard():
            for kind, keys in by_kind.items():
                start = to_micros(earliest - self._spans[kind])
                for key, entries in self._read(connection, kind, sorted(keys), start).items():
                    windows.load(kind, key, entries)

    def _read(
        self, connection: sa.Connection, kind: str, keys: list[str], start: int
    ) -> dict[str, list[Entry]]:
        """Entries of `keys` after `start`, per key, sorted by (at, doc_id)."""
        found: dict[str, list[Entry]] = defaultdict(list)
        for i in range(0, len(keys), _CHUNK):
            rows = _ENTRIES.execute(
                connection, kind=self._kind(kind), keys=keys[i : i + _CHUNK], start=start
            )
            for key, at, doc, order, usd, party in rows:
                found[key].append(Entry(to_datetime(at), doc, order, usd, party))
        return found

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

    def flush(self) -> None:
        """Write the batch's new entries (idempotent per document), then release its keys and
        end the batch. On SQLite the write shares its commit with concurrent writers (see
        `AlertStore.write`); on PostgreSQL it commits the transaction holding the locks."""
        batch = self._batch
        self._local.batch = None
        try:
            if batch.connection is not None:
                with guard():
                    new_rows(batch.connection, history_entries).execute_many(
                        batch.connection, batch.pending
                    )
                    batch.connection.commit()
            elif batch.pending:
                pending = batch.pending

                def insert_all(tx: Transaction) -> None:
                    connection = tx[0]
                    new_rows(connection, history_entries).execute_many(connection, pending)

                self._store.write(insert_all)
        finally:
            self._end(batch)

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
