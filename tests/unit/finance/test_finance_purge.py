"""The periodic purge: expired quotes are deleted on schedule, the thread stops on request, and
a store that is down does not kill it."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from services.finance.purge import QuotePurger
from services.finance.store import QuoteStore, StoredQuote

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _quote(quote_id: str, valid_until: datetime) -> StoredQuote:
    return StoredQuote(
        quote_id=quote_id, tenant="insurer-1", request_id=f"req-{quote_id}", kind="premium",
        fingerprint="f" * 64, payload=b"quote", created_at=NOW - timedelta(days=1),
        valid_until=valid_until, exporter_id="E-1", commercial_cover=0.9, political_cover=0.95,
        declined=False,
    )  # fmt: skip


def _wait_gone(store: QuoteStore, request_id: str, seconds: float = 10.0) -> bool:
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        if store.find_by_request("insurer-1", request_id) is None:
            return True
        time.sleep(0.01)
    return False


def test_purge_once_deletes_only_expired_quotes(db_url: str) -> None:
    store = QuoteStore.open(db_url)
    store.save(_quote("old", NOW - timedelta(seconds=1)))
    store.save(_quote("live", NOW + timedelta(hours=1)))
    purger = QuotePurger(store, 3600, lambda: NOW)
    assert purger.purge_once() == 1
    assert purger.purge_once() == 0
    assert store.find_by_request("insurer-1", "req-live") is not None
    store.close()


def test_thread_purges_on_schedule_and_stops(tmp_path: Path) -> None:
    store = QuoteStore.open(f"sqlite:///{tmp_path / 'finance.db'}")
    now = [NOW]
    purger = QuotePurger(store, 0.02, lambda: now[0])
    purger.start()
    try:
        store.save(_quote("soon", NOW + timedelta(minutes=5)))
        assert store.find_by_request("insurer-1", "req-soon") is not None
        now[0] += timedelta(minutes=5)
        assert _wait_gone(store, "req-soon")
    finally:
        purger.stop()
        store.close()
    assert not purger.running


def test_unreachable_store_is_skipped_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "finance.db"
    store = QuoteStore.open(f"sqlite:///{path}")
    store.close()
    for file in tmp_path.glob("finance.db*"):
        file.unlink()  # the table is gone: every statement fails
    purger = QuotePurger(store, 0.01, lambda: NOW)
    purger.start()
    try:
        assert purger.purge_once() == 0
        time.sleep(0.05)  # several scheduled ticks fail meanwhile
        assert purger.running
    finally:
        purger.stop()
    assert not purger.running
