"""Point-in-time aggregation of order facts: what was known strictly before each as-of.

Each feature's row condition is applied once per row as a mask (``_masked``: the value where the
condition holds, null elsewhere) before a single ``group_by`` with plain sums, means and
minima, which polars runs on its streaming grouped kernels; filtering inside the aggregation
would evaluate every filter group by group. Nulls are skipped by every aggregation, so a masked
aggregate equals the filtered one.
"""

from __future__ import annotations

import polars as pl

from .windows import DAY_US, MONTH_DAYS, safe_ratio

PID = "_pid"
LATE_AFTER_DAYS = 15
OVERDUE_AFTER_DAYS = 30
MATCH_MIN_AGE_DAYS = 14  # documents follow an order within days; younger orders are skipped
FAILED_AFTER_DAYS = 45
RETURN_KNOWN_DAYS = 60
CUSTOMS_KNOWN_DAYS = 7
PRICE_OUTLIER_LOG = 0.5878  # ln(1.8)

c = pl.col
_A = c("amount_usd")
_VOLUME_WINDOWS = {
    "3m": (0, 91),
    "6m": (0, 182),
    "12m": (0, 365),
    "prev_3m": (91, 182),
    "prev_6m": (182, 364),
    "prev_12m": (365, 730),
    "year_ago_3m": (365, 456),
}
# Sums kept as numerators and denominators of ratios, dropped once the ratios exist.
_RATIOS = {
    "country_risk_exposure_12m": ("_risk", "_v_12m"),
    "high_risk_country_share_12m": ("_high", "_v_12m"),
    "overdue_share_12m": ("_overdue", "_past_due"),
    "refund_share_12m": ("_returned", "_return_window"),
}
_HELPERS = (
    "_v_year_ago_3m",
    "_n_year_ago_3m",
    "_v_prev_3m",
    "_v_prev_6m",
    "_v_prev_12m",
    "_risk",
    "_high",
    "_overdue",
    "_past_due",
    "_returned",
    "_return_window",
)

Masks = list[pl.Expr]


def _days_before_as_of(column: str) -> pl.Expr:
    return (c("as_of") - c(column)).dt.total_microseconds() / DAY_US


def _between(low: float, high: float) -> pl.Expr:
    return (c("age") > low) & (c("age") <= high)


def _masked(condition: pl.Expr, value: pl.Expr, name: str) -> pl.Expr:
    return pl.when(condition).then(value).alias(name)


def _volume(year: pl.Expr) -> tuple[Masks, Masks]:
    masks = [_masked(_between(lo, hi), _A, f"_v_{n}") for n, (lo, hi) in _VOLUME_WINDOWS.items()]
    masks += [_between(0, 91).alias("_n_3m"), year.alias("_n_12m"), _masked(year, c("age"), "_age")]
    masks += [_between(365, 456).alias("_n_year_ago_3m")]
    aggs = [
        *(c(f"_v_{name}").sum() for name in _VOLUME_WINDOWS),
        c("_n_3m").sum().alias("orders_3m"),
        c("_n_year_ago_3m").sum(),
        c("_n_12m").sum().alias("orders_12m"),
        c("_age").min().alias("days_since_last_order"),
    ]
    return masks, aggs


def _exposure(year: pl.Expr) -> tuple[Masks, Masks]:
    deviation = c("price_deviation")
    masks = [
        _masked(year, _A * c("country_category"), "_risk"),
        _masked(year & (c("country_category") >= 5), _A, "_high"),
        _masked(year, deviation, "_deviation"),
        _masked(year & deviation.is_not_null(), deviation > PRICE_OUTLIER_LOG, "_outlier"),
    ]
    aggs = [
        c("_risk").sum(),
        c("_high").sum(),
        c("_deviation").mean().alias("unit_price_deviation_12m"),
        c("_outlier").mean().alias("price_outlier_share_12m"),
    ]
    return masks, aggs


def _settled(year: pl.Expr) -> pl.Expr:
    return year & (c("settled_at") < c("as_of"))


def _delay() -> pl.Expr:
    return (c("settled_at") - c("due_at")).dt.total_microseconds() / DAY_US


def _settlement(year: pl.Expr) -> tuple[Masks, Masks]:
    settled = _settled(year)
    delay = _delay()
    past_due = year & (_days_before_as_of("due_at") > OVERDUE_AFTER_DAYS)
    open_ = c("settled_at").is_null() | (c("settled_at") >= c("as_of"))
    masks = [
        _masked(settled, delay, "_delay"),
        _masked(past_due & open_, _A, "_overdue"),
        _masked(past_due, _A, "_past_due"),
    ]
    aggs = [
        c("_delay").mean().alias("payment_delay_mean_days_12m"),
        (c("_delay") > LATE_AFTER_DAYS).mean().alias("late_payment_share_12m"),
        c("_overdue").sum(),
        c("_past_due").sum(),
    ]
    return masks, aggs


def _documents(year: pl.Expr) -> tuple[Masks, Masks]:
    shipped_age = _days_before_as_of("shipped_at")
    known = (c("declared_at") < c("as_of")) & (c("shipped_at") < c("as_of"))
    match = (c("docs_agree") & known).fill_null(False)
    undelivered = c("delivered_at").is_null() | (c("delivered_at") >= c("as_of"))
    return_window = year & (shipped_age > RETURN_KNOWN_DAYS)
    customs = year & (_days_before_as_of("declared_at") > CUSTOMS_KNOWN_DAYS)
    masks = [
        _masked(year & (c("age") > MATCH_MIN_AGE_DAYS), match, "_match"),
        _masked(year & (shipped_age > FAILED_AFTER_DAYS), undelivered, "_undelivered"),
        _masked(return_window & c("returned"), _A, "_returned"),
        _masked(return_window, _A, "_return_window"),
        _masked(customs, c("rejected"), "_rejected"),
        _masked(customs, c("inspected"), "_inspected"),
    ]
    aggs = [
        c("_match").mean().alias("doc_match_rate_12m"),
        c("_undelivered").mean().alias("delivery_failure_rate_12m"),
        c("_returned").sum(),
        c("_return_window").sum(),
        c("_rejected").mean().alias("customs_rejection_rate_12m"),
        c("_inspected").mean().alias("customs_inspection_rate_12m"),
    ]
    return masks, aggs


def per_point(window: pl.LazyFrame) -> pl.LazyFrame:
    """``window``: order facts joined to points (``_pid``, ``as_of``, ``age`` in days)."""
    year = _between(0, 365)
    masks: Masks = []
    aggs: Masks = []
    for block in (_volume, _exposure, _settlement, _documents):
        block_masks, block_aggs = block(year)
        masks += block_masks
        aggs += block_aggs
    growth = [
        ((c(f"_v_{w}") + 1.0) / (c(f"_v_prev_{w}") + 1.0)).log().alias(f"growth_{w}")
        for w in ("3m", "6m", "12m")
    ]
    # The same three months a year earlier: a change free of the calendar's seasons.
    growth += [
        ((c("_v_3m") + 1.0) / (c("_v_year_ago_3m") + 1.0)).log().alias("growth_yoy_3m"),
        ((c("orders_3m") + 1.0) / (c("_n_year_ago_3m") + 1.0)).log().alias("orders_yoy_3m"),
    ]
    ratios = [safe_ratio(c(n), c(d)).alias(name) for name, (n, d) in _RATIOS.items()]
    return (
        window.with_columns(masks)
        .group_by(PID)
        .agg(aggs)
        .with_columns(*growth, *ratios)
        .rename({"_v_3m": "volume_3m_usd", "_v_6m": "volume_6m_usd", "_v_12m": "volume_12m_usd"})
        .drop(_HELPERS)
    )


def delay_quantile(window: pl.LazyFrame) -> pl.LazyFrame:
    """90th percentile of the payment delay, in a group-by of its own: a quantile would keep
    the whole ``per_point`` group-by off polars' streaming kernels (about twice the cost)."""
    return (
        window.filter(_settled(_between(0, 365)))
        .group_by(PID)
        .agg(_delay().quantile(0.9, interpolation="linear").alias("payment_delay_p90_days_12m"))
    )


def volatility(window: pl.LazyFrame) -> pl.LazyFrame:
    """Coefficient of variation over 30.4-day buckets; empty buckets count as zero."""
    buckets = (
        window.filter(c("age") <= 12 * MONTH_DAYS)
        .with_columns((c("age") / MONTH_DAYS).floor().clip(0, 11).cast(pl.Int8).alias("_b"))
        .group_by(PID, "_b")
        .agg(_A.sum().alias("_v"))
    )
    parts = []
    for months in (6, 12):
        recent = c("_b") < months
        mean = c("_v").filter(recent).sum() / months
        square = (c("_v") ** 2).filter(recent).sum() / months
        spread = (square - mean**2).clip(lower_bound=0.0).sqrt()
        parts.append(safe_ratio(spread, mean).alias(f"volatility_{months}m"))
    return buckets.group_by(PID).agg(parts)


def concentration(window: pl.LazyFrame, by: str, prefix: str) -> pl.LazyFrame:
    """Herfindahl index of the last 12 months' order value across ``by``."""
    shares = (
        window.filter(c("age") <= 365)
        .group_by(PID, by)
        .agg(_A.sum().alias("_v"))
        .filter(c("_v") > 0)
        .with_columns((c("_v") / c("_v").sum().over(PID)).alias("_s"))
    )
    aggs = [(c("_s") ** 2).sum().alias(f"{prefix}_hhi_12m")]
    if by == "buyer_id":
        aggs += [c("_s").max().alias("top_buyer_share_12m"), pl.len().alias("active_buyers_12m")]
    return shares.group_by(PID).agg(aggs)
