"""The exporter's own price line (:mod:`services.aml.rules.price_lines`), vectorised in polars.

Per order priced beyond the market test: how many of the exporter's earlier orders of the same
6-digit HS code, within the window, were beyond it on the same side, and the order's log price
against their median. Orders within the market get zeros, as on the per-trade path.
"""

from __future__ import annotations

import polars as pl

from services.aml.ruleset import RuleSet


def market_side(rules: RuleSet) -> pl.Expr:
    """Vectorised :func:`services.aml.rules.price_lines.market_side` (0 for unpriced orders)."""
    cfg = rules.pricing
    z, ratio = pl.col("price_z"), pl.col("log_ratio")
    return (
        pl.when((z > cfg.robust_z) & (ratio > cfg.min_log_ratio))
        .then(1)
        .when((z < -cfg.robust_z) & (ratio < -cfg.min_log_ratio))
        .then(-1)
        .otherwise(0)
        .fill_null(0)
    )


def with_price_lines(frame: pl.LazyFrame, rules: RuleSet) -> pl.LazyFrame:
    """`frame` (with price_z, log_ratio, unit_usd) plus price_line_orders and
    price_line_log_ratio."""
    window = f"{round(rules.pricing.line_window_days * 86_400)}s"
    line = ["enterprise_id", "hs6", "side"]
    beyond = (
        frame.with_columns(side=market_side(rules))
        .filter((pl.col("side") != 0) & (pl.col("unit_usd") > 0))
        .select(
            "order_id",
            "enterprise_id",
            "ordered_at",
            "side",
            hs6=pl.col("hs_code").str.slice(0, 6),
            log_price=pl.col("unit_usd").log(),
        )
        .sort("ordered_at", "order_id")
        .with_columns(
            n=pl.col("log_price")
            .is_not_null()
            .cast(pl.Float64)
            .rolling_sum_by("ordered_at", window_size=window, closed="left")
            .over(line),
            median=pl.col("log_price")
            .rolling_median_by("ordered_at", window_size=window, closed="left")
            .over(line),
        )
        .select(
            "order_id",
            price_line_orders=pl.col("n").fill_null(0.0),
            price_line_log_ratio=(pl.col("log_price") - pl.col("median")).fill_null(0.0),
        )
    )
    return frame.join(beyond, on="order_id", how="left").with_columns(
        pl.col("price_line_orders", "price_line_log_ratio").fill_null(0.0)
    )
