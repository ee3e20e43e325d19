"""Watchlist entries: upsert with versions, delete, paging, and every change in the audit log."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from services.aml.domain import WatchlistEntry
from services.aml.migrations.schema import alert_events
from services.aml.store import AlertStore
from services.aml.watchlist_store import WatchlistStore
from services.common.errors import NotFoundError, ValidationError

from .conftest import REGULATOR


def _entry(entry_id: str = "W1", **fields: object) -> WatchlistEntry:
    values: dict[str, object] = {
        "entry_id": entry_id,
        "name": "Ivan Petrov Trading",
        "country": "RU",
        "list": "SANCTIONS",
        "aliases": ("Иван Петров", "I. Petrov"),
        "reason": "designated 2024",
    }
    values.update(fields)
    return WatchlistEntry(**values)  # type: ignore[arg-type]


def _events(store: AlertStore) -> list[tuple[str, str]]:
    query = sa.select(alert_events.c.event_type, alert_events.c.payload).order_by(
        alert_events.c.seq
    )
    with store.engine.connect() as connection:
        return [(row.event_type, row.payload) for row in connection.execute(query)]


def test_upsert_creates_then_replaces(store: AlertStore) -> None:
    watchlist = WatchlistStore(store)
    created = watchlist.upsert(_entry(), REGULATOR)
    replaced = watchlist.upsert(_entry(reason="still designated"), REGULATOR)
    assert created.version == 1 and replaced.version == 2
    assert replaced.entry == _entry(reason="still designated")
    assert replaced.created_at == created.created_at
    assert watchlist.get("W1").entry.aliases == ("Иван Петров", "I. Petrov")
    assert [e for e, _ in _events(store)] == ["WATCHLIST_CREATED", "WATCHLIST_UPDATED"]
    assert store.verify_audit().ok


def test_delete_removes_and_logs(store: AlertStore) -> None:
    watchlist = WatchlistStore(store)
    watchlist.upsert(_entry(), REGULATOR)
    watchlist.delete("W1", REGULATOR)
    with pytest.raises(NotFoundError):
        watchlist.get("W1")
    with pytest.raises(NotFoundError):
        watchlist.delete("W1", REGULATOR)
    assert [e for e, _ in _events(store)] == ["WATCHLIST_CREATED", "WATCHLIST_DELETED"]
    assert watchlist.all_entries() == []


def test_list_pages_by_id_and_filters_by_list(store: AlertStore) -> None:
    watchlist = WatchlistStore(store)
    for i in range(7):
        kind = "SANCTIONS" if i % 2 else "NEGATIVE_LIST"
        watchlist.upsert(_entry(f"W{i}", list=kind), REGULATOR)
    ids: list[str] = []
    token = ""
    while True:
        page = watchlist.list_entries(3, token)
        ids += [s.entry.entry_id for s in page.items]
        token = page.next_page_token
        if not token:
            break
    assert ids == [f"W{i}" for i in range(7)]
    sanctions = watchlist.list_entries(0, "", "SANCTIONS").items
    assert [s.entry.entry_id for s in sanctions] == ["W1", "W3", "W5"]
    assert [e.entry_id for e in watchlist.all_entries()] == ids
    with pytest.raises(ValidationError):
        watchlist.list_entries(3, watchlist.list_entries(3, "").next_page_token, "SANCTIONS")
