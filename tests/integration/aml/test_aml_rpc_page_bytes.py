"""Every AML list stays inside the message limit whatever its rows hold, and pages past them.

Rows are written through the store, below the request bounds (as rows written before those
bounds existed, or by a tool with database access, would be): some large, one larger than a
whole message. The server's message limit is set to 64 KiB so that a few rows fill it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from services._proto.tradeguard.aml.v1 import aml_pb2
from services.aml.alert_records import Actor, AlertStatus, NewAlert
from services.aml.domain import WatchlistEntry
from services.aml.watchlist_store import WatchlistStore

from .conftest import Callers, Harness, aml_settings, start_harness

LIMIT = 64 * 1024
LARGE = 30_000  # characters: two such rows fill a page
HUGE = 1_000_000  # characters: more than a whole message
CLIPPED = "characters clipped]"
SYSTEM = Actor("system", "ADMIN")
REGULATOR = Actor("regulator-1", "REGULATOR")


@pytest.fixture
def small_limit(tmp_path: Path, callers: tuple[Path, Callers]) -> Iterator[Harness]:
    tokens_file, who = callers
    url = f"sqlite:///{tmp_path / 'aml.db'}"
    running = start_harness(aml_settings(tmp_path, tokens_file, url, max_message_bytes=LIMIT), who)
    yield running
    running.channel.close()
    running.service.stop(0)


def _all_pages(call: Callable[[str], Any], items: Callable[[Any], list[Any]]) -> list[Any]:
    """Every item over every page; each response is checked against the message limit."""
    seen: list[Any] = []
    token = ""
    for _ in range(100):
        page = call(token)
        assert page.ByteSize() <= LIMIT
        assert items(page), "a page with a token always carries an item"
        seen += items(page)
        token = page.next_page_token
        if not token:
            return seen
    raise AssertionError("paging never ended")


def _alert(key: str, summary: str) -> NewAlert:
    return NewAlert(
        tenant="bank-1", dedup_key=key, enterprise_id="E1", typology="PHANTOM_SHIPMENT",
        severity="HIGH", risk_score=0.9, source="SCREENING", ruleset_version="rs-1",
        evidence={"summary": summary}, members=("E1",), flows=(), order_ids=("O1",),
    )  # fmt: skip


def test_list_alerts_pages_past_oversized_alerts(small_limit: Harness) -> None:
    sizes = {"a": LARGE, "b": LARGE, "c": HUGE, "d": 10, "e": LARGE, "f": LARGE}
    small_limit.service.store.raise_alerts([_alert(k, k * n) for k, n in sizes.items()], SYSTEM)

    def page(token: str) -> aml_pb2.ListAlertsResponse:
        request = aml_pb2.ListAlertsRequest(page_size=50, page_token=token)
        return small_limit.stub.ListAlerts(request, metadata=small_limit.md("regulator-1"))

    alerts = _all_pages(page, lambda p: list(p.alerts))
    assert sorted(a.dedup_key for a in alerts) == sorted(sizes)
    by_key = {a.dedup_key: a.evidence.summary for a in alerts}
    assert by_key["c"].endswith(CLIPPED) and len(by_key["c"]) < LIMIT
    assert by_key["a"] == "a" * LARGE and by_key["d"] == "d" * 10


def test_list_alert_events_pages_past_oversized_notes(small_limit: Harness) -> None:
    store = small_limit.service.store
    (raised,) = store.raise_alerts([_alert("k", "paid, never shipped")], SYSTEM)
    alert = store.get_alert(raised.alert.alert_id, None)
    for status, note in (
        (AlertStatus.IN_REVIEW, "r" * LARGE),
        (AlertStatus.CONFIRMED, "c" * HUGE),
        (AlertStatus.REPORTED, "p" * LARGE),
    ):
        alert = store.change_status(alert, status, REGULATOR, note, {})

    def page(token: str) -> aml_pb2.ListAlertEventsResponse:
        request = aml_pb2.ListAlertEventsRequest(
            alert_id=alert.alert_id, page_size=50, page_token=token
        )
        return small_limit.stub.ListAlertEvents(request, metadata=small_limit.md("regulator-1"))

    events = _all_pages(page, lambda p: list(p.events))
    assert [e.sequence for e in events] == sorted({e.sequence for e in events})
    assert [e.note[:1] for e in events] == ["", "r", "c", "p"]
    assert events[2].note.endswith(CLIPPED) and events[3].note == "p" * LARGE


def test_list_watchlist_entries_pages_past_oversized_entries(small_limit: Harness) -> None:
    watchlist = WatchlistStore(small_limit.service.store)
    for entry_id, size in (("X-1", LARGE), ("X-2", HUGE), ("X-3", LARGE), ("X-4", LARGE)):
        entry = WatchlistEntry(entry_id, f"Party {entry_id}", "AE", "SANCTIONS", (), "r" * size)
        watchlist.upsert(entry, SYSTEM)

    def page(token: str) -> aml_pb2.ListWatchlistEntriesResponse:
        request = aml_pb2.ListWatchlistEntriesRequest(page_size=50, page_token=token)
        return small_limit.stub.ListWatchlistEntries(
            request, metadata=small_limit.md("regulator-1")
        )

    entries = _all_pages(page, lambda p: list(p.entries))
    listed = [e.entry_id for e in entries if e.entry_id.startswith("X-")]
    assert listed == ["X-1", "X-2", "X-3", "X-4"]
    reasons = {e.entry_id: e.reason for e in entries}
    assert reasons["X-2"].endswith(CLIPPED) and reasons["X-3"] == "r" * LARGE
