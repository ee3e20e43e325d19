"""History windows kept in the alert store's database, so every replica sees what the others saw.

The behaviour rules (structuring, pass-through, shell volume) read a party's recent payments and
orders. Kept in one process, a pattern spread over replicas would never be seen; here the
entries live in ``history_entries`` (SQLite or PostgreSQL), keyed by kind, tenant-scoped key and
document id, so re-screening never counts a payment twice.

A batch of trades is screened against one snapshot: :meth:`SqlWindows.prefetch` loads the keys
the batch touches in one query per kind, the rules read and add in memory, and
:meth:`SqlWindows.flush` writes the batch's new entries in one transaction. Per-trade queries
would cost tens of microseconds each, several per trade; per batch they cost one round trip.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa

from services.aml.detector import AmlDetector
from services.aml.migrations.schema import history_entries
from services.aml.persistence import guard, insert_ignoring_duplicates, to_datetime, to_micros
from services.aml.rules.behaviour import window_spans
from services.aml.rules.history import Entry, MemoryWindows
from services.aml.store import AlertStore, Transaction

_H = history_entries.c
# Keys per IN list: well under SQLite's bound variables and PostgreSQL's plan-friendly sizes.
_CHUNK = 500


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

    def _kind(self, kind: str) -> str:
        return f"{self._namespace}:{kind}"

    @property
    def _batch(self) -> tuple[MemoryWindows, list[dict[str, object]]]:
        batch: tuple[MemoryWindows, list[dict[str, object]]] | None = getattr(
            self._local, "batch", None
        )
        if batch is None:
            raise RuntimeError("SqlWindows is read between prefetch() and flush() only")
        return batch

    def prefetch(self, wanted: Iterable[tuple[str, str]], since: datetime) -> None:
        """Load the entries of (kind, key) pairs into this thread's batch: of each kind, those
        its window can still reach from `since` (the batch's earliest moment less the longest
        window)."""
        windows = MemoryWindows(self._spans, max_keys=1 << 30)
        by_kind: dict[str, set[str]] = defaultdict(set)
        for kind, key in wanted:
            by_kind[kind].add(key)
        earliest = since + max(self._spans.values())
        # A read-only connection: on SQLite it takes no write lock, so it never waits for the
        # commit in flight.
        with guard(), self._store.reader.connect() as connection:
            for kind, keys in by_kind.items():
                start = to_micros(earliest - self._spans[kind])
                for key, entries in self._read(connection, kind, sorted(keys), start).items():
                    windows.load(kind, key, entries)
        self._local.batch = (windows, [])

    def _read(
        self, connection: sa.Connection, kind: str, keys: list[str], start: int
    ) -> dict[str, list[Entry]]:
        """Entries of `keys` after `start`, per key, sorted by (at, doc_id)."""
        found: dict[str, list[Entry]] = defaultdict(list)
        columns = (_H.key, _H.at, _H.doc_id, _H.order_id, _H.amount_usd, _H.counterparty)
        for i in range(0, len(keys), _CHUNK):
            query = (
                sa.select(*columns)
                .where(
                    (_H.kind == self._kind(kind))
                    & _H.key.in_(keys[i : i + _CHUNK])
                    & (_H.at > start)
                )
                .order_by(_H.key, _H.at, _H.doc_id)
            )
            for key, at, doc, order, usd, party in connection.execute(query):
                found[key].append(Entry(to_datetime(at), doc, order, usd, party))
        return found

    def add(self, kind: str, key: str, entry: Entry) -> None:
        windows, pending = self._batch
        windows.add(kind, key, entry)
        pending.append(
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
        return self._batch[0].between(kind, key, start, end)

    def flush(self) -> None:
        """Write the batch's new entries (idempotent per document) and end the batch; the write
        shares its commit with concurrent writers (see `AlertStore.write`)."""
        _, pending = self._batch
        self._local.batch = None
        if not pending:
            return

        def insert(tx: Transaction) -> None:
            connection = tx[0]
            connection.execute(insert_ignoring_duplicates(connection, history_entries), pending)

        self._store.write(insert)

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
