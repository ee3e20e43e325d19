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
keys from the read until its entries are handed over, and a batch that needs one of them waits,
then reads what the first wrote. Within a process the keys are held in :class:`KeyLocks`. On
SQLite, whose single writer is this process, that is all it takes: a batch's entries are handed
over in memory, where the batches read after it find them until the commit that writes them has
ended (then the database has them), so the next batch never waits for a disk flush. On
PostgreSQL every replica also takes a transaction-scoped advisory lock per key, in one sorted
order so that two replicas never wait for each other, reads and writes the entries in that
transaction, and commits, which releases them.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache, partial
from operator import attrgetter
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
#: The order of a key's entries, (at, doc_id), by code point (as `WindowState` bisects them).
_ORDER = attrgetter("at", "doc_id")
# Keys per IN list: well under SQLite's bound variables and PostgreSQL's plan-friendly sizes.
_CHUNK = 500


@cache
def _entries(kinds: int) -> Prepared:
    """Every wanted kind's entries in one statement, one arm per kind: its keys, from its own
    window's start. Each arm probes the (kind, key, at) index once per key of its kind only
    (not once per key of any kind), and the rows come back unordered: on SQLite a sort in the
    statement cost more than the whole read, and a key's few entries are sorted as they are
    loaded. Made once per number of kinds read at once."""
    columns = (_H.kind, _H.key, _H.at, _H.doc_id, _H.order_id, _H.amount_usd, _H.counterparty)
    arms = [
        sa.select(*columns).where(
            (_H.kind == sa.bindparam(f"kind{i}"))
            & any_of(_H.key, f"keys{i}")
            & (_H.at > sa.bindparam(f"start{i}"))
        )
        for i in range(kinds)
    ]
    statement = arms[0] if kinds == 1 else sa.union_all(*arms)
    return Prepared(statement, [f"keys{i}" for i in range(kinds)])


# Advisory locks in key order, one statement per chunk (unnest keeps the array's order).
_ADVISORY = sa.text(
    "SELECT count(pg_advisory_xact_lock(k)) FROM unnest(CAST(:keys AS bigint[])) AS k"
)


def _read(engine: sa.Engine, kinds: int, values: dict[str, object]) -> list[tuple[Any, ...]]:
    return _entries(kinds).read(engine, **values)


def _execute(connection: sa.Connection, kinds: int, values: dict[str, object]) -> Iterable[Any]:
    return _entries(kinds).execute(connection, **values)


def advisory_key(name: str) -> int:
    """A signed 64-bit PostgreSQL advisory lock key for a window key (collisions only make two
    keys wait for each other)."""
    return int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
    )


class _StoredKinds(dict[str, str]):
    """Each kind as stored, in the namespace ("live:near"), made once."""

    def __init__(self, namespace: str) -> None:
        super().__init__()
        self._namespace = namespace

    def __missing__(self, kind: str) -> str:
        stored = self[kind] = f"{self._namespace}:{kind}"
        return stored


@dataclass(slots=True)
class _Batch:
    """One thread's batch between prefetch and flush: its windows, the entries it added, the
    keys it holds and, on PostgreSQL, the transaction holding their advisory locks."""

    windows: MemoryWindows
    held: frozenset[str]
    connection: sa.Connection | None = None
    # The added entries as `history_entries` rows (in its column order).
    pending: list[tuple[object, ...]] = field(default_factory=list)
    # The added entries as the database gives them back (time in whole microseconds, the
    # counterparty clipped), with that time, by (kind, key): read by batches beside this one
    # until its commit has ended.
    added: dict[tuple[str, str], list[tuple[int, Entry]]] = field(default_factory=dict)
    # When the batch's entries are written (wall clock, microseconds; see `purge`).
    recorded: int = field(default_factory=lambda: time.time_ns() // 1_000)


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
        # SQLite: the entries of batches handed over by flush() whose commit has not ended yet,
        # by (kind, key); a batch read meanwhile takes them as if committed.
        self._in_flight: dict[int, dict[tuple[str, str], list[tuple[int, Entry]]]] = {}
        self._in_flight_lock = threading.Lock()
        self._stored = _StoredKinds(namespace)

    def _kind(self, kind: str) -> str:
        return self._stored[kind]

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
        pairs = {*wanted, *writes}
        prefix = {kind: f"{self._stored[kind]}\x1f" for kind in {kind for kind, _ in pairs}}
        names = {prefix[kind] + key for kind, key in pairs}
        batch = _Batch(MemoryWindows(self._spans, max_keys=1 << 30), self._locks.acquire(names))
        try:
            if self._advisory:
                batch.connection = self._locked_transaction(names)
                self._load(partial(_execute, batch.connection), wanted, since, batch.windows)
            else:
                # Entries of batches still committing, taken before the read: a commit that
                # ends in between is then read from the database instead.
                staged = self._staged_entries(wanted)
                # Lone SELECTs on a read-only connection outside any transaction: on SQLite
                # they take no write lock, so they never wait for the commit in flight. Each
                # reads whole keys, and the keys are held: no entry of theirs can be missed.
                reader = partial(_read, self._store.reader)
                self._load(reader, wanted, since, batch.windows, staged)
        except BaseException:
            self._end(batch)
            raise
        self._local.batch = batch

    def _locked_transaction(self, names: set[str]) -> sa.Connection:
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

    def _staged_entries(
        self, wanted: set[tuple[str, str]]
    ) -> dict[tuple[str, str], list[tuple[int, Entry]]]:
        """The wanted pairs' entries in batches whose commit has not ended, oldest batch first."""
        with self._in_flight_lock:
            batches = list(self._in_flight.values())
        found: dict[tuple[str, str], list[tuple[int, Entry]]] = defaultdict(list)
        for added in batches:
            for pair in wanted & added.keys():
                found[pair] += added[pair]
        return found

    def _load(
        self,
        read: Callable[[int, dict[str, object]], Iterable[Any]],
        wanted: set[tuple[str, str]],
        since: datetime,
        windows: MemoryWindows,
        staged: dict[tuple[str, str], list[tuple[int, Entry]]] | None = None,
    ) -> None:
        """The entries of every wanted (kind, key) its window can reach from `since`, read in
        one statement per chunk of keys whatever the kinds."""
        if not wanted:
            return
        earliest = since + max(self._spans.values())
        by_kind: dict[str, list[str]] = defaultdict(list)
        for kind, key in wanted:
            by_kind[kind].append(key)
        stored = self._stored
        kinds = {stored[kind]: kind for kind in by_kind}
        starts = {kind: to_micros(earliest - self._spans[kind]) for kind in by_kind}
        found: dict[tuple[str, str], list[Entry]] = defaultdict(list)
        with guard():
            for i in range(0, max(map(len, by_kind.values())), _CHUNK):
                chunk = {kind: keys[i : i + _CHUNK] for kind, keys in by_kind.items()}
                arms = [(kind, keys) for kind, keys in chunk.items() if keys]
                values: dict[str, object] = {}
                for n, (kind, keys) in enumerate(arms):
                    values[f"kind{n}"] = stored[kind]
                    values[f"keys{n}"] = keys
                    values[f"start{n}"] = starts[kind]
                for stored_kind, key, at, doc, order, usd, party in read(len(arms), values):
                    found[kinds[stored_kind], key].append(
                        Entry(to_datetime(at), doc, order, usd, party)
                    )
        for entries in found.values():
            if len(entries) > 1:
                entries.sort(key=_ORDER)
        for (kind, key), in_flight in (staged or {}).items():
            # As the database would keep them: one entry per document, the first committed.
            known = {e.doc_id: e for e in found[kind, key]}
            for at, entry in in_flight:
                if at > starts[kind]:
                    known.setdefault(entry.doc_id, entry)
            if len(known) > len(found[kind, key]):
                found[kind, key] = sorted(known.values(), key=_ORDER)
        for (kind, key), entries in found.items():
            if entries:
                windows.load(kind, key, entries)

    def add(self, kind: str, key: str, entry: Entry) -> None:
        batch = self._batch
        batch.windows.add(kind, key, entry)
        at, counterparty = to_micros(entry.at), entry.counterparty[:300]
        batch.pending.append(
            (
                self._stored[kind],
                key,
                entry.doc_id,
                at,
                entry.order_id,
                entry.amount_usd,
                counterparty,
                batch.recorded,
            )
        )
        if batch.connection is None:
            # As the database gives it back; an entry already in UTC and within the column's
            # width is that entry (most are: the documents' times are UTC).
            if entry.at.tzinfo is not UTC or counterparty is not entry.counterparty:
                entry = Entry(
                    to_datetime(at), entry.doc_id, entry.order_id, entry.amount_usd, counterparty
                )
            batch.added.setdefault((kind, key), []).append((at, entry))

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
            # Readers take the entries from here until the commit has ended, so the keys are
            # free at once: the next batch need not wait for this one's disk flush.
            staged = _Staged(self._store, batch.pending, self._settled)
            with self._in_flight_lock:
                self._in_flight[id(staged)] = batch.added
            self._end(batch)
            return staged
        try:
            with guard():
                new_rows(batch.connection, history_entries).write_many(
                    batch.connection, batch.pending
                )
                batch.connection.commit()
        finally:
            self._end(batch)
        return NOTHING_STAGED

    def _settled(self, staged: _Staged) -> None:
        """A handed-over batch's commit has ended: its entries are read from the database."""
        with self._in_flight_lock:
            self._in_flight.pop(id(staged), None)

    def _end(self, batch: _Batch) -> None:
        """Roll back what was not committed (releasing the advisory locks) and free the keys."""
        try:
            if batch.connection is not None:
                batch.connection.close()
        finally:
            self._locks.release(batch.held)

    def purge(self, before: datetime) -> int:
        """Drop entries older than `before` both in trade time and in when they were written,
        across namespaces (on the store's purge timer). The second clock keeps a replay's
        entries: trades screened `as_of` a past moment write entries that are old in trade time
        the moment they are written, and the replay's next trades still read them."""
        horizon = to_micros(before)
        with guard(), self._store.engine.begin() as connection:
            done = connection.execute(
                history_entries.delete().where((_H.at < horizon) & (_H.recorded < horizon))
            ).rowcount
        return int(done or 0)


class _Staged:
    """A SQLite batch's entries waiting for the commit of its screenings (read by batches
    beside it meanwhile, see `SqlWindows.flush`)."""

    def __init__(
        self,
        store: AlertStore,
        rows: list[tuple[object, ...]],
        settled: Callable[[_Staged], None],
    ) -> None:
        self._store = store
        self._rows = rows
        self._settled: Callable[[_Staged], None] | None = settled

    def write_in(self, transaction: Any) -> None:
        connection: sa.Connection = transaction[0]
        new_rows(connection, history_entries).write_many(connection, self._rows)

    def commit(self) -> None:
        if self._rows:
            self._store.write(self.write_in)

    def release(self) -> None:
        settled, self._settled = self._settled, None
        if settled is not None:
            settled(self)


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
