"""Honest trade that looks like a typology: lots, instalments, platform settlement, national
tariff lines, abbreviated names, premium or economy product lines and banks paying under
documentary terms, at the rates of :class:`LookAlikeRates` (registered parents paying are in
:mod:`.parents`).

Real export data is full of them; a detector trained or tuned without them learns that "three
payments" means structuring or that "a PSP pays" means a third party. Each step draws from its
own random stream, so the rest of the data set is the same with or without them.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from .config import LookAlikeRates
from .streams import stream
from .timebase import DAY_US

# Who remits a marketplace sale (platform index in orders.PLATFORMS, first eight are online).
SETTLERS: tuple[tuple[str, str], ...] = (
    ("Amazon Payments Europe S.C.A.", "LU"),
    ("Alipay Singapore E-Commerce Private Limited", "SG"),
    ("eBay Commerce UK Ltd", "GB"),
    ("Shopee Singapore Private Limited", "SG"),
    ("Whaleco Inc.", "US"),
    ("TikTok Pte. Ltd.", "SG"),
    ("Lazada South East Asia Pte. Ltd.", "SG"),
    ("Stripe Payments Europe Limited", "IE"),
)
# How banks shorten the words of buyers' names (the screening's normaliser expands them back).
ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    (r"\bInternational\b", "Intl"),
    (r"\bTrading\b", "Trdg"),
    (r"\bDistribution\b", "Distr."),
    (r"\bImports\b", "Imp."),
    (r"\bHoldings\b", "Hldgs"),
    (r"\bGroup\b", "Grp"),
    (r"\bGmbH\b", "G.m.b.H."),
    (r"\bLimited\b", "Ltd"),
    (r"\bCompany\b", "Co."),
)
NATIONAL_SUFFIXES = ("0010", "0090", "1000", "9000")
# The buyer's bank, named as banks are: it pays under a letter of credit or a collection.
BANK_WORDS = ("Union", "National", "First", "United", "Merchants", "Continental", "Royal")
BANK_KINDS = ("Bank", "Commercial Bank", "Trade Bank", "Savings Bank", "Bank of Commerce")


def price_line_factors(seed: int, products: np.ndarray, rate: float) -> np.ndarray:
    """Per exporter and product slot (`products`: exporters x slots), the factor its line is
    priced at against the market: a share of lines is a premium range (2.2-3.5x) or an economy
    range of seconds and clearance stock (0.28-0.45x), priced so order after order, to every
    buyer; the rest 1. A product in two slots of one exporter has one price."""
    rng = stream(seed, "look-alike-price-lines")
    shape = products.shape
    chosen = rng.random(shape) < rate
    premium = rng.random(shape) < 0.5
    factor = np.where(premium, rng.uniform(2.2, 3.5, shape), rng.uniform(0.28, 0.45, shape))
    result: np.ndarray = np.where(chosen, factor, 1.0)
    for slot in range(1, shape[1]):
        for earlier in range(slot):
            same = products[:, slot] == products[:, earlier]
            result[same, slot] = result[same, earlier]
    return result


def instalment_orders(
    seed: int, eligible: np.ndarray, rates: LookAlikeRates
) -> tuple[np.ndarray, np.ndarray]:
    """(chosen orders, instalments each: 3 or 4) among `eligible` large wholesale orders."""
    rng = stream(seed, "look-alike-instalments")
    chosen: np.ndarray = eligible & (rng.random(eligible.shape[0]) < rates.instalments)
    parts = np.asarray(rng.integers(3, 5, eligible.shape[0]))
    return chosen, parts


def instalment_times(
    seed: int, ordered: np.ndarray, final: np.ndarray, pos: np.ndarray, k: np.ndarray
) -> np.ndarray:
    """Instalments two to four weeks apart, the last on the order's final payment date."""
    rng = stream(seed, "look-alike-instalment-gaps")
    gap = rng.integers(14 * DAY_US, 30 * DAY_US, pos.shape[0])
    paid: np.ndarray = np.maximum(ordered + pos * DAY_US, final - (k - 1 - pos) * gap)
    return paid


def settle_through_banks(
    seed: int,
    payments: pl.DataFrame,
    buyer: np.ndarray,
    documentary: np.ndarray,
    suffixes: tuple[str, ...],
    country: np.ndarray,
    rate: float,
) -> pl.DataFrame:
    """Payments of orders on documentary terms (letter of credit, documents against payment or
    acceptance) remitted by the buyer's bank, in the buyer's country, under the bank's name."""
    rng = stream(seed, "look-alike-bank-settlement")
    chosen = pl.Series(documentary & (rng.random(buyer.shape[0]) < rate))
    word = np.asarray(buyer % len(BANK_WORDS))
    kind = np.asarray((buyer // len(BANK_WORDS)) % len(BANK_KINDS))
    names = pl.Series(
        [
            f"{BANK_WORDS[w]} {BANK_KINDS[k]} {suffixes[c]}"
            for w, k, c in zip(word, kind, country, strict=True)
        ],
        dtype=pl.String,
    )
    accounts = pl.Series([f"BK{b:09d}" for b in buyer], dtype=pl.String)
    return payments.with_columns(
        payer_name=pl.when(chosen).then(names).otherwise(pl.col("payer_name")),
        payer_account=pl.when(chosen).then(accounts).otherwise(pl.col("payer_account")),
    )


def settle_on_platforms(
    seed: int, payments: pl.DataFrame, platform: np.ndarray, psp: np.ndarray, rate: float
) -> pl.DataFrame:
    """Marketplace payments remitted under the platform's own name, country and account."""
    rng = stream(seed, "look-alike-settlement")
    settled = psp & (platform < len(SETTLERS)) & (rng.random(payments.height) < rate)
    index = np.where(settled, np.minimum(platform, len(SETTLERS) - 1), 0)
    names = pl.Series([SETTLERS[i][0] for i in index], dtype=pl.String)
    countries = pl.Series([SETTLERS[i][1] for i in index], dtype=pl.String)
    accounts = pl.Series([f"settlement-{i:02d}" for i in index], dtype=pl.String)
    flag = pl.Series(settled)
    return payments.with_columns(
        payer_name=pl.when(flag).then(names).otherwise(pl.col("payer_name")),
        payer_country=pl.when(flag).then(countries).otherwise(pl.col("payer_country")),
        payer_account=pl.when(flag).then(accounts).otherwise(pl.col("payer_account")),
    )


def abbreviate(seed: int, payments: pl.DataFrame, own: np.ndarray, rate: float) -> pl.DataFrame:
    """A share of the buyers' own payments carry their name as the bank abbreviated it."""
    rng = stream(seed, "look-alike-abbreviations")
    chosen = pl.Series(own & (rng.random(payments.height) < rate))
    short = pl.col("payer_name")
    for pattern, replacement in ABBREVIATIONS:
        short = short.str.replace_all(pattern, replacement)
    return payments.with_columns(
        payer_name=pl.when(chosen).then(short).otherwise(pl.col("payer_name"))
    )


def split_into_lots(
    seed: int,
    waybills: pl.DataFrame,
    declarations: pl.DataFrame,
    eligible_orders: pl.Series,
    rate: float,
    end_us: int,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Ship a share of the eligible orders in 2-3 lots, a waybill and a declaration each, every
    lot with its share of the quantity, weight and value; lots due after the extract do not
    exist yet (the order is still being shipped)."""
    rng = stream(seed, "look-alike-lots")
    orders = eligible_orders.filter(pl.Series(rng.random(eligible_orders.len()) < rate))
    lots = pl.DataFrame(
        {"order_id": orders, "lots": rng.integers(2, 4, orders.len())},
        schema={"order_id": pl.String, "lots": pl.Int64},
    )
    gaps = pl.DataFrame(
        {"order_id": orders, "gap_us": rng.integers(7 * DAY_US, 25 * DAY_US, orders.len())},
        schema={"order_id": pl.String, "gap_us": pl.Int64},
    ).join(lots, on="order_id")
    bills = _explode(waybills, gaps, "waybill_id", "shipped_at", ("quantity", "gross_weight_kg"))
    decls = _explode(
        declarations, gaps, "declaration_id", "declared_at", ("quantity", "declared_value")
    )
    shipped_by_end = pl.col("shipped_at").dt.epoch("us") <= end_us
    declared_by_end = pl.col("declared_at").dt.epoch("us") <= end_us
    return bills.filter(shipped_by_end), decls.filter(declared_by_end)


def _explode(
    frame: pl.DataFrame, gaps: pl.DataFrame, id_col: str, at_col: str, shares: tuple[str, ...]
) -> pl.DataFrame:
    order = frame.columns
    split = frame.join(gaps, on="order_id", how="inner")
    whole = frame.join(gaps, on="order_id", how="anti")
    if split.is_empty():
        return frame
    lot = pl.int_ranges(0, pl.col("lots")).alias("lot")
    exploded = (
        split.with_columns(lot)
        .explode("lot")
        .with_columns(
            *(
                pl.col(c) / pl.col("lots")
                if frame.schema[c] == pl.Float64
                else (pl.col(c) / pl.col("lots")).round(0).cast(frame.schema[c])
                for c in shares
            ),
            pl.col(at_col) + pl.duration(microseconds=pl.col("lot") * pl.col("gap_us")),
            pl.when(pl.col("lot") == 0)
            .then(pl.col(id_col))
            .otherwise(pl.format("{}-L{}", pl.col(id_col), pl.col("lot") + 1)),
        )
    )
    rounded = [pl.col(c).round(2) for c in shares if frame.schema[c] == pl.Float64]
    return pl.concat([whole, exploded.with_columns(rounded).select(order)]).sort(at_col, id_col)


def national_lines(
    seed: int, orders: pl.DataFrame, declarations: pl.DataFrame, rate: float
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A share of orders (and their declarations) carry a 10-digit national tariff line of
    their 6-digit subheading."""
    rng = stream(seed, "look-alike-national-lines")
    chosen = rng.random(orders.height) < rate
    suffix = pl.Series(
        [NATIONAL_SUFFIXES[i] for i in rng.integers(0, len(NATIONAL_SUFFIXES), orders.height)]
    )
    lines = orders.select(
        "order_id", line=pl.concat_str(pl.col("hs_code").str.slice(0, 6), suffix)
    ).filter(pl.Series(chosen))
    orders = (
        orders.join(lines, on="order_id", how="left")
        .with_columns(hs_code=pl.coalesce("line", "hs_code"))
        .drop("line")
    )
    # Only declarations that agree with the order at 6 digits take its line.
    declarations = (
        declarations.join(lines, on="order_id", how="left")
        .with_columns(
            hs_code=pl.when(pl.col("line").str.slice(0, 6) == pl.col("hs_code").str.slice(0, 6))
            .then(pl.col("line"))
            .otherwise(pl.col("hs_code"))
        )
        .drop("line")
    )
    return orders, declarations
