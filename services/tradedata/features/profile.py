"""Enterprise profile and past financing behaviour as of each point."""

from __future__ import annotations

import polars as pl

from .. import fx
from ..loading import TradeDataset
from ..outcomes import written_off_by
from .aggregate import PID
from .coverage import REGISTERED_AT
from .windows import DAY_US


def profile(points: pl.LazyFrame, ds: TradeDataset) -> pl.LazyFrame:
    age = (pl.col("as_of") - pl.col("registered_at")).dt.total_microseconds() / DAY_US
    return points.join(ds.enterprises, on="enterprise_id", how="left").select(
        PID,
        "enterprise_id",
        "as_of",
        age.alias("enterprise_age_days"),
        "registered_capital_cny",
        pl.col("employees").cast(pl.Float64),
        "customs_credit",
        "business_model",
        "industry_hs2",
        (pl.col("registered_capital_cny") * fx.rate("CNY")).alias("_capital_usd"),
        pl.col("registered_at").alias(REGISTERED_AT),
    )


HISTORY_DAYS = 365


def financing_history(points: pl.LazyFrame, ds: TradeDataset) -> pl.LazyFrame:
    """Financings of the last 12 months and what is still open at as-of."""
    c = pl.col
    past = points.join(ds.financings, on="enterprise_id", how="inner").filter(
        c("disbursed_at") < c("as_of")
    )
    recent = c("disbursed_at") >= c("as_of") - pl.duration(days=HISTORY_DAYS)
    repaid = (c("repaid_at") < c("as_of")).fill_null(False)
    written_off = written_off_by(c("as_of"))
    return past.group_by(PID).agg(
        recent.sum().alias("financings_12m"),
        (written_off & recent).sum().alias("defaults_12m"),
        (repaid & recent & (c("repaid_at") > c("due_at"))).sum().alias("late_repayments_12m"),
        fx.to_usd("amount", "currency")
        .filter(~repaid & ~written_off)
        .sum()
        .alias("outstanding_financing_usd"),
    )
