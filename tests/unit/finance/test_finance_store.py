"""Quote store on a real SQLite file and on PostgreSQL: idempotency, tenant scoping, expiry,
durability settings."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from services.common.errors import AlreadyExists, NotFoundError, UnavailableError
from services.finance.store import QuoteStore, StoredQuote

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _quote(quote_id: str = "q-1", **overrides: object) -> StoredQuote:
    base = StoredQuote(
        quote_id=quote_id,
        tenant="insurer-1",
        request_id="req-1",
        kind="premium",
        fingerprint="f" * 64,
        payload=b"\x08\x01payload",
        created_at=NOW,
        valid_until=NOW + timedelta(days=30),
        exporter_id="E-1",
        commercial_cover=0.9,
        political_cover=0.95,
        declined=False,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


@pytest.fixture
def store(db_url: str) -> Iterator[QuoteStore]:
    opened = QuoteStore.open(db_url)
    yield opened
    opened.close()


def test_saved_quote_is_found_by_id_and_by_request(store: QuoteStore) -> None:
    saved = store.save(_quote())
    assert store.get("q-1", "insurer-1", NOW) == saved
    assert store.find_by_request("insurer-1", "req-1") == saved
    assert store.find_by_request("insurer-2", "req-1") is None


def test_subject_columns_and_timestamps_round_trip(store: QuoteStore) -> None:
    created = NOW + timedelta(microseconds=123456)
    store.save(
        _quote(
            exporter_id="E-9", commercial_cover=0.55, political_cover=0.6, declined=True,
            created_at=created, valid_until=created + timedelta(hours=1),
        )
    )  # fmt: skip
    found = store.get("q-1", "insurer-1", NOW)
    assert (found.exporter_id, found.commercial_cover, found.political_cover) == ("E-9", 0.55, 0.6)
    assert found.declined is True
    assert found.created_at == created and found.created_at.tzinfo is not None
    assert found.valid_until == created + timedelta(hours=1)


def test_second_save_of_the_same_request_returns_the_first(store: QuoteStore) -> None:
    first = store.save(_quote("q-1"))
    second = store.save(_quote("q-2"))
    assert second == first
    with pytest.raises(NotFoundError):
        store.get("q-2", None, NOW)


def test_same_request_id_with_another_request_is_refused(store: QuoteStore) -> None:
    store.save(_quote("q-1"))
    with pytest.raises(AlreadyExists):
        store.save(_quote("q-2", fingerprint="0" * 64))


def test_concurrent_identical_requests_store_one_row(store: QuoteStore) -> None:
    results: list[StoredQuote] = []
    threads = [
        threading.Thread(target=lambda i=i: results.append(store.save(_quote(f"q-{i}"))))
        for i in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({r.quote_id for r in results}) == 1


def test_concurrent_saves_commit_together_and_a_reused_id_fails_alone(store: QuoteStore) -> None:
    """Distinct requests all commit; one reusing a request id with another body is refused
    without taking its neighbours in the same group down with it."""
    outcomes: dict[int, object] = {}

    def save(i: int) -> None:
        request = "shared" if i % 8 == 0 else f"r-{i}"
        quote = _quote(f"q-{i}", request_id=request, fingerprint=f"f-{i}")
        try:
            outcomes[i] = store.save(quote).quote_id
        except AlreadyExists as error:
            outcomes[i] = error

    threads = [threading.Thread(target=save, args=(i,)) for i in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refused = [i for i, outcome in outcomes.items() if isinstance(outcome, AlreadyExists)]
    assert len(refused) == 3  # four requests shared one id; the first one stored wins
    for i, outcome in outcomes.items():
        if i % 8:
            assert outcome == f"q-{i}"
            assert store.find_by_request("insurer-1", f"r-{i}") is not None


def test_other_tenants_and_expired_quotes_are_not_found(store: QuoteStore) -> None:
    store.save(_quote())
    with pytest.raises(NotFoundError) as other:
        store.get("q-1", "insurer-2", NOW)
    assert other.value.reason == "QUOTE_NOT_FOUND"
    assert store.get("q-1", None, NOW).tenant == "insurer-1"  # an admin sees every tenant
    with pytest.raises(NotFoundError) as expired:
        store.get("q-1", "insurer-1", NOW + timedelta(days=30))
    assert expired.value.reason == "QUOTE_EXPIRED"


def test_purge_removes_only_expired_quotes(store: QuoteStore) -> None:
    store.save(_quote("q-old", request_id="r-old", valid_until=NOW - timedelta(seconds=1)))
    store.save(_quote("q-new", request_id="r-new"))
    assert store.purge_expired(NOW) == 1
    assert store.find_by_request("insurer-1", "r-old") is None
    assert store.get("q-new", "insurer-1", NOW).quote_id == "q-new"


@pytest.mark.postgres
def test_postgres_commits_synchronously_in_the_given_schema(pg_url: str) -> None:
    store = QuoteStore.open(pg_url)
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SHOW synchronous_commit")).scalar() == "on"
        search_path = conn.execute(sa.text("SHOW search_path")).scalar()
    store.close()
    assert search_path is not None and search_path.startswith("t_")


def test_unsupported_database_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        QuoteStore.open("mysql://user@localhost/finance")


def test_sqlite_runs_in_wal_with_full_sync(tmp_path: Path) -> None:
    store = QuoteStore.open(f"sqlite:///{tmp_path / 'finance.db'}")
    with store._engine.connect() as conn:  # noqa: SLF001 - the pragmas are the point
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(sa.text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(sa.text("PRAGMA busy_timeout")).scalar() == 5000
    store.close()


def test_unreachable_database_is_unavailable(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with pytest.raises(UnavailableError):
        QuoteStore.open(f"sqlite:///{blocked / 'finance.db'}")


def test_a_replay_check_the_database_cannot_answer_is_unavailable(tmp_path: Path) -> None:
    # The replay check reads on a bare pooled connection; a driver error must still come out
    # as the store being unavailable, never as an unexpected error.
    store = QuoteStore.open(f"sqlite:///{tmp_path / 'finance.db'}")
    with store._engine.begin() as conn:  # noqa: SLF001 - breaking the store is the point
        conn.execute(sa.text("DROP TABLE finance_quotes"))
    with pytest.raises(UnavailableError):
        store.find_by_request("bank-1", "r-1")
    store.close()


def test_a_thread_reading_again_sees_what_was_committed_since(tmp_path: Path) -> None:
    # On SQLite each thread keeps its read connection: no snapshot may outlive a read, or the
    # replay check would miss a quote committed after the thread's first read.
    store = QuoteStore.open(f"sqlite:///{tmp_path / 'quotes.db'}")
    try:
        assert store.find_by_request("insurer-1", "req-1") is None
        writer = threading.Thread(target=lambda: store.save(_quote()))
        writer.start()
        writer.join()
        found = store.find_by_request("insurer-1", "req-1")
        assert found is not None and found.quote_id == "q-1"
        purge = threading.Thread(target=lambda: store.purge_expired(NOW + timedelta(days=31)))
        purge.start()
        purge.join()
        assert store.find_by_request("insurer-1", "req-1") is None
    finally:
        store.close()
