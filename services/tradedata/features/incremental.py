"""Bringing a feature table forward: recompute only the enterprises whose trade moved.

An enterprise is recomputed at the new as-of when a document of its is dated between the previous
table's as-of and the new one (an order, a payment, a waybill shipped or delivered, a declaration, a
financing disbursed, due, recognised as defaulted or repaid), or when the previous table lacks
it. Every other row is kept as it was, with its own older `as_of`: what it says stays true of
that date, and the row says which date that is.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from ..loading import TradeDataset
from ..outcomes import DEFAULT_RECOGNISED_DAYS
from .coverage import cover_table, extract_start
from .pipeline import compute_features_at
from .windows import to_timestamp


def _moved(
    frame: pl.LazyFrame, columns: tuple[str, ...], since: datetime, until: datetime
) -> pl.LazyFrame:
    """Rows of `frame` with any of `columns` in [since, until)."""
    return frame.filter(
        pl.any_horizontal(pl.col(c).is_between(since, until, "left") for c in columns)
    )


def changed_enterprises(ds: TradeDataset, since: datetime, until: datetime) -> pl.Series:
    """Enterprises with a document dated in [since, until): what moves their features."""
    owner = ds.orders.select("order_id", "enterprise_id")
    by_order = [
        _moved(ds.payments, ("paid_at",), since, until),
        _moved(ds.waybills, ("shipped_at", "delivered_at"), since, until),
        _moved(ds.declarations, ("declared_at",), since, until),
    ]
    recognised = (pl.col("due_at") + pl.duration(days=DEFAULT_RECOGNISED_DAYS)).alias("_seen")
    events = ("disbursed_at", "due_at", "_seen", "repaid_at")
    financings = _moved(ds.financings.with_columns(recognised), events, since, until)
    ids = [
        _moved(ds.orders, ("ordered_at",), since, until).select("enterprise_id"),
        _moved(ds.enterprises, ("registered_at",), since, until).select("enterprise_id"),
        financings.select("enterprise_id"),
        *(frame.join(owner, on="order_id").select("enterprise_id") for frame in by_order),
    ]
    return pl.concat(ids).unique().collect().get_column("enterprise_id")


def bring_forward(
    ds: TradeDataset, previous: pl.DataFrame, as_of: datetime | str
) -> tuple[pl.DataFrame, int]:
    """The table at `as_of` from `previous` and the data; also how many rows were recomputed."""
    moment = to_timestamp(as_of)
    since = previous.get_column("as_of").max() if previous.height else None
    if isinstance(since, datetime) and since >= moment:
        raise ValueError(f"the table is already as of {since.isoformat()}; give a later --as-of")
    everyone = ds.enterprises.select("enterprise_id").collect().get_column("enterprise_id")
    if not isinstance(since, datetime):
        stale = everyone
    else:
        known = previous.get_column("enterprise_id")
        new = everyone.filter(~everyone.is_in(known.implode()))
        stale = pl.concat([changed_enterprises(ds, since, moment), new])
    stale = stale.unique()
    points = pl.DataFrame({"enterprise_id": stale}).with_columns(pl.lit(moment).alias("as_of"))
    fresh = cover_table(ds, compute_features_at(ds, points).collect(), extract_start(ds))
    kept = previous.filter(~pl.col("enterprise_id").is_in(stale.implode()))
    if fresh.columns != kept.columns:
        raise ValueError("the table's columns differ from today's features: recompute it whole")
    table = pl.concat([kept, fresh]).sort("enterprise_id")
    return table, fresh.height
