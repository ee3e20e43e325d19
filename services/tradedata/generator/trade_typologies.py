"""Trade-level laundering and fake-trade typologies injected into base orders.

Each typology takes its configured share of all orders, drawn without overlap from eligible
orders (clean exporters, old enough that documents and payments exist by the extract time).
Clean trade stays noisy but distinct: normal prices vary ~12 % around the market, while
over/under-invoicing moves them by a factor of 2-4.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from . import vocab
from .codes import (
    TRADE_CODES,
)
from .config import TRADE_TYPOLOGIES, GeneratorConfig
from .documents import ExtraPayers
from .ids import make_ids
from .orders import TERMS, USD_RATE, OrderBook
from .parties import BUYER_COUNTRIES, Buyers, Enterprises, country_index
from .streams import stream
from .timebase import DAY_US, Timebase
from .watchlist import Watchlist, make_watchlist

OFFSHORE = ("AE", "HK", "TR", "RU", "KZ", "NG", "SG", "PK")
# Share of third-party payers in the buyer's own country: not every stranger pays from abroad.
DOMESTIC_THIRD_PARTIES = 0.3
MIN_AGE_DAYS = 60


@dataclass(frozen=True, slots=True)
class TradeInjection:
    """What trade typologies added besides editing orders."""

    payers: ExtraPayers
    watchlist: Watchlist
    listed_buyers: np.ndarray


def _select(
    cfg: GeneratorConfig, tb: Timebase, book: OrderBook, ent: Enterprises
) -> dict[str, np.ndarray]:
    rng = stream(cfg.seed, "trade-typology-selection")
    c = book.cols
    eligible = np.flatnonzero(~ent.shell[c["ent"]] & (c["t"] <= tb.end_us - MIN_AGE_DAYS * DAY_US))
    order = rng.permutation(eligible)
    chosen: dict[str, np.ndarray] = {}
    offset = 0
    for typology in TRADE_TYPOLOGIES:
        count = int(round(cfg.typologies.share(typology) * book.n))
        chosen[typology] = np.sort(order[offset : offset + count])
        offset += count
    return chosen


def _reprice(book: OrderBook, rows: np.ndarray, factor: np.ndarray) -> None:
    c = book.cols
    c["price"][rows] = np.round(c["price"][rows] * factor, 4)
    c["amount"][rows] = np.round(c["qty"][rows] * c["price"][rows], 2)


def _structure_payments(
    rng: np.random.Generator, cfg: GeneratorConfig, book: OrderBook, rows: np.ndarray
) -> None:
    """Turn each order into k payments each just below the reporting threshold."""
    c = book.cols
    k = rng.integers(3, 6, rows.shape[0])
    per_payment = rng.uniform(0.90, 0.99, rows.shape[0]) * cfg.reporting_threshold_usd
    price_usd = np.round(c["price"][rows] * USD_RATE[c["currency"][rows]], 4)
    qty = np.maximum(1.0, np.floor(k * per_payment / price_usd))
    c["currency"][rows] = 0
    c["price"][rows] = price_usd
    c["qty"][rows] = qty
    c["amount"][rows] = np.round(qty * price_usd, 2)
    c["terms"][rows] = TERMS.index("OA")
    c["credit"][rows] = 30
    c["subtype"][rows] = k


def _third_party_payers(
    rng: np.random.Generator, seed: int, book: OrderBook, buyers: Buyers, rows: np.ndarray
) -> ExtraPayers:
    """One unrelated payer per order: mostly from an offshore centre other than the buyer's
    country, some from the buyer's own country (a local firm or person paying for it)."""
    c = book.cols
    n = int(rows.shape[0])
    offshore = np.array([country_index(code) for code in OFFSHORE])
    pick = rng.integers(0, offshore.shape[0], n)
    home = buyers.country[c["buyer"][rows]]
    clash = offshore[pick] == home
    abroad = offshore[np.where(clash, (pick + 1) % offshore.shape[0], pick)]
    local = stream(seed, "third-party-local").random(n) < DOMESTIC_THIRD_PARTIES
    country = np.where(local, home, abroad)
    c["payer"][rows] = np.arange(n)
    names = vocab.company_names(
        [
            vocab.pick(vocab.PAYER_WORDS, rng.integers(0, len(vocab.PAYER_WORDS), n)),
            vocab.pick(vocab.PAYER_WORDS, rng.integers(0, len(vocab.PAYER_WORDS), n)),
            vocab.pick(vocab.PAYER_TRADES, rng.integers(0, len(vocab.PAYER_TRADES), n)),
            vocab.pick(("Ltd", "LLC", "Inc.", "Corp."), rng.integers(0, 4, n)),
        ]
    )
    accounts = make_ids("TP", n, 9)
    return ExtraPayers(names, country, accounts)


def _negative_list(
    rng: np.random.Generator,
    cfg: GeneratorConfig,
    book: OrderBook,
    buyers: Buyers,
    rows: np.ndarray,
) -> tuple[Watchlist, np.ndarray]:
    n_listed = min(150, max(1, -(-rows.shape[0] // 15))) if rows.shape[0] else 0
    watchlist = make_watchlist(cfg, max(30, 4 * n_listed), n_listed)
    if n_listed == 0:
        return watchlist, np.empty(0, dtype=np.int64)
    country = np.array([BUYER_COUNTRIES.index(code) for code in watchlist.used_countries])
    listed = buyers.append(
        pl.Series(watchlist.used_variants, dtype=pl.String), country, rng.integers(6, 11, n_listed)
    )
    book.cols["buyer"][rows] = listed[rng.integers(0, n_listed, rows.shape[0])]
    return watchlist, listed


def inject_trade_typologies(
    cfg: GeneratorConfig, tb: Timebase, book: OrderBook, ent: Enterprises, buyers: Buyers
) -> TradeInjection:
    rng = stream(cfg.seed, "trade-typologies")
    chosen = _select(cfg, tb, book, ent)
    c = book.cols
    for typology, rows in chosen.items():
        c["typology"][rows] = TRADE_CODES[typology]
    _reprice(
        book,
        chosen["OVER_INVOICING"],
        rng.uniform(2.0, 4.0, int(chosen["OVER_INVOICING"].shape[0])),
    )
    _reprice(
        book,
        chosen["UNDER_INVOICING"],
        rng.uniform(0.2, 0.45, int(chosen["UNDER_INVOICING"].shape[0])),
    )
    _structure_payments(rng, cfg, book, chosen["STRUCTURING"])
    phantom = chosen["PHANTOM_SHIPMENT"]
    c["forced_paid"][phantom] = c["t"][phantom] + rng.integers(0, 3 * DAY_US, phantom.shape[0])
    mismatch = chosen["THREE_DOC_MISMATCH"]
    c["subtype"][mismatch] = rng.integers(1, 6, mismatch.shape[0])
    payers = _third_party_payers(rng, cfg.seed, book, buyers, chosen["THIRD_PARTY_PAYER"])
    watchlist, listed = _negative_list(rng, cfg, book, buyers, chosen["NEGATIVE_LIST_PARTY"])
    return TradeInjection(payers, watchlist, listed)
