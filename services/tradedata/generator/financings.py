"""Financings and their outcomes.

A financing defaults with a probability driven by the enterprise's latent health in the month
of disbursement (plus its customs credit class), never by anything written into the tables.
The book is written as a lender would extract it: every financing disbursed before the extract,
open ones included (no ``repaid_at`` yet, not defaulted), so exposure at serving time is real.
A default shows only once it is recognised, ``DEFAULT_RECOGNISED_DAYS`` after the due date;
before that an unpaid financing is simply open. Lenders keep lending after a default (at a
price), so the default rate stays level over time and past defaults stay informative.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from ..outcomes import recognised_by
from . import vocab
from .config import GeneratorConfig
from .health import sigmoid
from .parties import Enterprises
from .streams import stream
from .timebase import DAY_US, Timebase

PRODUCTS = ("ORDER_FINANCING", "RECEIVABLES_FINANCING", "INVENTORY_PLEDGE", "POLICY_FINANCING")
_PRODUCT_P = np.array([0.35, 0.35, 0.15, 0.15])
TENORS = np.array([60, 90, 120, 180])
_TENOR_P = np.array([0.25, 0.4, 0.2, 0.15])
# Lenders want some trade history from a firm that starts trading during the extract; firms
# trading before it have that history already.
NEW_FIRM_MONTHS = 3
DEFAULT_INTERCEPT = -4.4
DEFAULT_HEALTH_SLOPE = -2.1
CNY_PER_USD = 7.2668


def default_probability(z: np.ndarray, dishonest: np.ndarray) -> np.ndarray:
    return sigmoid(DEFAULT_INTERCEPT + DEFAULT_HEALTH_SLOPE * z + 0.8 * dishonest)


def make_financings(
    cfg: GeneratorConfig, tb: Timebase, ent: Enterprises, z: np.ndarray
) -> pl.DataFrame:
    rng = stream(cfg.seed, "financings")
    months = np.arange(tb.months)
    appetite = cfg.financings_per_month * np.exp(rng.normal(-0.08, 0.4, ent.n))
    counts = rng.poisson(np.repeat(appetite[:, None], months.shape[0], axis=1))
    wait = np.where(ent.active_from > 0, NEW_FIRM_MONTHS, 0)
    counts[:, :] *= months[None, :] >= (ent.active_from + wait)[:, None]
    cell = np.repeat(np.arange(counts.size), counts.ravel())
    e, m = cell // months.shape[0], months[cell % months.shape[0]]
    n = e.shape[0]
    disbursed = tb.month_start_us[m] + rng.integers(0, 28 * DAY_US, n)
    due = disbursed + rng.choice(TENORS, size=n, p=_TENOR_P) * DAY_US
    defaulted = rng.random(n) < default_probability(z[e, m], ent.dishonest[e])
    late = rng.random(n) < sigmoid(-2.5 - 0.8 * z[e, m])
    delay_days = np.where(late, rng.integers(1, 30, n), -rng.integers(0, 15, n))
    repaid = due + delay_days * DAY_US
    usd = ent.order_value_usd[e] * ent.order_rate[e] * rng.uniform(0.3, 1.5, n)
    cny = rng.random(n) < 0.3
    amount = np.round(np.where(cny, usd * CNY_PER_USD, usd), -2)
    frame = pl.DataFrame(
        {
            "e": e,
            "product": vocab.pick(PRODUCTS, rng.choice(4, size=n, p=_PRODUCT_P)),
            "amount": np.maximum(amount, 1000.0),
            "currency": vocab.pick(("USD", "CNY"), cny.astype(np.int64)),
            "disbursed_at": pl.Series(disbursed).cast(pl.Datetime("us", "UTC")),
            "due_at": pl.Series(due).cast(pl.Datetime("us", "UTC")),
            "repaid_at": pl.Series(np.where(defaulted, 0, repaid)).cast(pl.Datetime("us", "UTC")),
            "defaulted": defaulted,
        }
    )
    return _as_extracted(frame, tb)


def _as_extracted(frame: pl.DataFrame, tb: Timebase) -> pl.DataFrame:
    """What the lender's book shows at the extract: repayments and recognised defaults before
    it; everything else open."""
    end = pl.lit(tb.end_us).cast(pl.Datetime("us", "UTC"))
    recognised = recognised_by(end)
    repaid = ~pl.col("defaulted") & (pl.col("repaid_at") < end)
    kept = frame.filter(pl.col("disbursed_at") < end).sort("disbursed_at", "e")
    return kept.select(
        pl.format("F{}", pl.int_range(pl.len()).cast(pl.String).str.zfill(8)).alias("financing_id"),
        pl.format("E{}", pl.col("e").cast(pl.String).str.zfill(6)).alias("enterprise_id"),
        "product",
        "amount",
        "currency",
        "disbursed_at",
        "due_at",
        pl.when(repaid).then(pl.col("repaid_at")).otherwise(None).alias("repaid_at"),
        (pl.col("defaulted") & recognised).alias("defaulted"),
    )
