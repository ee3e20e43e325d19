"""Payments, waybills and customs declarations for every order, vectorised over orders.

Documents dated after the extract time (``Timebase.end_us``) do not exist yet, exactly as in a
real extract: late orders may lack a waybill or their final payment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from . import buyer_health, lookalikes, parents, vocab
from .buyer_health import BuyerHealth
from .codes import PHANTOM, STRUCTURING, THREE_DOC_MISMATCH, Mismatch
from .config import GeneratorConfig
from .health import sigmoid
from .ids import make_ids
from .orders import CURRENCY_CODES, TERMS, OrderBook, amount_usd, late_probability
from .parties import (
    BUYER_COUNTRIES,
    PRODUCT_CHAPTER,
    PRODUCT_CODES,
    PRODUCT_KG,
    WHOLESALE,
    Buyers,
    Enterprises,
    buyer_accounts,
)
from .streams import stream
from .timebase import DAY_US, Timebase

UTC_US = pl.Datetime("us", "UTC")
HOUR_US = DAY_US // 24
SEA_CARRIERS = ("COSCO Shipping", "Maersk", "Evergreen", "DHL Global Forwarding")
EXPRESS_CARRIERS = (
    "DHL",
    "FedEx",
    "UPS",
    "SF Express",
    "Cainiao",
    "China Post",
    "YunExpress",
    "4PX",
)
RETURN_AFTER_DAYS = 45  # a failed shipment is known to have failed this long after shipping


@dataclass(frozen=True, slots=True)
class ExtraPayers:
    """Payers who are not buyers (third parties); order column ``payer`` indexes them."""

    names: pl.Series
    country: np.ndarray  # index into BUYER_COUNTRIES
    accounts: pl.Series


def order_ids(n: int) -> pl.Series:
    return make_ids("O", n, 9)


def _ids(prefix: str, n: int) -> pl.Series:
    return make_ids(prefix, n, 9)


def _timestamps(values: np.ndarray) -> pl.Series:
    return pl.Series(values.astype(np.int64)).cast(UTC_US)


def make_waybills(
    cfg: GeneratorConfig, tb: Timebase, book: OrderBook, ent: Enterprises, buyers: Buyers
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Waybills and declarations (one each per shipped order)."""
    rng = stream(cfg.seed, "shipping")
    c = book.cols
    n = book.n
    shipped = c["t"] + rng.integers(HOUR_US * 24, HOUR_US * 24 * 7, n)
    rows = np.flatnonzero((c["typology"] != PHANTOM) & (shipped <= tb.end_us))
    shipped = shipped[rows]
    z = c["health"][rows]
    transit = ((3 + np.minimum(rng.gamma(3.0, 4.0, rows.shape[0]), 37)) * DAY_US).astype(np.int64)
    failed = rng.random(rows.shape[0]) < sigmoid(-4.2 - 0.8 * z)
    known_fail = failed & (shipped + RETURN_AFTER_DAYS * DAY_US <= tb.end_us)
    delivered = ~failed & (shipped + transit <= tb.end_us)
    fail_kind = np.where(rng.random(rows.shape[0]) < 0.75, 2, 3)
    status = np.where(known_fail, fail_kind, np.where(delivered, 1, 0))
    waybills = _waybill_frame(rng, book, rows, shipped, transit, status, ent, buyers)
    declarations = _declaration_frame(rng, book, rows, shipped, ent)
    waybills, declarations = _apply_mismatches(rng, book, rows, waybills, declarations)
    honest = (c["typology"] == 0) & (c["structured"] == 0) & WHOLESALE[ent.model[c["ent"]]]
    eligible = order_ids(n).filter(pl.Series(honest))
    rate = cfg.look_alikes.partial_shipments
    return lookalikes.split_into_lots(cfg.seed, waybills, declarations, eligible, rate, tb.end_us)


def _waybill_frame(
    rng: np.random.Generator,
    book: OrderBook,
    rows: np.ndarray,
    shipped: np.ndarray,
    transit: np.ndarray,
    status: np.ndarray,
    ent: Enterprises,
    buyers: Buyers,
) -> pl.DataFrame:
    c = book.cols
    k = int(rows.shape[0])
    weight = c["qty"][rows] * PRODUCT_KG[c["prod"][rows]] * rng.uniform(1.02, 1.25, k)
    packages = np.maximum(1, np.ceil(weight / rng.uniform(5.0, 25.0, k))).astype(np.int64)
    sea = WHOLESALE[ent.model[c["ent"][rows]]]
    carrier = np.where(
        sea,
        rng.integers(0, len(SEA_CARRIERS), k),
        len(SEA_CARRIERS) + rng.integers(0, len(EXPRESS_CARRIERS), k),
    )
    delivered_at = pl.Series(np.where(status == 1, shipped + transit, 0)).cast(UTC_US)
    return pl.DataFrame(
        {
            "waybill_id": _ids("W", k),
            "order_id": order_ids(book.n).gather(rows),
            "carrier": vocab.pick(SEA_CARRIERS + EXPRESS_CARRIERS, carrier),
            "shipped_at": _timestamps(shipped),
            "delivered_at": delivered_at,
            "origin": pl.Series(["CN"] * k, dtype=pl.String),
            "destination_country": vocab.pick(BUYER_COUNTRIES, buyers.country[c["buyer"][rows]]),
            "gross_weight_kg": np.round(weight, 2),
            "packages": packages,
            "status": vocab.pick(("IN_TRANSIT", "DELIVERED", "RETURNED", "LOST"), status),
            "quantity": c["qty"][rows].astype(np.float64),
        }
    ).with_columns(
        pl.when(pl.col("status") == "DELIVERED").then(pl.col("delivered_at")).alias("delivered_at")
    )


def _declaration_frame(
    rng: np.random.Generator,
    book: OrderBook,
    rows: np.ndarray,
    shipped: np.ndarray,
    ent: Enterprises,
) -> pl.DataFrame:
    c = book.cols
    k = int(rows.shape[0])
    declared = np.maximum(c["t"][rows], shipped - rng.integers(0, DAY_US, k))
    # Benign differences: a fifth of declarations round the value slightly (within 0.4 %).
    noise = np.where(rng.random(k) < 0.2, rng.uniform(-0.004, 0.004, k), 0.0)
    z = c["health"][rows]
    rejected = rng.random(k) < sigmoid(-5.0 - 0.9 * z)
    inspected = rng.random(k) < 0.03 + 0.15 * ent.dishonest[c["ent"][rows]]
    status = np.where(rejected, 2, np.where(inspected, 1, 0))
    return pl.DataFrame(
        {
            "declaration_id": _ids("D", k),
            "order_id": order_ids(book.n).gather(rows),
            "declared_at": _timestamps(declared),
            "hs_code": vocab.pick(PRODUCT_CODES, c["prod"][rows]),
            "declared_value": np.round(c["amount"][rows] * (1 + noise), 2),
            "currency": vocab.pick(CURRENCY_CODES, c["currency"][rows]),
            "quantity": c["qty"][rows],
            "customs_status": vocab.pick(("RELEASED", "INSPECTED", "REJECTED"), status),
        }
    )


def _apply_mismatches(
    rng: np.random.Generator,
    book: OrderBook,
    rows: np.ndarray,
    waybills: pl.DataFrame,
    declarations: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    c = book.cols
    mismatch = c["typology"][rows] == THREE_DOC_MISMATCH
    sub = np.where(mismatch, c["subtype"][rows], 0)
    k = int(rows.shape[0])
    far = np.where(rng.random(k) < 0.5, rng.uniform(1.6, 3.0, k), rng.uniform(0.3, 0.6, k))
    qty = declarations["quantity"].to_numpy()
    value = declarations["declared_value"].to_numpy()
    other_prod = _other_chapter_product(rng, c["prod"][rows])
    dest = waybills["destination_country"]
    shifted = vocab.pick(BUYER_COUNTRIES, rng.integers(0, len(BUYER_COUNTRIES), k))
    fallback = pl.when(dest == "CA").then(pl.lit("US")).otherwise(pl.lit("CA"))
    shifted = pl.select(pl.when(shifted == dest).then(fallback).otherwise(shifted)).to_series()
    declarations = declarations.with_columns(
        quantity=np.where(sub == Mismatch.QUANTITY, np.round(qty * far), qty),
        declared_value=np.where(sub == Mismatch.VALUE, np.round(value * far, 2), value),
        hs_code=pl.select(
            pl.when(pl.Series(sub == Mismatch.HS_CODE))
            .then(vocab.pick(PRODUCT_CODES, other_prod))
            .otherwise(declarations["hs_code"])
        ).to_series(),
    )
    weight = waybills["gross_weight_kg"].to_numpy()
    waybills = waybills.with_columns(
        gross_weight_kg=np.where(sub == Mismatch.WEIGHT, np.round(weight * far * 2.5, 2), weight),
        destination_country=pl.select(
            pl.when(pl.Series(sub == Mismatch.DESTINATION)).then(shifted).otherwise(dest)
        ).to_series(),
    )
    return waybills, declarations


def _other_chapter_product(rng: np.random.Generator, prod: np.ndarray) -> np.ndarray:
    candidate = rng.integers(0, PRODUCT_CHAPTER.shape[0], prod.shape[0])
    same = PRODUCT_CHAPTER[candidate] == PRODUCT_CHAPTER[prod]
    # Shift clashing picks to the first product of another chapter.
    fallback = np.where(
        PRODUCT_CHAPTER[prod] == PRODUCT_CHAPTER[0], PRODUCT_CHAPTER.shape[0] - 1, 0
    )
    result: np.ndarray = np.where(same, fallback, candidate)
    return result


def _payment_schedule(
    rng: np.random.Generator,
    book: OrderBook,
    ent: Enterprises,
    buyers: Buyers,
    buyer: tuple[BuyerHealth, Timebase],
    cfg: GeneratorConfig,
) -> tuple[np.ndarray, np.ndarray]:
    """(number of payments per order, time of the final payment). The exporter's health and
    the buyer's both show: a weak buyer pays every exporter late, or not at all."""
    c = book.cols
    n = book.n
    z = c["health"]
    due = c["t"] + c["credit"] * DAY_US
    health, tb = buyer
    hb = health.at(c["buyer"], due, tb)
    prepaid = c["terms"] == TERMS.index("PREPAID")
    forced = c["forced_paid"] >= 0
    protected = forced | (c["structured"] > 0) | (c["typology"] == STRUCTURING)
    unpaid_odds = -5.0 - 1.3 * z + buyer_health.unpaid_shift(hb)
    unpaid = ~prepaid & ~protected & (rng.random(n) < sigmoid(unpaid_odds))
    unpaid |= ~prepaid & ~protected & health.defaulted(c["buyer"], due)
    late_p = sigmoid(
        logit(late_probability(z, buyers.grade[c["buyer"]])) + buyer_health.late_shift(hb)
    )
    late = rng.random(n) < late_p
    delay = rng.normal(3.0 - 2.5 * z, 3.0) + late * rng.exponential(
        8.0 + 12.0 * np.maximum(0.0, -z)
    )
    delay += buyer_health.delay_days(hb)
    final = np.maximum(c["t"] + HOUR_US, due + (delay * DAY_US).astype(np.int64))
    final = np.where(prepaid, c["t"] + rng.integers(0, 12 * HOUR_US, n), final)
    final = np.where(forced, c["forced_paid"], final)
    wholesale, usd = WHOLESALE[ent.model[c["ent"]]], amount_usd(book)
    deposit_rate = cfg.look_alikes.deposit_balance
    split = wholesale & (usd > 5000) & (rng.random(n) < deposit_rate)
    count = np.where(split & ~protected, 2, 1)
    large = wholesale & (usd > 20_000) & ~protected & ~split
    spread, parts = lookalikes.instalment_orders(cfg.seed, large, cfg.look_alikes)
    count = np.where(spread, parts, count)
    count = np.where(c["typology"] == STRUCTURING, c["subtype"], count)
    return np.where(unpaid, 0, count), final


def make_payments(
    cfg: GeneratorConfig,
    tb: Timebase,
    book: OrderBook,
    ent: Enterprises,
    buyers: Buyers,
    payers: ExtraPayers,
    health: BuyerHealth,
    parent_of: np.ndarray,
) -> pl.DataFrame:
    rng = stream(cfg.seed, "payments")
    c = book.cols
    count, final = _payment_schedule(rng, book, ent, buyers, (health, tb), cfg)
    order = np.repeat(np.arange(book.n), count)
    first = np.repeat(np.cumsum(count) - count, count)
    pos = np.arange(order.shape[0]) - first
    k = count[order]
    structuring = c["typology"][order] == STRUCTURING
    paid_at, share = _installments(rng, c["t"][order], final[order], pos, k, structuring)
    spread = (k >= 3) & ~structuring
    spaced = lookalikes.instalment_times(cfg.seed, c["t"][order], final[order], pos, k)
    paid_at = np.where(spread, spaced, paid_at)
    share = np.where(spread, 1.0 / np.maximum(k, 1), share)
    amount = np.round(c["amount"][order] * share, 2)
    keep = paid_at <= tb.end_us
    kept = order[keep]
    frame = _payment_frame(book, buyers, payers, kept, paid_at[keep], amount[keep])
    own = c["payer"][kept] < 0
    frame = _benign_name_variants(rng, frame, own)
    rates = cfg.look_alikes
    psp = (frame["channel"] == "PSP").to_numpy()
    honest = (c["typology"][kept] == 0) & (c["structured"][kept] == 0)
    frame = lookalikes.settle_on_platforms(
        cfg.seed, frame, c["platform"][kept], psp & honest, rates.platform_settlement
    )
    frame = lookalikes.abbreviate(cfg.seed, frame, own & ~psp, rates.abbreviated_names)
    eligible = own & ~psp & honest
    frame = parents.parent_pays(cfg.seed, frame, c["buyer"][kept], eligible, parent_of, buyers)
    documentary = np.isin(c["terms"][kept], [TERMS.index(t) for t in ("LC", "DP", "DA")])
    suffixes = tuple(vocab.LEGAL_SUFFIX.get(code, "") for code in BUYER_COUNTRIES)
    return lookalikes.settle_through_banks(
        cfg.seed,
        frame,
        c["buyer"][kept],
        eligible & documentary,
        suffixes,
        buyers.country[c["buyer"][kept]],
        rates.bank_settlement,
    )


def _installments(
    rng: np.random.Generator,
    ordered: np.ndarray,
    final: np.ndarray,
    pos: np.ndarray,
    k: np.ndarray,
    structuring: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    m = pos.shape[0]
    deposit = (k == 2) & (pos == 0)
    paid = np.where(deposit, ordered + rng.integers(0, 2 * DAY_US, m), final)
    share = np.where(k == 2, np.where(pos == 0, 0.3, 0.7), 1.0)
    # Structured payments: equal parts a few hours to a day and a half apart.
    step = rng.integers(6 * HOUR_US, 36 * HOUR_US, m)
    paid = np.where(structuring, final + pos * step, paid)
    share = np.where(structuring, 1.0 / np.maximum(k, 1), share)
    return paid, share


def _payment_frame(
    book: OrderBook,
    buyers: Buyers,
    payers: ExtraPayers,
    order: np.ndarray,
    paid_at: np.ndarray,
    amount: np.ndarray,
) -> pl.DataFrame:
    c = book.cols
    payer = c["payer"][order]
    buyer = c["buyer"][order]
    third = payer >= 0
    safe = np.maximum(payer, 0)
    third_s = pl.Series(third)
    platform = c["platform"][order]
    psp = (platform < 8) & (c["terms"][order] != TERMS.index("LC")) & ~third

    def either(a: pl.Series, b: pl.Series) -> pl.Series:
        return pl.select(pl.when(third_s).then(a).otherwise(b)).to_series()

    return pl.DataFrame(
        {
            "payment_id": _ids("P", order.shape[0]),
            "order_id": order_ids(book.n).gather(order),
            "payer_name": either(payers.names.gather(safe), buyers.names.gather(buyer)),
            "payer_country": vocab.pick(
                BUYER_COUNTRIES, np.where(third, payers.country[safe], buyers.country[buyer])
            ),
            "payer_account": either(payers.accounts.gather(safe), buyer_accounts(buyer)),
            "paid_at": _timestamps(paid_at),
            "amount": amount,
            "currency": vocab.pick(CURRENCY_CODES, c["currency"][order]),
            "channel": vocab.pick(("BANK", "PSP"), psp.astype(np.int64)),
        }
    )


def _benign_name_variants(
    rng: np.random.Generator, frame: pl.DataFrame, own: np.ndarray
) -> pl.DataFrame:
    """Buyers sometimes pay under a differently written form of their own name."""
    roll = rng.random(frame.height)
    upper = pl.Series(own & (roll < 0.03))
    expand = pl.Series(own & (roll >= 0.03) & (roll < 0.05))
    name = pl.col("payer_name")
    expanded = name.str.replace(r"Ltd\.?$", "Limited").str.replace(r"Inc\.$", "Incorporated")
    return frame.with_columns(
        payer_name=pl.when(upper)
        .then(name.str.to_uppercase())
        .when(expand)
        .then(expanded)
        .otherwise(name)
    )


def logit(p: np.ndarray) -> np.ndarray:
    result: np.ndarray = np.log(p) - np.log1p(-p)
    return result
