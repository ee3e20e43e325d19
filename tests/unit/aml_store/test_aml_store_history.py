"""History windows in the store's database: what one screened batch hands over is read by the
batches after it, before its commit has ended and after; what was never committed is not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from services.aml.history_store import SqlWindows
from services.aml.rules.behaviour import NEAR
from services.aml.rules.history import Entry, StagedEntries, commit_alone
from services.aml.store import AlertStore

from .conftest import make_trail

AT = datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
KEY = "bank-1\x1fpayer:acme imports|DE"
SPANS = {NEAR: timedelta(days=30)}


def _entry(doc_id: str, at: datetime = AT, counterparty: str = "Acme Imports GmbH") -> Entry:
    return Entry(at, doc_id, f"O-{doc_id}", 9_500.0, counterparty)


def _read(windows: SqlWindows) -> list[Entry]:
    """A batch's view of the key: prefetched, read, then handed over with nothing added."""
    windows.prefetch([(NEAR, KEY)], AT - timedelta(days=10), [(NEAR, KEY)])
    try:
        return windows.between(NEAR, KEY, AT - timedelta(days=10), AT + timedelta(days=10))
    finally:
        commit_alone(windows.flush())


def _hand_over(windows: SqlWindows, *entries: Entry) -> StagedEntries:
    windows.prefetch([(NEAR, KEY)], AT - timedelta(days=10), [(NEAR, KEY)])
    for entry in entries:
        windows.add(NEAR, KEY, entry)
    return windows.flush()


def test_a_batch_reads_what_the_batch_before_it_handed_over_before_and_after_its_commit(
    store: AlertStore,
) -> None:
    windows = SqlWindows(store, SPANS)
    first = _entry("P-1", AT - timedelta(days=1))
    staged = _hand_over(windows, first, _entry("P-2"))
    # Not committed yet (SQLite), or committed by the hand-over (PostgreSQL): read either way.
    assert [e.doc_id for e in _read(windows)] == ["P-1", "P-2"]
    commit_alone(staged)
    after = _read(windows)
    assert [e.doc_id for e in after] == ["P-1", "P-2"]
    assert after[0] == first


def test_in_flight_entries_read_as_the_database_gives_them_back(tmp_path: Path) -> None:
    store = AlertStore.open(f"sqlite:///{tmp_path / 'aml.db'}", make_trail(tmp_path / "cp"))
    try:
        windows = SqlWindows(store, SPANS)
        long_name = "Acme Imports " + "x" * 400
        staged = _hand_over(windows, _entry("P-1", counterparty=long_name))
        in_flight = _read(windows)
        commit_alone(staged)
        assert in_flight == _read(windows)
        assert len(in_flight[0].counterparty) == 300
    finally:
        store.close()


def test_entries_whose_commit_never_happened_are_not_read_afterwards(tmp_path: Path) -> None:
    store = AlertStore.open(f"sqlite:///{tmp_path / 'aml.db'}", make_trail(tmp_path / "cp"))
    try:
        windows = SqlWindows(store, SPANS)
        staged = _hand_over(windows, _entry("P-1"))
        assert [e.doc_id for e in _read(windows)] == ["P-1"]
        staged.release()
        assert _read(windows) == []
    finally:
        store.close()


def test_the_purge_keeps_a_replays_entries_and_drops_those_past_both_clocks(
    store: AlertStore,
) -> None:
    windows = SqlWindows(store, SPANS)
    # A replay screened as of AT, written just now: old in trade time only.
    commit_alone(_hand_over(windows, _entry("P-replayed")))
    # An entry as old in trade time and written as long ago (a row from before entries said
    # when they were written reads as written at the epoch).
    commit_alone(_hand_over(windows, _entry("P-stale")))
    with store.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE history_entries SET recorded = 0 WHERE doc_id = 'P-stale'"
        )
    horizon = datetime.now(UTC) - timedelta(days=31)
    assert windows.purge(horizon) == 1
    assert [e.doc_id for e in _read(windows)] == ["P-replayed"]
    # Once the replay's entries are as old in wall time too, they go.
    assert windows.purge(datetime.now(UTC) + timedelta(seconds=1)) == 1
    assert _read(windows) == []


def test_entries_read_back_in_time_then_document_order_from_each_kinds_window(
    store: AlertStore,
) -> None:
    windows = SqlWindows(store, {NEAR: timedelta(days=30), "volume": timedelta(days=5)})
    ids = ["P-b", "P-a", "P-\u00e9", "P-B", "P-0"]
    near = [_entry(doc, AT + timedelta(hours=i % 2)) for i, doc in enumerate(ids)]
    volume = [_entry(f"O-{i}", AT - timedelta(days=i * 3)) for i in range(4)]
    windows.prefetch([], AT, [(NEAR, KEY), ("volume", KEY)])
    for entry in near:
        windows.add(NEAR, KEY, entry)
    for entry in volume:
        windows.add("volume", KEY, entry)
    commit_alone(windows.flush())
    # Read back from the database by the next batch: each kind as far back as its window.
    since = AT - timedelta(days=30)
    windows.prefetch([(NEAR, KEY), ("volume", KEY)], since, [])
    try:
        far = (AT - timedelta(days=60), AT + timedelta(days=1))
        assert windows.between(NEAR, KEY, *far) == sorted(near, key=lambda e: (e.at, e.doc_id))
        assert [e.doc_id for e in windows.between("volume", KEY, *far)] == ["O-1", "O-0"]
    finally:
        commit_alone(windows.flush())
