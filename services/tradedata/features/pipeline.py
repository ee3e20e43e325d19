"""The feature pipeline: one row per (enterprise, as-of) from data strictly before as-of.

Order facts are computed once per data set; each request point then joins the facts of its
enterprise from the look-back window and aggregates them with filters relative to its as-of,
all in one vectorised polars plan (no loop over dates).
"""

from __future__ import annotations

from datetime import date, datetime

import polars as pl

from ..loading import TradeDataset
from .aggregate import PID, concentration, delay_quantile, per_point, volatility
from .coverage import apply_coverage
from .facts import collect_order_facts
from .profile import financing_history, profile
from .registry import FEATURE_NAMES
from .windows import DAY_US, KEYS, LOOKBACK_DAYS, normalise_points, safe_ratio, to_timestamp

# Features that are sums or counts: no activity means zero, not unknown.
_ZERO_WHEN_EMPTY = (
    "volume_3m_usd",
    "volume_6m_usd",
    "volume_12m_usd",
    "orders_3m",
    "orders_12m",
    "growth_3m",
    "growth_6m",
    "growth_12m",
    "growth_yoy_3m",
    "orders_yoy_3m",
    "active_buyers_12m",
    "financings_12m",
    "defaults_12m",
    "late_repayments_12m",
    "outstanding_financing_usd",
)


def _window(points: pl.LazyFrame, facts: pl.LazyFrame) -> pl.LazyFrame:
    age = (pl.col("as_of") - pl.col("ordered_at")).dt.total_microseconds() / DAY_US
    # Facts hold enterprise ids as categoricals (an integer join); points follow suit.
    return (
        points.select(
            PID, pl.col("enterprise_id").cast(facts.collect_schema()["enterprise_id"]), "as_of"
        )
        .join(facts, on="enterprise_id", how="inner")
        .with_columns(age.alias("age"))
        .filter((pl.col("age") > 0) & (pl.col("age") <= LOOKBACK_DAYS))
    )


def features_from_facts(
    ds: TradeDataset,
    facts: pl.LazyFrame,
    points: pl.DataFrame | pl.LazyFrame,
    history_start: datetime | None = None,
) -> pl.LazyFrame:
    """``compute_features_at`` on precomputed ``collect_order_facts`` (reuse across calls)."""
    pts = normalise_points(points).with_row_index(PID).lazy()
    window = _window(pts, facts)
    blocks = [
        per_point(window),
        delay_quantile(window),
        volatility(window),
        concentration(window, "buyer_id", "buyer"),
        concentration(window, "buyer_country", "country"),
        financing_history(pts, ds),
    ]
    out = profile(pts, ds)
    for block in blocks:
        out = out.join(block, on=PID, how="left")
    capital_ratio = safe_ratio(pl.col("volume_12m_usd"), pl.col("_capital_usd"))
    filled = out.with_columns(pl.col(name).fill_null(0) for name in _ZERO_WHEN_EMPTY)
    return (
        apply_coverage(
            filled.with_columns(capital_ratio.alias("volume_to_capital_12m")), history_start
        )
        .sort(PID)
        .select(*KEYS, *FEATURE_NAMES)
    )


def compute_features_at(
    ds: TradeDataset,
    points: pl.DataFrame | pl.LazyFrame,
    history_start: datetime | None = None,
) -> pl.LazyFrame:
    """Features for each (enterprise_id, as_of) pair in ``points`` (point-in-time, vectorised).

    Returns ``enterprise_id``, ``as_of`` and every feature of ``FEATURE_REGISTRY`` in registry
    order, one row per distinct pair, in the order the pairs first appear. With
    ``history_start`` (usually ``extract_start(ds)``) the coverage rule applies: a feature
    whose look-back reaches before that moment is null, never a truncated value.
    """
    facts = collect_order_facts(ds).lazy()
    return features_from_facts(ds, facts, points, history_start)


def compute_features(
    ds: TradeDataset, as_of: date | datetime | str, history_start: datetime | None = None
) -> pl.LazyFrame:
    """One row per enterprise from data strictly before ``as_of``."""
    moment = to_timestamp(as_of)
    points = ds.enterprises.select("enterprise_id", pl.lit(moment).alias("as_of"))
    return compute_features_at(ds, points, history_start)
