"""The watchlist as the service uses it: stored entries kept in step with the detector's name
index, and party screening against them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from services.aml.alert_records import Actor
from services.aml.detector import AmlDetector
from services.aml.domain import WatchlistEntry
from services.aml.screening import Match
from services.aml.watchlist_store import StoredEntry, WatchlistStore
from services.common.paging import Page

#: Candidates the name index is asked for, and matches a party screening returns.
_CANDIDATES = 50
_RETURNED = 10


@dataclass(frozen=True, slots=True)
class PartyMatch:
    """A watchlist entry a party's name resembles, with the entry's country and reason."""

    match: Match
    entry: WatchlistEntry | None


class Watchlist:
    """Changes to the watchlist reach the detector at once; other replicas' changes on reload."""

    def __init__(self, store: WatchlistStore, detector: AmlDetector) -> None:
        self._store = store
        self._detector = detector
        self._entries: dict[str, WatchlistEntry] = {}

    def reload(self) -> None:
        """Hand the stored watchlist to the detector (after a change here or elsewhere)."""
        entries = self._store.all_entries()
        self._detector.set_watchlist(entries)
        self._entries = {e.entry_id: e for e in entries}

    def upsert(self, entry: WatchlistEntry, actor: Actor) -> StoredEntry:
        stored = self._store.upsert(entry, actor)
        self.reload()
        return stored

    def delete(self, entry_id: str, actor: Actor) -> None:
        self._store.delete(entry_id, actor)
        self.reload()

    def list_entries(self, page_size: int, page_token: str, list_name: str) -> Page[StoredEntry]:
        return self._store.list_entries(page_size, page_token, list_name)

    def screen_party(
        self, name: str, country: str, min_score: float, lists: Collection[str]
    ) -> list[PartyMatch]:
        """The best matches at or above `min_score`, of the given lists (all when empty)."""
        matches = self._detector.screen_party(name, country, limit=_CANDIDATES)
        kept = [m for m in matches if m.score >= min_score and (not lists or m.list in lists)]
        return [PartyMatch(m, self._entries.get(m.entry_id)) for m in kept[:_RETURNED]]
