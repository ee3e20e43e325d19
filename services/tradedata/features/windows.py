"""Request points (enterprise_id, as_of pairs) and shared time helpers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import polars as pl

from ..schemas import TIMESTAMP

KEYS = ("enterprise_id", "as_of")
DAY_US = 86_400_000_000
MONTH_DAYS = 30.4375
LOOKBACK_DAYS = 730  # growth over 12 months compares with the 12 months before


def to_timestamp(value: date | datetime | str) -> datetime:
    """A UTC datetime for a date (midnight), naive datetime (taken as UTC) or ISO string."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0), tzinfo=UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def normalise_points(points: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Unique (enterprise_id, as_of) pairs with as_of as a UTC microsecond timestamp."""
    frame = points.lazy().select("enterprise_id", "as_of").collect()
    as_of = frame.schema["as_of"]
    if as_of == pl.Date():
        expr = pl.col("as_of").cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    elif isinstance(as_of, pl.Datetime) and as_of.time_zone is None:
        expr = pl.col("as_of").dt.replace_time_zone("UTC").dt.cast_time_unit("us")
    else:
        expr = pl.col("as_of").dt.convert_time_zone("UTC").dt.cast_time_unit("us")
    return frame.with_columns(expr.cast(TIMESTAMP)).unique(maintain_order=True)


def safe_ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """``numerator / denominator``, null when the denominator is zero or null."""
    return pl.when(denominator > 0).then(numerator / denominator).otherwise(None)
