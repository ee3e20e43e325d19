"""The coverage rule: a feature whose look-back reaches before the extract's history is missing.

An extract starts somewhere. A 12-month volume computed 6 months after that start is not a
12-month volume but an artefact of where the extract begins, and a model trained on it learns
the artefact. So a feature is kept only when its whole look-back window lies inside the
history, or the enterprise registered after the history starts (then its whole life is visible
and a zero is a real zero); otherwise it is null. Training rows and serving rows pass the same rule.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from ..loading import TradeDataset
from .registry import FEATURE_REGISTRY
from .windows import to_timestamp

REGISTERED_AT = "_registered_at"


def extract_start(ds: TradeDataset) -> datetime | None:
    """The first moment the extract holds trade for: its earliest order."""
    first = ds.orders.select(pl.col("ordered_at").min()).collect().item()
    return first if isinstance(first, datetime) else None


def window_covered(lookback_days: int, history_start: datetime) -> pl.Expr:
    """True where the look-back of a row (``as_of``, ``_registered_at``) is fully observed."""
    window_start = pl.col("as_of") - pl.duration(days=lookback_days)
    return (window_start >= history_start) | (pl.col(REGISTERED_AT) >= history_start)


def history_days(history_start: datetime) -> pl.Expr:
    """Days of observed history before a row's as-of; infinite when its whole life is seen."""
    start = to_timestamp(history_start)
    observed = (pl.col("as_of") - start).dt.total_seconds() / 86_400.0
    return pl.when(pl.col(REGISTERED_AT) >= start).then(float("inf")).otherwise(observed)


def apply_coverage(frame: pl.LazyFrame, history_start: datetime | None) -> pl.LazyFrame:
    """Nulls every feature value whose look-back is not covered (no-op without a start)."""
    if history_start is None:
        return frame
    start = to_timestamp(history_start)
    names = [n for n, spec in FEATURE_REGISTRY.items() if spec.lookback_days > 0]
    return frame.with_columns(
        pl.when(window_covered(FEATURE_REGISTRY[n].lookback_days, start))
        .then(pl.col(n))
        .otherwise(None)
        .alias(n)
        for n in names
    )


def cover_table(ds: TradeDataset, frame: pl.DataFrame, start: datetime | None) -> pl.DataFrame:
    """The coverage rule on a feature table computed without it (e.g. on a cluster)."""
    registered = ds.enterprises.select(
        "enterprise_id", pl.col("registered_at").alias(REGISTERED_AT)
    )
    joined = frame.lazy().join(registered, on="enterprise_id", how="left", maintain_order="left")
    return apply_coverage(joined, start).drop(REGISTERED_AT).collect()
