"""Enterprise profile and past financing behaviour as of each point."""

from __future__ import annotations

import polars as pl

from .. import fx
from ..loading import TradeDataset
from .aggregate import PID
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
    )


def financing_history(points: pl.LazyFrame, ds: TradeDataset) -> pl.LazyFrame:
    c = pl.col
    past = points.join(ds.financings, on="enterprise_id", how="inner").filter(
        c("disbursed_at") < c("as_of")
    )
    repaid = (c("repaid_at") < c("as_of")).fill_null(False)
    written_off = c("defaulted") & (c("due_at") < c("as_of"))
    return past.group_by(PID).agg(
        pl.len().alias("past_financings"),
        written_off.sum().alias("past_defaults"),
        (repaid & (c("repaid_at") > c("due_at"))).sum().alias("past_late_repayments"),
        fx.to_usd("amount", "currency")
        .filter(~repaid & ~written_off)
        .sum()
        .alias("outstanding_financing_usd"),
    )
