"""Base orders: volume, buyers, products, prices and terms, all driven by latent health."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .. import fx
from ..countries import COUNTRIES
from . import lookalikes
from .config import GeneratorConfig
from .health import sigmoid
from .parties import (
    BUYER_COUNTRIES,
    PRODUCT_PRICE,
    WHOLESALE,
    Buyers,
    Enterprises,
)
from .streams import stream
from .timebase import Timebase

CURRENCY_CODES = ("USD", "EUR", "GBP", "JPY", "AUD", "CAD", "CNY", "HKD", "SGD", "KRW", "MXN")
USD_RATE = np.array([fx.USD_PER_UNIT[c] for c in CURRENCY_CODES])
_LOCAL_CURRENCY = np.array(
    [
        CURRENCY_CODES.index(COUNTRIES[c].currency)
        if COUNTRIES[c].currency in CURRENCY_CODES
        else 0
        for c in BUYER_COUNTRIES
    ]
)
# Consumer markets buy through marketplaces; wholesale through B2B portals or directly.
PLATFORMS = (
    "Amazon",
    "AliExpress",
    "eBay",
    "Shopee",
    "Temu",
    "TikTok Shop",
    "Lazada",
    "Independent Site",
    "Alibaba.com",
    "Made-in-China.com",
    "Global Sources",
    "Offline",
)
_RETAIL_PLATFORM_P = np.array([35, 15, 10, 10, 10, 8, 5, 7, 0, 0, 0, 0]) / 100
_WHOLESALE_PLATFORM_P = np.array([0, 0, 0, 0, 0, 0, 0, 0, 45, 15, 10, 30]) / 100
INCOTERMS = ("EXW", "FCA", "FOB", "CFR", "CIF", "DAP", "DDP")
_RETAIL_INCOTERM_P = np.array([0, 0, 0, 0, 10, 40, 50]) / 100
_WHOLESALE_INCOTERM_P = np.array([10, 10, 45, 5, 20, 10, 0]) / 100
TERMS = ("PREPAID", "LC", "DP", "DA", "OA")
_RETAIL_TERMS_P = np.array([90, 0, 0, 0, 10]) / 100
_WHOLESALE_TERMS_P = np.array([20, 20, 15, 15, 30]) / 100
_CREDIT_CHOICES = {1: (0, 30, 60, 90), 3: (30, 60, 90), 4: (30, 45, 60, 90, 120)}
SEASON = np.array([1.0, 0.8, 0.95, 1.0, 1.0, 0.95, 1.0, 1.05, 1.1, 1.15, 1.3, 1.35])
PRICE_NOISE_SD = 0.12


@dataclass(slots=True)
class OrderBook:
    """Orders as parallel numpy columns (``cols``); typologies edit and append to it."""

    cols: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.cols["ent"].shape[0])

    def append(self, other: dict[str, np.ndarray]) -> np.ndarray:
        """Append rows (missing columns take their defaults); returns the new row indexes."""
        first, count = self.n, int(other["ent"].shape[0])
        for name, column in self.cols.items():
            extra = other.get(name)
            if extra is None:
                extra = np.full(count, _DEFAULTS.get(name, 0), dtype=column.dtype)
            self.cols[name] = np.concatenate([column, extra.astype(column.dtype)])
        return np.arange(first, first + count)


_DEFAULTS = {"payer": -1, "forced_paid": -1, "typology": 0, "subtype": 0, "structured": 0}


def _monthly_counts(
    cfg: GeneratorConfig, ent: Enterprises, z: np.ndarray, tb: Timebase
) -> np.ndarray:
    rng = stream(cfg.seed, "order-counts")
    season = SEASON[tb.calendar_month() - 1]
    lam = ent.order_rate[:, None] * season[None, :] * np.exp(0.6 * z)
    started = np.arange(tb.months)[None, :] >= ent.active_from[:, None]
    burst = np.where(ent.shell, 5.0, 1.0)[:, None]
    counts: np.ndarray = rng.poisson(lam * burst * started)
    return counts


def _buyer_rank(rng: np.random.Generator, size: np.ndarray, z: np.ndarray) -> np.ndarray:
    # Weak firms lean on fewer buyers: u**gamma with gamma > 1 piles onto the top buyers.
    gamma = np.clip(np.exp(0.3 - 0.6 * z), 0.6, 5.0)
    u = rng.random(int(z.shape[0]))
    rank: np.ndarray = np.minimum((size * u**gamma).astype(np.int64), size - 1)
    return rank


def _terms(rng: np.random.Generator, wholesale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = wholesale.shape[0]
    terms = np.where(
        wholesale,
        rng.choice(5, size=n, p=_WHOLESALE_TERMS_P),
        rng.choice(5, size=n, p=_RETAIL_TERMS_P),
    )
    credit = np.zeros(n, dtype=np.int64)
    for code, choices in _CREDIT_CHOICES.items():
        rows = terms == code
        credit[rows] = rng.choice(np.array(choices), size=int(rows.sum()))
    return terms, credit


def _categorical(
    rng: np.random.Generator, wholesale: np.ndarray, p_whole: np.ndarray, p_retail: np.ndarray
) -> np.ndarray:
    n = wholesale.shape[0]
    result: np.ndarray = np.where(
        wholesale,
        rng.choice(p_whole.shape[0], size=n, p=p_whole),
        rng.choice(p_retail.shape[0], size=n, p=p_retail),
    )
    return result


def make_orders(
    cfg: GeneratorConfig, tb: Timebase, ent: Enterprises, buyers: Buyers, z: np.ndarray
) -> OrderBook:
    rng = stream(cfg.seed, "orders")
    counts = _monthly_counts(cfg, ent, z, tb)
    cell = np.repeat(np.arange(counts.size), counts.ravel())
    e, m = cell // tb.months, cell % tb.months
    n = cell.shape[0]
    zo = z[e, m]
    t = tb.month_start_us[m] + (rng.random(n) * tb.month_len_us[m]).astype(np.int64)
    buyer = buyers.pool_start[e] + _buyer_rank(rng, buyers.pool_size[e], zo)
    slot = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
    prod = ent.products[e, slot]
    wholesale = WHOLESALE[ent.model[e]]
    local = rng.random(n) < 0.2
    currency = np.where(local, _LOCAL_CURRENCY[buyers.country[buyer]], 0)
    line = lookalikes.price_line_factors(cfg.seed, ent.products, cfg.look_alikes.price_lines)
    noise = np.exp(rng.normal(0.0, PRICE_NOISE_SD, n))
    price_usd = PRODUCT_PRICE[prod] * line[e, slot] * noise
    value = ent.order_value_usd[e] * np.exp(rng.normal(0.0, 0.6, n))
    qty = np.maximum(1.0, np.round(value / price_usd))
    price = np.round(price_usd / USD_RATE[currency], 4)
    terms, credit = _terms(rng, wholesale)
    cols = {
        "ent": e,
        "buyer": buyer,
        "month": m,
        "t": t,
        "prod": prod,
        "qty": qty,
        "price": price,
        "currency": currency,
        "amount": np.round(qty * price, 2),
        "platform": _categorical(rng, wholesale, _WHOLESALE_PLATFORM_P, _RETAIL_PLATFORM_P),
        "incoterm": _categorical(rng, wholesale, _WHOLESALE_INCOTERM_P, _RETAIL_INCOTERM_P),
        "terms": terms,
        "credit": credit,
        "health": zo,
    }
    cols.update({name: np.full(n, default, dtype=np.int64) for name, default in _DEFAULTS.items()})
    return OrderBook(cols)


def amount_usd(book: OrderBook, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
    c = book.cols
    result: np.ndarray = c["amount"][rows] * USD_RATE[c["currency"][rows]]
    return result


def late_probability(z: np.ndarray, grade: np.ndarray) -> np.ndarray:
    return sigmoid(-2.2 - 1.3 * z + 0.12 * (np.where(grade == 0, 5, grade) - 5))
