"""Network typologies: circular trading, fan-in, fan-out and rapid pass-through.

Each structure appends its own orders (one forced payment each, at a chosen time) and, where
the typology needs them, affiliate buyers tied to exporters by ownership relations. Members are
drawn from clean exporters, each used by at most one structure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .config import GeneratorConfig
from .orders import TERMS, OrderBook
from .parties import BUYER_COUNTRIES, PRODUCT_PRICE, Buyers, Enterprises, buyer_names, country_index
from .streams import stream
from .timebase import DAY_US, Timebase

HOUR_US = DAY_US // 24
HUBS = ("HK", "SG", "AE", "MY", "TR")


@dataclass(slots=True)
class Structure:
    """One injected structure: members as (kind, index) and its orders' row indexes."""

    typology: str
    enterprises: list[int]
    buyers: list[int]
    rows: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))


@dataclass(slots=True)
class Relation:
    """A relation between an enterprise (index) and a buyer (index) or two enterprises."""

    a_kind: str
    a: int
    b_kind: str
    b: int
    relation: str
    since_us: int


@dataclass(slots=True)
class Builder:
    """Collects structure orders before they are appended to the order book."""

    cfg: GeneratorConfig
    tb: Timebase
    ent: Enterprises
    buyers: Buyers
    z: np.ndarray
    rng: np.random.Generator
    free: list[int]
    rows: list[dict[str, np.ndarray]] = field(default_factory=list)
    structures: list[Structure] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)

    def take(self, k: int) -> list[int]:
        taken, self.free = self.free[:k], self.free[k:]
        if len(taken) < k:
            raise ValueError("not enough enterprises for the requested network structures")
        return taken

    def new_buyers(self, countries: np.ndarray) -> np.ndarray:
        names = buyer_names(self.rng, countries)
        return self.buyers.append(
            names, countries, self.rng.integers(2, 8, int(countries.shape[0]))
        )

    def start_time(self) -> int:
        low, high = self.tb.start_us + 30 * DAY_US, self.tb.end_us - 75 * DAY_US
        return int(self.rng.integers(low, max(low + DAY_US, high)))

    def orders(
        self,
        sellers: np.ndarray,
        buyers: np.ndarray,
        t: np.ndarray,
        usd: np.ndarray,
        paid: np.ndarray,
    ) -> None:
        prod = self.ent.products[sellers, 0]
        price = np.round(
            PRODUCT_PRICE[prod] * np.exp(self.rng.normal(0, 0.05, sellers.shape[0])), 4
        )
        qty = np.maximum(1.0, np.round(usd / price))
        month = np.searchsorted(self.tb.month_start_us, t, side="right") - 1
        n = sellers.shape[0]
        self.rows.append(
            {
                "ent": sellers,
                "buyer": buyers,
                "month": month,
                "t": t,
                "prod": prod,
                "qty": qty,
                "price": price,
                "currency": np.zeros(n, dtype=np.int64),
                "amount": np.round(qty * price, 2),
                "platform": np.full(n, 11),
                "incoterm": np.full(n, 2),
                "terms": np.full(n, TERMS.index("OA")),
                "credit": np.full(n, 7),
                "health": self.z[sellers, month],
                "forced_paid": paid,
                "structured": np.full(n, len(self.structures)),
            }
        )

    def own(self, enterprise: int, buyer: int) -> None:
        since = self.tb.start_us - int(self.rng.integers(200, 2000)) * DAY_US
        self.relations.append(Relation("E", enterprise, "B", buyer, "OWNERSHIP", since))


def _circular(b: Builder) -> None:
    k = int(b.rng.integers(3, 6))
    members = b.take(k)
    affiliates = b.new_buyers(np.array([country_index(b.rng.choice(HUBS)) for _ in range(k)]))
    b.structures.append(Structure("CIRCULAR_TRADING", members, affiliates.tolist()))
    for i, e in enumerate(members):
        b.own(e, int(affiliates[i]))
        since = b.tb.start_us - int(b.rng.integers(100, 900)) * DAY_US
        b.relations.append(Relation("E", e, "E", members[(i + 1) % k], "SHARED_DIRECTOR", since))
    value = b.rng.uniform(60_000, 250_000)
    sellers = np.array(members * 3)
    receivers = np.array([int(affiliates[(i + 1) % k]) for i in range(k)] * 3)
    rounds = np.repeat(np.arange(3), k)
    t = b.start_time() + rounds * 30 * DAY_US + np.tile(np.arange(k), 3) * 3 * DAY_US
    t = t + b.rng.integers(0, DAY_US, t.shape[0])
    usd = value * b.rng.uniform(0.97, 1.03, int(t.shape[0]))
    b.orders(sellers, receivers, t, usd, t + b.rng.integers(DAY_US, 5 * DAY_US, t.shape[0]))


def _fan_in(b: Builder) -> None:
    hub = b.take(1)[0]
    n = int(b.rng.integers(12, 21))
    payers = b.new_buyers(b.rng.integers(0, len(BUYER_COUNTRIES), n))
    b.structures.append(Structure("FAN_IN", [hub], payers.tolist()))
    t = b.start_time() + b.rng.integers(0, 5 * DAY_US, n)
    usd = b.rng.uniform(8_000, 25_000) * b.rng.uniform(0.92, 1.08, n)
    b.orders(np.full(n, hub), payers, t, usd, t + b.rng.integers(HOUR_US, DAY_US, n))


def _fan_out(b: Builder) -> None:
    n = int(b.rng.integers(10, 17))
    sellers = np.array(b.take(n))
    payer = b.new_buyers(np.array([country_index(b.rng.choice(HUBS))]))
    b.structures.append(Structure("FAN_OUT", sellers.tolist(), payer.tolist()))
    t = b.start_time() + b.rng.integers(0, 5 * DAY_US, n)
    usd = b.rng.uniform(8_000, 25_000) * b.rng.uniform(0.92, 1.08, n)
    b.orders(sellers, np.full(n, int(payer[0])), t, usd, t + b.rng.integers(HOUR_US, DAY_US, n))


def _pass_through(b: Builder) -> None:
    length = int(b.rng.integers(3, 5))
    members = b.take(length)
    source = b.new_buyers(np.array([country_index(b.rng.choice(HUBS))]))
    affiliates = b.new_buyers(
        np.array([country_index(b.rng.choice(HUBS)) for _ in range(length - 1)])
    )
    for e, a in zip(members, affiliates.tolist(), strict=False):
        b.own(e, a)
    b.structures.append(
        Structure("RAPID_PASS_THROUGH", members, [*source.tolist(), *affiliates.tolist()])
    )
    paid = b.start_time() + np.cumsum(b.rng.integers(4 * HOUR_US, 36 * HOUR_US, length))
    ordered = paid - b.rng.integers(DAY_US, 3 * DAY_US, length)
    usd = b.rng.uniform(50_000, 200_000) * np.cumprod(b.rng.uniform(0.97, 0.995, length))
    receivers = np.concatenate([source, affiliates])
    b.orders(np.array(members), receivers, ordered, usd, paid)


_BUILDERS = {
    "CIRCULAR_TRADING": _circular,
    "FAN_IN": _fan_in,
    "FAN_OUT": _fan_out,
    "RAPID_PASS_THROUGH": _pass_through,
}


def inject_structures(
    cfg: GeneratorConfig,
    tb: Timebase,
    book: OrderBook,
    ent: Enterprises,
    buyers: Buyers,
    z: np.ndarray,
) -> tuple[list[Structure], list[Relation]]:
    rng = stream(cfg.seed, "structures")
    candidates = np.flatnonzero(~ent.shell)
    b = Builder(cfg, tb, ent, buyers, z, rng, rng.permutation(candidates).tolist())
    for typology, build in _BUILDERS.items():
        for _ in range(cfg.typologies.count(typology)):
            build(b)
    if b.rows:
        # One append for all structures: every append copies the whole order book.
        merged = {name: np.concatenate([rows[name] for rows in b.rows]) for name in b.rows[0]}
        added = book.append(merged)
        for i, structure in enumerate(b.structures, start=1):
            structure.rows = added[merged["structured"] == i]
    return b.structures, b.relations + _benign_relations(rng, tb, ent, buyers)


def _benign_relations(
    rng: np.random.Generator, tb: Timebase, ent: Enterprises, buyers: Buyers
) -> list[Relation]:
    """Ordinary group structures: overseas sales affiliates and shared offices."""
    owners = np.flatnonzero(rng.random(ent.n) < 0.03)
    shared = np.flatnonzero(rng.random(ent.n) < 0.02)
    partners = rng.integers(0, ent.n, shared.shape[0])
    since = tb.start_us - rng.integers(100, 3000, owners.shape[0] + shared.shape[0]) * DAY_US
    found = [
        Relation("E", int(e), "B", int(buyers.pool_start[e]), "OWNERSHIP", int(s))
        for e, s in zip(owners, since[: owners.shape[0]], strict=True)
    ]
    found += [
        Relation("E", int(e), "E", int(p), "SHARED_ADDRESS", int(s))
        for e, p, s in zip(shared, partners, since[owners.shape[0] :], strict=True)
        if e != p
    ]
    return found
