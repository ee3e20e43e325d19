"""Features of a foreign buyer's payment behaviour across every exporter it buys from, as of a
date: the single window sees all of a buyer's invoices, not only one insured's.

Only what was known at ``as_of`` counts: invoices due before it, payments made before it. Per
buyer, over the last 12 months (and the last 3, for the trend):
- days beyond terms (DBT): final payment time minus due date, mean and 90th percentile, and the
  amount share paid more than 30 days late;
- unpaid: the amount share of invoices due more than 30 days ago still not fully paid;
- disputed: the share of shipments returned;
- concentration: how many exporters sell to it and the largest one's share of its purchases;
- size: purchases in USD, number of invoices; the country's OECD risk category.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl

from services.tradedata import countries, fx

FEATURES: tuple[str, ...] = (
    "invoices_12m",
    "purchases_usd_12m_log",
    "exporters_12m",
    "top_exporter_share",
    "dbt_mean_12m",
    "dbt_p90_12m",
    "late30_share_12m",
    "dbt_mean_3m",
    "dbt_trend",
    "unpaid_share",
    "returned_share_12m",
    "credit_share_12m",
    "country_category",
)
LATE_DAYS = 30


def _invoices(orders: pl.LazyFrame, payments: pl.LazyFrame, as_of: datetime) -> pl.LazyFrame:
    """Credit and prepaid invoices due in the 12 months before ``as_of``, with what was paid
    by then and when."""
    since = as_of - timedelta(days=365)
    paid = (
        payments.filter(pl.col("paid_at") < as_of)
        .group_by("order_id")
        .agg(pl.col("amount").sum().alias("paid"), pl.col("paid_at").max().alias("last_paid"))
    )
    return (
        orders.with_columns(
            due=pl.col("ordered_at") + pl.duration(days=pl.col("credit_days")),
            usd=fx.to_usd("amount", "currency"),
        )
        .filter(pl.col("due") < as_of, pl.col("due") >= since)
        .join(paid, on="order_id", how="left")
        .with_columns(
            settled=pl.col("paid").fill_null(0.0) >= pl.col("amount") * 0.99,
            dbt=(pl.col("last_paid") - pl.col("due")).dt.total_hours() / 24.0,
            recent=pl.col("due") >= as_of - timedelta(days=91),
            old_enough=pl.col("due") < as_of - timedelta(days=LATE_DAYS),
        )
    )


def _per_buyer(invoices: pl.LazyFrame) -> pl.LazyFrame:
    settled_dbt = pl.when(pl.col("settled")).then(pl.col("dbt"))
    late = pl.col("settled") & (pl.col("dbt") > LATE_DAYS)
    unpaid = ~pl.col("settled") & pl.col("old_enough")
    return invoices.group_by("buyer_id").agg(
        invoices_12m=pl.len(),
        purchases_usd_12m_log=(pl.col("usd").sum() + 1.0).log10(),
        exporters_12m=pl.col("enterprise_id").n_unique(),
        dbt_mean_12m=settled_dbt.mean(),
        dbt_p90_12m=settled_dbt.quantile(0.9),
        late30_share_12m=(pl.col("usd") * late).sum() / pl.col("usd").sum(),
        dbt_mean_3m=pl.when(pl.col("settled") & pl.col("recent")).then(pl.col("dbt")).mean(),
        unpaid_share=(pl.col("usd") * unpaid).sum() / pl.col("usd").sum(),
        credit_share_12m=(pl.col("payment_terms") != "PREPAID").mean(),
    )


def _concentration(invoices: pl.LazyFrame) -> pl.LazyFrame:
    by_exporter = invoices.group_by("buyer_id", "enterprise_id").agg(pl.col("usd").sum())
    return by_exporter.group_by("buyer_id").agg(
        top_exporter_share=pl.col("usd").max() / pl.col("usd").sum()
    )


def _returns(orders: pl.LazyFrame, waybills: pl.LazyFrame, as_of: datetime) -> pl.LazyFrame:
    since = as_of - timedelta(days=365)
    shipped = waybills.filter(pl.col("shipped_at") < as_of, pl.col("shipped_at") >= since)
    return (
        shipped.join(orders.select("order_id", "buyer_id"), on="order_id")
        .group_by("buyer_id")
        .agg(returned_share_12m=(pl.col("status") == "RETURNED").mean())
    )


def buyer_features(
    orders: pl.LazyFrame,
    payments: pl.LazyFrame,
    waybills: pl.LazyFrame,
    buyers: pl.LazyFrame,
    as_of: datetime,
) -> pl.DataFrame:
    """One row per buyer with invoices due in the year before ``as_of``: ``buyer_id``, the
    ``FEATURES`` (nulls where a buyer has nothing to measure), and ``as_of``."""
    invoices = _invoices(orders, payments, as_of)
    category = pl.col("country").replace_strict(
        countries.category_mapping(),
        default=countries.UNCLASSIFIED_CATEGORY,
        return_dtype=pl.Int64,
    )
    frame = (
        _per_buyer(invoices)
        .join(_concentration(invoices), on="buyer_id", how="left")
        .join(_returns(orders, waybills, as_of), on="buyer_id", how="left")
        .join(buyers.select("buyer_id", country_category=category), on="buyer_id", how="left")
        .with_columns(
            dbt_trend=pl.col("dbt_mean_3m") - pl.col("dbt_mean_12m"),
            as_of=pl.lit(as_of).cast(pl.Datetime("us", "UTC")),
        )
    )
    return frame.select("buyer_id", *FEATURES, "as_of").sort("buyer_id").collect()
