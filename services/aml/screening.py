"""Fuzzy name screening against the negative list and sanctions (indicator N1).

Names meet in the normal form of :mod:`services.aml.names` (transliteration, trade abbreviations
expanded, legal forms dropped, tokens sorted), so "Ivanov Trading LLC", "ИВАНОВ ТРЕЙДИНГ" and
"Ivanov Trdg" match one entry; the index searches every name and alias in one C-level pass.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from services.aml.domain import WatchlistEntry
from services.aml.names import key_similarity, name_similarity, normalise_name

__all__ = ["Match", "NameIndex", "name_similarity", "normalise_name", "screen_party"]


#: Searches a name index remembers (distinct normalised names; bounded, since any name may come).
_SEARCHES_KEPT = 65_536


@dataclass(frozen=True, slots=True)
class Match:
    """A watchlist entry that a screened name resembles."""

    entry_id: str
    name: str
    list: str
    score: float
    matched_name: str


class NameIndex:
    """The watchlist's names and aliases, normalised once, searched with one C-level pass."""

    def __init__(self, entries: Iterable[WatchlistEntry]) -> None:
        self.entries: tuple[WatchlistEntry, ...] = tuple(entries)
        self._keys: list[str] = []
        self._owner: list[int] = []
        self._raw: list[str] = []
        for i, entry in enumerate(self.entries):
            for raw in (entry.name, *entry.aliases):
                if raw.strip():
                    self._keys.append(normalise_name(raw))
                    self._owner.append(i)
                    self._raw.append(raw)
        self._country = {e.entry_id: e.country for e in self.entries}
        # Matches per (normalised name, threshold), oldest dropped first beyond the bound.
        self._found: dict[tuple[str, float], tuple[Match, ...]] = {}
        self._found_lock = threading.Lock()
        # Raw names already primed, per threshold (a hint only: a name missing is primed again).
        self._primed: dict[float, dict[str, None]] = {}
        self._best = lru_cache(maxsize=65_536)(self._best_key)
        self._top = lru_cache(maxsize=65_536)(self._top_match)

    def __len__(self) -> int:
        return len(self.entries)

    def search(
        self,
        name: str,
        country: str = "",
        *,
        threshold: float,
        limit: int = 10,
        country_must_match: bool = False,
    ) -> list[Match]:
        """Entries whose best name or alias scores at least `threshold`, best first."""
        key = normalise_name(name)
        found = self._found.get((key, threshold))
        if found is None:
            found = self._remember(key, threshold, self._search_key(key, threshold))
        matches = [
            m
            for m in found
            if not country_must_match
            or not country
            or self._country.get(m.entry_id, "") in ("", country)
        ]
        return matches[:limit]

    def top_match(
        self, name: str, country: str, threshold: float, country_must_match: bool
    ) -> Match | None:
        """The best entry :meth:`search` finds for a raw name (None below `threshold`),
        remembered per name: every screened trade names its parties again."""
        return self._top(name, country, threshold, country_must_match)

    def _top_match(
        self, name: str, country: str, threshold: float, country_must_match: bool
    ) -> Match | None:
        found = self.search(
            name, country, threshold=threshold, limit=1, country_must_match=country_must_match
        )
        return found[0] if found else None

    def prime(self, names: Iterable[str], threshold: float) -> None:
        """Search the watchlist for every name not searched yet, all in one pass: a batch of
        names compares with the keys several at a time (SIMD), a few times faster than one by
        one; :meth:`search` then finds them done."""
        seen = self._primed.setdefault(threshold, {})
        fresh = [n for n in names if n and n not in seen]
        if not fresh:
            return  # every name searched already (most batches once the parties are known)
        if len(seen) + len(fresh) > _SEARCHES_KEPT:
            seen.clear()
        seen.update(dict.fromkeys(fresh))
        keys = {normalise_name(n) for n in fresh}
        new = [k for k in keys if k and (k, threshold) not in self._found]
        if not new or not self._keys:
            return
        rows = process.cdist(
            new,
            self._keys,
            scorer=JaroWinkler.similarity,
            score_cutoff=threshold,
            dtype=np.float64,
            workers=1,
        )
        for key, row in zip(new, rows, strict=True):
            # As process.extract gives them: best first, ties in the keys' order.
            at = np.flatnonzero(row >= threshold).tolist()
            at.sort(key=lambda pos: -row[pos])
            self._remember(key, threshold, self._matches(key, threshold, [(row[p], p) for p in at]))

    def _remember(self, key: str, threshold: float, found: tuple[Match, ...]) -> tuple[Match, ...]:
        with self._found_lock:
            if len(self._found) >= _SEARCHES_KEPT:
                del self._found[next(iter(self._found))]
            self._found[key, threshold] = found
        return found

    def _search_key(self, key: str, threshold: float) -> tuple[Match, ...]:
        if not key or not self._keys:
            return ()
        hits = process.extract(
            key,
            self._keys,
            scorer=JaroWinkler.similarity,
            score_cutoff=threshold,
            limit=None,
        )
        return self._matches(key, threshold, [(jw, pos) for _, jw, pos in hits])

    def _matches(
        self, key: str, threshold: float, hits: list[tuple[float, int]]
    ) -> tuple[Match, ...]:
        """The entries of the keys that `key` is close to (`hits`: (Jaro-Winkler, position),
        best first), each by its best name or alias."""
        best: dict[int, Match] = {}
        for jw, pos in hits:
            score = key_similarity(key, self._keys[pos], jw)
            if score < threshold:
                continue
            owner = self._owner[pos]
            entry = self.entries[owner]
            if owner not in best or score > best[owner].score:
                best[owner] = Match(
                    entry.entry_id, entry.name, entry.list, float(score), self._raw[pos]
                )
        return tuple(sorted(best.values(), key=lambda m: (-m.score, m.entry_id)))

    def best_score(self, name: str) -> float:
        """Best similarity of one raw name to any entry (0 with an empty watchlist)."""
        return self._best(normalise_name(name))

    def _best_key(self, key: str) -> float:
        if not key or not self._keys:
            return 0.0
        row = process.cdist([key], self._keys, scorer=JaroWinkler.similarity, dtype=np.float64)
        return self._refine(key, row[0])

    def _refine(self, key: str, jw: np.ndarray) -> float:
        """Best :func:`key_similarity` over all keys, visiting them by falling Jaro-Winkler
        (the combined score never exceeds it, so the walk stops early)."""
        best = 0.0
        for pos in np.argsort(-jw, kind="stable"):
            if jw[pos] <= best:
                break
            best = max(best, key_similarity(key, self._keys[pos], float(jw[pos])))
        return best

    def best_scores(self, names: Sequence[str], chunk: int = 2_048) -> np.ndarray:
        """Best similarity of each raw name to any entry, vectorised for batch scans."""
        out = np.zeros(len(names), dtype=np.float64)
        if not self._keys:
            return out
        keys = [normalise_name(n) for n in names]
        for start in range(0, len(keys), chunk):
            block = process.cdist(
                keys[start : start + chunk],
                self._keys,
                scorer=JaroWinkler.similarity,
                dtype=np.float64,
                workers=1,
            )
            for i, row in enumerate(block):
                out[start + i] = self._refine(keys[start + i], row) if keys[start + i] else 0.0
        return out


def screen_party(
    name: str,
    country: str,
    entries: Iterable[WatchlistEntry],
    *,
    threshold: float = 0.90,
    limit: int = 10,
) -> list[Match]:
    """One-off screening of a name against `entries` (builds a throwaway index)."""
    return NameIndex(entries).search(name, country, threshold=threshold, limit=limit)
