"""Order facts: one row per order with every as-of-independent fact the features need.

Facts that only become known at some moment carry that moment (settled_at, shipped_at,
delivered_at, declared_at), so the aggregation can keep exactly what was known before each
as-of without re-joining payments and documents per request point.

Payments and documents are matched to orders on a 64-bit hash of ``order_id`` rather than the
string itself (several times cheaper to join); ``order_key`` checks that the hash is unique over
the orders and falls back to the string key otherwise.
"""

from __future__ import annotations

import polars as pl

from .. import countries, fx, hs
from ..loading import TradeDataset

PAID_IN_FULL = 0.99  # tolerance for rounding across instalments
VALUE_TOLERANCE = 0.02
QUANTITY_TOLERANCE = 0.01
KEY = "_ok"


def order_key(ds: TradeDataset) -> pl.Expr:
    """Join key for ``order_id``: its hash when collision-free over the orders, else itself."""
    hashed = pl.col("order_id").hash(seed=0)
    unique = ds.orders.select(hashed.n_unique() == pl.len()).collect().item()
    return (hashed if unique else pl.col("order_id")).alias(KEY)


def _base(ds: TradeDataset, key: pl.Expr) -> pl.LazyFrame:
    buyers = ds.buyers.select("buyer_id", pl.col("country").alias("buyer_country"))
    market = (
        pl.col("hs_code")
        .str.slice(0, 6)
        .replace_strict(hs.market_prices(), default=None, return_dtype=pl.Float64)
    )
    category = pl.col("buyer_country").replace_strict(
        countries.category_mapping(), default=countries.UNCLASSIFIED_CATEGORY, return_dtype=pl.Int8
    )
    return ds.orders.join(buyers, on="buyer_id", how="left").select(
        key,
        "enterprise_id",
        "buyer_id",
        "buyer_country",
        "ordered_at",
        "hs_code",
        "quantity",
        fx.to_usd("amount", "currency").alias("amount_usd"),
        category.alias("country_category"),
        (fx.to_usd("unit_price", "currency") / market).log().abs().alias("price_deviation"),
        (pl.col("ordered_at") + pl.duration(days=pl.col("credit_days"))).alias("due_at"),
    )


def _settlement(ds: TradeDataset, key: pl.Expr) -> pl.LazyFrame:
    """Paid total and last payment time per order; an order counts as settled at its last
    payment once the total reaches its amount (payments never exceed the amount)."""
    return (
        ds.payments.select(key, "paid_at", fx.to_usd("amount", "currency").alias("_paid_usd"))
        .group_by(KEY)
        .agg(pl.col("_paid_usd").sum(), pl.col("paid_at").max().alias("_last_paid"))
    )


def _first_per_order(frame: pl.LazyFrame) -> pl.LazyFrame:
    # An order may ship in parts; its first document stands for it.
    return frame.filter(pl.col(KEY).is_first_distinct())


def _documents(ds: TradeDataset, key: pl.Expr) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    waybills = ds.waybills.select(
        key,
        "shipped_at",
        "delivered_at",
        "destination_country",
        (pl.col("status") == "RETURNED").alias("returned"),
    )
    declarations = ds.declarations.select(
        key,
        "declared_at",
        pl.col("hs_code").alias("_hs"),
        pl.col("quantity").alias("_qty"),
        fx.to_usd("declared_value", "currency").alias("_usd"),
        (pl.col("customs_status") == "REJECTED").alias("rejected"),
        (pl.col("customs_status") == "INSPECTED").alias("inspected"),
    )
    return _first_per_order(waybills), _first_per_order(declarations)


def _agree() -> pl.Expr:
    c = pl.col
    return (
        (c("_hs") == c("hs_code"))
        & ((c("_qty") - c("quantity")).abs() <= QUANTITY_TOLERANCE * c("quantity"))
        & ((c("_usd") - c("amount_usd")).abs() <= VALUE_TOLERANCE * c("amount_usd"))
        & (c("destination_country") == c("buyer_country"))
    ).fill_null(False)


def order_facts(ds: TradeDataset) -> pl.LazyFrame:
    key = order_key(ds)
    waybills, declarations = _documents(ds, key)
    settled = pl.when(pl.col("_paid_usd") >= PAID_IN_FULL * pl.col("amount_usd")).then(
        pl.col("_last_paid")
    )
    return (
        _base(ds, key)
        .join(_settlement(ds, key), on=KEY, how="left")
        .join(waybills, on=KEY, how="left")
        .join(declarations, on=KEY, how="left")
        .with_columns(_agree().alias("docs_agree"), settled.alias("settled_at"))
        .drop(
            KEY,
            "_hs",
            "_qty",
            "_usd",
            "_paid_usd",
            "_last_paid",
            "destination_country",
            "hs_code",
            "quantity",
        )
    )
