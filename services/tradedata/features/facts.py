"""Order facts: one row per order with every as-of-independent fact the features need.

Facts that only become known at some moment carry that moment (settled_at, shipped_at,
delivered_at, declared_at), so the aggregation can keep exactly what was known before each
as-of without re-joining payments and documents per request point.

Payments and documents are matched to orders on a 64-bit hash of ``order_id`` rather than the
string itself (several times cheaper to join). ``collect_order_facts`` checks on the result that
the hash is unique over the orders (a collision would show as a repeated key, since every
right-hand side is reduced to one row per key) and recomputes on the string key otherwise.
"""

from __future__ import annotations

import polars as pl

from .. import countries, fx, hs
from ..loading import TradeDataset

PAID_IN_FULL = 0.99  # tolerance for rounding across instalments
VALUE_TOLERANCE = 0.02
QUANTITY_TOLERANCE = 0.01
KEY = "_ok"


def hashed_key() -> pl.Expr:
    return pl.col("order_id").hash(seed=0).alias(KEY)


def string_key() -> pl.Expr:
    return pl.col("order_id").alias(KEY)


def _base(ds: TradeDataset, key: pl.Expr) -> pl.LazyFrame:
    # Buyers (a validated foreign key) become their row number and countries categorical:
    # integer keys for the concentration group-bys and no strings carried through the joins.
    buyers = ds.buyers.select(
        "buyer_id",
        pl.col("country").cast(pl.Categorical).alias("buyer_country"),
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("_buyer"),
    )
    market = (
        pl.col("hs_code")
        .str.slice(0, 6)
        .replace_strict(hs.market_prices(), default=None, return_dtype=pl.Float64)
    )
    category = pl.col("buyer_country").replace_strict(
        countries.category_mapping(), default=countries.UNCLASSIFIED_CATEGORY, return_dtype=pl.Int8
    )
    # Everything that needs no buyer is computed before the join, so that the join carries
    # integers and categoricals instead of gathering the id strings.
    # One rate lookup per order for both amounts (polars does not share the two lookups).
    rate = fx.to_usd(pl.lit(1.0), "currency").alias("_rate")
    orders = ds.orders.with_columns(rate).select(
        key,
        pl.col("enterprise_id").cast(pl.Categorical),
        "buyer_id",
        "ordered_at",
        pl.col("hs_code").cast(pl.Categorical),
        "quantity",
        (pl.col("amount") * pl.col("_rate")).alias("amount_usd"),
        (pl.col("unit_price") * pl.col("_rate") / market).log().abs().alias("price_deviation"),
        (pl.col("ordered_at") + pl.duration(days=pl.col("credit_days"))).alias("due_at"),
    )
    return (
        orders.join(buyers, on="buyer_id", how="left")
        .with_columns(pl.col("_buyer").alias("buyer_id"), category.alias("country_category"))
        .drop("_buyer")
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
        pl.col("destination_country").cast(pl.Categorical),
        (pl.col("status") == "RETURNED").alias("returned"),
    )
    declarations = ds.declarations.select(
        key,
        "declared_at",
        pl.col("hs_code").cast(pl.Categorical).alias("_hs"),
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


def order_facts(ds: TradeDataset, key: pl.Expr) -> pl.LazyFrame:
    """One row per order keyed by ``key`` (kept as column ``KEY``)."""
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


def collect_order_facts(ds: TradeDataset) -> pl.DataFrame:
    """``order_facts`` on the hashed key, or on the string key if two order ids share a hash."""
    facts = order_facts(ds, hashed_key()).collect()
    if facts.get_column(KEY).n_unique() != facts.height:
        facts = order_facts(ds, string_key()).collect()
    return facts.drop(KEY)
