"""Reference data for screening, read from a trade-data directory (or loaded data set)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from services.aml.domain import Buyer, Enterprise, ReferenceData, Relation, WatchlistEntry
from services.tradedata.fx import USD_PER_UNIT


def load_reference(data: Any) -> ReferenceData:
    """Enterprises, buyers, watchlist, relations and USD rates from a ``TradeDataset`` or dir."""
    if isinstance(data, str | Path):
        from services.tradedata.loading import load_dataset

        data = load_dataset(Path(data))
    return ReferenceData(
        enterprises=_enterprises(data.enterprises.collect()),
        buyers=_buyers(data.buyers.collect()),
        watchlist=watchlist_entries(data.watchlist.collect()),
        relations=_relations(data.relations),
        usd_rates=dict(USD_PER_UNIT),
    )


def _enterprises(frame: pl.DataFrame) -> dict[str, Enterprise]:
    cols = (
        "enterprise_id",
        "name",
        "registered_at",
        "registered_capital_cny",
        "industry_hs2",
        "region",
        "employees",
    )
    return {
        r[0]: Enterprise(r[0], r[1], r[2], float(r[3]), r[4] or "", r[5] or "", int(r[6]))
        for r in frame.select(cols).iter_rows()
    }


def _buyers(frame: pl.DataFrame) -> dict[str, Buyer]:
    return {
        r[0]: Buyer(r[0], r[1], r[2])
        for r in frame.select("buyer_id", "name", "country").iter_rows()
    }


def watchlist_entries(frame: pl.DataFrame) -> tuple[WatchlistEntry, ...]:
    """Watchlist rows (contract columns) as entries."""
    cols = ("entry_id", "name", "country", "list", "aliases", "reason")
    return tuple(
        WatchlistEntry(e, n, c or "", lst, tuple(a or ()), r or "")
        for e, n, c, lst, a, r in frame.select(cols).iter_rows()
    )


def _relations(frame: pl.LazyFrame | None) -> tuple[Relation, ...]:
    if frame is None:
        return ()
    rows = frame.select("party_a", "party_b", "relation").collect().iter_rows()
    return tuple(Relation(a, b, r) for a, b, r in rows)


def tables_reference(
    enterprises: pl.LazyFrame,
    buyers: pl.LazyFrame,
    relations: pl.LazyFrame | None,
    usd_rates: dict[str, float],
) -> ReferenceData:
    """Reference data from the trade tables alone (batch scans: no watchlist needed)."""
    return ReferenceData(
        enterprises=_enterprises(enterprises.collect()),
        buyers=_buyers(buyers.collect()),
        relations=_relations(relations),
        usd_rates=usd_rates,
    )
