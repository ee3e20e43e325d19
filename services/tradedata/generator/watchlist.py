"""Negative-list and sanctions entries, some of which appear in trade under disguised names."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from . import vocab
from .config import GeneratorConfig
from .streams import stream

LISTED_COUNTRIES = ("RU", "IR", "AE", "TR", "HK", "KZ", "PK", "NG", "UA")
_REASONS = (
    "Customs fraud conviction",
    "Sanctions designation",
    "Trade-based money laundering investigation",
    "Export control violation",
    "Tax evasion through false invoicing",
)


@dataclass(frozen=True, slots=True)
class Watchlist:
    """The watchlist frame plus the disguised names of the entries used in trade."""

    frame: pl.DataFrame
    used_entries: tuple[str, ...]
    used_variants: tuple[str, ...]
    used_countries: tuple[str, ...]
    used_kinds: tuple[str, ...]


def _names(rng: np.random.Generator, n: int) -> list[str]:
    people = [f"{f} {s}" for f in vocab.LISTED_FIRST for s in vocab.LISTED_LAST]
    firms = [
        f"{s} {t} {x}"
        for s in vocab.LISTED_LAST
        for t in vocab.LISTED_TRADES
        for x in vocab.LISTED_SUFFIX
    ]
    pool = people + firms
    return [pool[i] for i in rng.choice(len(pool), size=min(n, len(pool)), replace=False)]


def make_watchlist(cfg: GeneratorConfig, size: int, used: int) -> Watchlist:
    """``size`` entries; the first ``used`` get a disguised variant for use as trade parties."""
    rng = stream(cfg.seed, "watchlist")
    names = _names(rng, size)
    n = len(names)
    aliases = [
        sorted({vocab.variant(name, "TRANSLITERATION", rng), vocab.reorder(name, rng)} - {name})
        for name in names
    ]
    country = [LISTED_COUNTRIES[i] for i in rng.integers(0, len(LISTED_COUNTRIES), n)]
    kinds = [vocab.VARIANT_KINDS[i % len(vocab.VARIANT_KINDS)] for i in range(used)]
    variants = [vocab.variant(names[i], kinds[i], rng) for i in range(used)]
    frame = pl.DataFrame(
        {
            "entry_id": [f"WL{i:05d}" for i in range(n)],
            "name": names,
            "aliases": aliases,
            "country": country,
            "list": ["SANCTIONS" if r < 0.4 else "NEGATIVE_LIST" for r in rng.random(n)],
            "reason": [_REASONS[i] for i in rng.integers(0, len(_REASONS), n)],
        },
        schema_overrides={"aliases": pl.List(pl.String)},
    )
    ids = tuple(frame["entry_id"][:used].to_list())
    return Watchlist(frame, ids, tuple(variants), tuple(country[:used]), tuple(kinds))
