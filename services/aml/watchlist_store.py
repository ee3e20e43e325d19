"""Watchlist entries (negative list, sanctions) kept in the alert store's database.

Every upsert and delete is an audit event in the same hash chain as the alerts, so a
regulator can see who changed the list and when.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from services.aml.alert_records import Actor, actor_event
from services.aml.audit import EventDraft
from services.aml.domain import WatchlistEntry
from services.aml.migrations.schema import watchlist_entries
from services.aml.page_tokens import page_size_or_default
from services.aml.persistence import guard, to_datetime
from services.aml.store import AlertStore
from services.common.errors import NotFoundError
from services.common.paging import Page, query_scope

_W = watchlist_entries.c


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """A watchlist entry with its bookkeeping."""

    entry: WatchlistEntry
    created_at: datetime
    updated_at: datetime
    version: int


def _entry_from_row(row: Mapping[Any, Any]) -> StoredEntry:
    entry = WatchlistEntry(
        entry_id=row["entry_id"],
        name=row["name"],
        country=row["country"],
        list=row["list_name"],
        aliases=tuple(json.loads(row["aliases"])),
        reason=row["reason"],
    )
    created, updated = to_datetime(row["created_at"]), to_datetime(row["updated_at"])
    return StoredEntry(entry, created, updated, row["version"])


def _values(entry: WatchlistEntry) -> dict[str, Any]:
    return {
        "name": entry.name,
        "aliases": json.dumps(list(entry.aliases), ensure_ascii=False),
        "country": entry.country,
        "list_name": entry.list,
        "reason": entry.reason,
    }


def _event(event_type: str, entry_id: str, actor: Actor, payload: dict[str, Any]) -> EventDraft:
    return actor_event(event_type, actor, {"entry_id": entry_id, **payload})


class WatchlistStore:
    """Create, replace, delete and page through watchlist entries."""

    def __init__(self, store: AlertStore) -> None:
        self._store = store

    def upsert(self, entry: WatchlistEntry, actor: Actor) -> StoredEntry:
        """Create the entry or replace it (its version grows by one)."""
        with self._store.writing() as (connection, chain):
            stamp = chain.now_us
            values = {**_values(entry), "updated_at": stamp}
            where = _W.entry_id == entry.entry_id
            updated = connection.execute(
                watchlist_entries.update().where(where).values(version=_W.version + 1, **values)
            ).rowcount
            if not updated:
                row = {"entry_id": entry.entry_id, "created_at": stamp, "version": 1, **values}
                connection.execute(watchlist_entries.insert().values(**row))
            event_type = "WATCHLIST_UPDATED" if updated else "WATCHLIST_CREATED"
            chain.append(_event(event_type, entry.entry_id, actor, _values(entry)))
            stored = connection.execute(sa.select(watchlist_entries).where(where))
            return _entry_from_row(stored.mappings().one())

    def delete(self, entry_id: str, actor: Actor) -> None:
        """Remove the entry; NotFoundError if there is none."""
        with self._store.writing() as (connection, chain):
            where = _W.entry_id == entry_id
            old = connection.execute(sa.select(watchlist_entries).where(where)).mappings().first()
            if old is None:
                raise NotFoundError(f"watchlist entry {entry_id!r} not found")
            connection.execute(watchlist_entries.delete().where(where))
            chain.append(_event("WATCHLIST_DELETED", entry_id, actor, {"name": old["name"]}))

    def get(self, entry_id: str) -> StoredEntry:
        query = sa.select(watchlist_entries).where(_W.entry_id == entry_id)
        with guard(), self._store.reader.connect() as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            raise NotFoundError(f"watchlist entry {entry_id!r} not found")
        return _entry_from_row(row)

    def list_entries(
        self, page_size: int, page_token: str, list_name: str = ""
    ) -> Page[StoredEntry]:
        """Entries ordered by id, optionally of one list, paged by keyset on entry_id."""
        size = page_size_or_default(page_size)
        scope = query_scope("watchlist", list_name)
        position = self._store.page_tokens.decode(page_token, scope)
        query = sa.select(watchlist_entries).order_by(_W.entry_id).limit(size + 1)
        if list_name:
            query = query.where(_W.list_name == list_name)
        if position is not None:
            query = query.where(_W.entry_id > str(position[0]))
        with guard(), self._store.reader.connect() as connection:
            rows = connection.execute(query).mappings().all()
        items = [_entry_from_row(r) for r in rows[:size]]
        tokens = self._store.page_tokens
        return Page(
            items, len(rows) > size, lambda i: tokens.encode([items[i].entry.entry_id], scope)
        )

    def fingerprint(self) -> tuple[int, int]:
        """(entry count, newest change): cheap to poll, changes with every upsert or delete."""
        query = sa.select(sa.func.count(), sa.func.coalesce(sa.func.max(_W.updated_at), 0))
        with guard(), self._store.reader.connect() as connection:
            count, newest = connection.execute(query).one()
        return int(count), int(newest)

    def all_entries(self) -> list[WatchlistEntry]:
        """Every entry, for loading the screening index."""
        query = sa.select(watchlist_entries).order_by(_W.entry_id)
        with guard(), self._store.reader.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [_entry_from_row(r).entry for r in rows]
