"""Registered parents that pay for their subsidiaries (an honest look-alike of a third party).

Some buyers belong to a group: the register links the buyer to its parent (an ownership
relation), and the parent's treasury pays a share of the buyer's invoices from its own account,
its name written the way its bank writes it - upper case, abbreviated, the legal form spelled out.
The parent shares only its brand word with the buyer and is often registered in another country
(a holding centre), so only the relation tells an analyst (and the screening) that the payer is
no stranger. Own random streams, so the rest of the data
set is the same with or without them.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from . import vocab
from .ids import make_ids
from .lookalikes import ABBREVIATIONS
from .parties import BUYER_COUNTRIES, Buyers, country_index
from .streams import stream
from .structures import Relation
from .timebase import DAY_US, Timebase

PARENT_WORDS = ("Holding", "Group", "Capital", "Investments", "Ventures", "Partners")
HOLDING_CENTRES = ("NL", "CH", "IE", "SG", "HK", "GB")
# How a parent's bank writes its name on a payment (the screening's normaliser undoes each).
WRITTEN: tuple[tuple[str, str], ...] = (
    *ABBREVIATIONS,
    (r"\bHolding\b", "Hldg"),
    (r"\bLtd\.?$", "Limited"),
    (r"\bInc\.$", "Incorporated"),
    (r"\bAG$", "Aktiengesellschaft"),
)


def register_parents(
    seed: int, buyers: Buyers, rate: float, tb: Timebase
) -> tuple[np.ndarray, list[Relation]]:
    """Give some buyers a registered parent (appended to `buyers`): the parent of each buyer
    (-1 for none) and the ownership relations. Twice `rate` of the buyers belong to a group;
    their parents pay about half of their bank payments (see :func:`parent_pays`)."""
    rng = stream(seed, "look-alike-parent-register")
    n = buyers.n
    owned = np.flatnonzero(rng.random(n) < min(1.0, 2 * rate))
    parent_of = np.full(n, -1, dtype=np.int64)
    if owned.shape[0] == 0:
        return parent_of, []
    brand = buyers.names.gather(owned).str.split(" ").list.first()
    word = vocab.pick(PARENT_WORDS, rng.integers(0, len(PARENT_WORDS), owned.shape[0]))
    # Many groups hold their companies from another country (a holding centre).
    centre = np.array([country_index(c) for c in HOLDING_CENTRES])
    abroad = rng.random(owned.shape[0]) < 0.4
    country = np.where(
        abroad, centre[rng.integers(0, centre.shape[0], owned.shape[0])], buyers.country[owned]
    )
    suffix = tuple(vocab.LEGAL_SUFFIX.get(c, "LLC") for c in BUYER_COUNTRIES)
    names = vocab.company_names([brand, word, vocab.pick(suffix, country)])
    parents = buyers.append(names, country, np.zeros(owned.shape[0], dtype=np.int64))
    parent_of[owned] = parents
    since = tb.start_us - rng.integers(365, 4000, owned.shape[0]) * DAY_US
    relations = [
        Relation("B", int(b), "B", int(p), "OWNERSHIP", int(s))
        for b, p, s in zip(owned, parents, since, strict=True)
    ]
    return parent_of, relations


def parent_accounts(parent: np.ndarray) -> pl.Series:
    return make_ids("PA", parent, 9)


def parent_pays(
    seed: int,
    payments: pl.DataFrame,
    buyer: np.ndarray,
    eligible: np.ndarray,
    parent_of: np.ndarray,
    buyers: Buyers,
) -> pl.DataFrame:
    """About half the eligible payments of buyers with a parent are made by the parent, from its
    account, under its name as its bank writes it."""
    rng = stream(seed, "look-alike-parent-payments")
    parent = parent_of[buyer] if parent_of.shape[0] else np.full(buyer.shape[0], -1)
    chosen = eligible & (parent >= 0) & (rng.random(buyer.shape[0]) < 0.5)
    safe = np.maximum(parent, 0)
    written = buyers.names.gather(safe)
    for pattern, replacement in WRITTEN:
        written = written.str.replace_all(pattern, replacement)
    upper = pl.Series(np.asarray(rng.random(buyer.shape[0]) < 0.5))
    name = pl.select(pl.when(upper).then(written.str.to_uppercase()).otherwise(written))
    flag = pl.Series(chosen)
    return payments.with_columns(
        payer_name=pl.when(flag).then(name.to_series()).otherwise(pl.col("payer_name")),
        payer_country=pl.when(flag)
        .then(vocab.pick(BUYER_COUNTRIES, buyers.country[safe]))
        .otherwise(pl.col("payer_country")),
        payer_account=pl.when(flag).then(parent_accounts(safe)).otherwise(pl.col("payer_account")),
    )
