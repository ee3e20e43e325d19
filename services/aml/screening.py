"""Fuzzy name screening against the negative list and sanctions (indicator N1).

Names are normalised (Unidecode transliteration, case, punctuation, legal-form words dropped) and
their tokens sorted, so "Ivanov Trading LLC", "ИВАНОВ ТРЕЙДИНГ" and "trading ivanov" meet in one
form; the comparison is Jaro-Winkler, which forgives the typos and small spelling variants that
real payment messages carry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler
from unidecode import unidecode

from services.aml.domain import WatchlistEntry

# Legal-form and filler words carry no identity; dropping them stops "X Ltd" vs "X Limited"
# from looking different and "A Co" vs "B Co" from looking alike.
_NOISE = frozenset(
    "ltd limited llc inc incorporated corp corporation co company plc gmbh ag sa sarl srl bv nv "
    "oy ab as spa pte pty jsc ojsc ooo zao kg lp llp the and of de".split()
)
_NON_WORD = re.compile(r"[^a-z0-9 ]+")


@lru_cache(maxsize=262_144)
def normalise_name(name: str) -> str:
    """Transliterate, lower-case, drop punctuation and legal forms, sort the tokens."""
    # Dots join abbreviations ("G.m.b.H." -> "gmbh"); other punctuation separates words.
    text = _NON_WORD.sub(" ", unidecode(name).lower().replace(".", ""))
    tokens = [t for t in text.split() if t not in _NOISE]
    if not tokens:  # a name made only of noise words still has to compare with itself
        tokens = text.split()
    return " ".join(sorted(tokens))


def token_cover(a: str, b: str) -> float:
    """How well each normalised name's tokens find a close token in the other (the worse side).

    Jaro-Winkler over whole names rewards a shared prefix such as "export import"; requiring
    every token to be matched stops "Tahir Import Export" from matching "Unity Star Import and
    Export" while typos, transliterations and reordering still pass."""
    ta, tb = a.split(), b.split()
    if not ta or not tb:
        return 0.0

    def cover(xs: list[str], ys: list[str]) -> float:
        return sum(max(JaroWinkler.similarity(x, y) for y in ys) for x in xs) / len(xs)

    return min(cover(ta, tb), cover(tb, ta))


# Below this whole-name similarity a pair is no candidate and its score is left as it is; above
# it, the token cover must agree too.
COVER_FROM = 0.8


def key_similarity(a: str, b: str, jw: float | None = None) -> float:
    """Similarity of two normalised names: whole-name Jaro-Winkler, capped by the token cover
    once it is high enough to be a candidate match."""
    whole = float(JaroWinkler.similarity(a, b) if jw is None else jw)
    return whole if whole < COVER_FROM else min(whole, token_cover(a, b))


@lru_cache(maxsize=262_144)
def name_similarity(a: str, b: str) -> float:
    """Similarity in [0, 1] of two raw names, insensitive to script, case and token order."""
    return key_similarity(normalise_name(a), normalise_name(b))


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
        self._cached = lru_cache(maxsize=65_536)(self._search_key)
        self._best = lru_cache(maxsize=65_536)(self._best_key)

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
        found = self._cached(normalise_name(name), threshold)
        matches = [
            m
            for m in found
            if not country_must_match
            or not country
            or self._country.get(m.entry_id, "") in ("", country)
        ]
        return matches[:limit]

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
        best: dict[int, Match] = {}
        for _, jw, pos in hits:
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
