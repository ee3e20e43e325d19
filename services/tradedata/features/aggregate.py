"""Point-in-time aggregation of order facts: what was known strictly before each as-of."""

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


def _days_before_as_of(column: str) -> pl.Expr:
    return (c("as_of") - c(column)).dt.total_microseconds() / DAY_US


def _between(low: float, high: float) -> pl.Expr:
    return (c("age") > low) & (c("age") <= high)


def _volume() -> list[pl.Expr]:
    windows = {
        "3m": (0, 91),
        "6m": (0, 182),
        "12m": (0, 365),
        "prev_3m": (91, 182),
        "prev_6m": (182, 364),
        "prev_12m": (365, 730),
    }
    return [
        *(
            _A.filter(_between(lo, hi)).sum().alias(f"_v_{name}")
            for name, (lo, hi) in windows.items()
        ),
        _between(0, 91).sum().alias("orders_3m"),
        _between(0, 365).sum().alias("orders_12m"),
        c("age").filter(_between(0, 365)).min().alias("days_since_last_order"),
    ]


def _exposure(year: pl.Expr) -> list[pl.Expr]:
    amount = _A.filter(year)
    deviation = c("price_deviation").filter(year & c("price_deviation").is_not_null())
    return [
        safe_ratio((_A * c("country_category")).filter(year).sum(), amount.sum()).alias(
            "country_risk_exposure_12m"
        ),
        safe_ratio(_A.filter(year & (c("country_category") >= 5)).sum(), amount.sum()).alias(
            "high_risk_country_share_12m"
        ),
        deviation.mean().alias("unit_price_deviation_12m"),
        (deviation > PRICE_OUTLIER_LOG).mean().alias("price_outlier_share_12m"),
    ]


def _settlement(year: pl.Expr) -> list[pl.Expr]:
    settled = year & (c("settled_at") < c("as_of"))
    delay = (c("settled_at") - c("due_at")).dt.total_microseconds() / DAY_US
    past_due = year & (_days_before_as_of("due_at") > OVERDUE_AFTER_DAYS)
    open_ = c("settled_at").is_null() | (c("settled_at") >= c("as_of"))
    return [
        delay.filter(settled).mean().alias("payment_delay_mean_days_12m"),
        delay.filter(settled)
        .quantile(0.9, interpolation="linear")
        .alias("payment_delay_p90_days_12m"),
        (delay > LATE_AFTER_DAYS).filter(settled).mean().alias("late_payment_share_12m"),
        safe_ratio(_A.filter(past_due & open_).sum(), _A.filter(past_due).sum()).alias(
            "overdue_share_12m"
        ),
    ]


def _documents(year: pl.Expr) -> list[pl.Expr]:
    shipped_age = _days_before_as_of("shipped_at")
    declared_age = _days_before_as_of("declared_at")
    known = (c("declared_at") < c("as_of")) & (c("shipped_at") < c("as_of"))
    match = (c("docs_agree") & known).fill_null(False)
    failed_window = year & (shipped_age > FAILED_AFTER_DAYS)
    undelivered = c("delivered_at").is_null() | (c("delivered_at") >= c("as_of"))
    return_window = year & (shipped_age > RETURN_KNOWN_DAYS)
    customs_window = year & (declared_age > CUSTOMS_KNOWN_DAYS)
    return [
        match.filter(year & (c("age") > MATCH_MIN_AGE_DAYS)).mean().alias("doc_match_rate_12m"),
        undelivered.filter(failed_window).mean().alias("delivery_failure_rate_12m"),
        safe_ratio(
            _A.filter(return_window & c("returned")).sum(), _A.filter(return_window).sum()
        ).alias("refund_share_12m"),
        c("rejected").filter(customs_window).mean().alias("customs_rejection_rate_12m"),
        c("inspected").filter(customs_window).mean().alias("customs_inspection_rate_12m"),
    ]


def per_point(window: pl.LazyFrame) -> pl.LazyFrame:
    """``window``: order facts joined to points (``_pid``, ``as_of``, ``age`` in days)."""
    year = _between(0, 365)
    growth = [
        ((c(f"_v_{w}") + 1.0) / (c(f"_v_prev_{w}") + 1.0)).log().alias(f"growth_{w}")
        for w in ("3m", "6m", "12m")
    ]
    return (
        window.group_by(PID)
        .agg(*_volume(), *_exposure(year), *_settlement(year), *_documents(year))
        .with_columns(growth)
        .rename({"_v_3m": "volume_3m_usd", "_v_6m": "volume_6m_usd", "_v_12m": "volume_12m_usd"})
        .drop("_v_prev_3m", "_v_prev_6m", "_v_prev_12m")
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
