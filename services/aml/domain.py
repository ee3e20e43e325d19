"""Plain trade documents and reference data the detection code works on (no gRPC in here).

The service converts its proto messages into these; batch code reads the same fields as polars
columns named as in the trade-data contract. Money is a float amount plus an ISO 4217 currency;
times are timezone-aware UTC datetimes.

The trade documents are built for every screened trade, so they are plain slotted dataclasses
(hashable by value, never changed once built) rather than frozen ones, whose constructor costs
several times as much.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True, unsafe_hash=True)
class Party:
    """A named party to a trade as written on its documents."""

    party_id: str
    name: str
    country: str


@dataclass(slots=True, unsafe_hash=True)
class Order:
    """An export sales order (订单)."""

    order_id: str
    enterprise_id: str
    buyer_id: str
    ordered_at: datetime
    hs_code: str
    quantity: float
    unit_price: float
    amount: float
    currency: str
    platform: str = ""
    unit: str = ""
    incoterm: str = ""
    payment_terms: str = ""
    credit_days: int = 0


@dataclass(slots=True, unsafe_hash=True)
class Payment:
    """A payment received for an order (支付单)."""

    payment_id: str
    order_id: str
    payer_name: str
    payer_country: str
    paid_at: datetime
    amount: float
    currency: str
    payer_account: str = ""
    channel: str = ""


@dataclass(slots=True, unsafe_hash=True)
class Waybill:
    """A logistics document for an order (物流单)."""

    waybill_id: str
    order_id: str
    shipped_at: datetime
    destination_country: str
    gross_weight_kg: float
    carrier: str = ""
    delivered_at: datetime | None = None
    origin: str = ""
    packages: int = 0
    status: str = ""
    # Goods in this lot, in the order's unit; 0 when the carrier did not report it.
    quantity: float = 0.0


@dataclass(slots=True, unsafe_hash=True)
class Declaration:
    """An export customs declaration (报关单)."""

    declaration_id: str
    order_id: str
    declared_at: datetime
    hs_code: str
    declared_value: float
    currency: str
    quantity: float
    customs_status: str = ""


@dataclass(slots=True, unsafe_hash=True)
class Trade:
    """One export trade: the order with the documents that exist so far.

    An order shipped in lots has one waybill and one declaration per lot. `exporter` and `buyer`
    are the parties as named on the documents; when absent the detector falls back to its
    reference data (enterprises and buyers tables).
    """

    order: Order
    payments: tuple[Payment, ...] = ()
    waybills: tuple[Waybill, ...] = ()
    declarations: tuple[Declaration, ...] = ()
    exporter: Party | None = None
    buyer: Party | None = None


@dataclass(frozen=True, slots=True)
class Enterprise:
    """Registry facts about an exporter, used by the shell-exporter and line-of-business checks."""

    enterprise_id: str
    name: str
    registered_at: datetime
    registered_capital_cny: float
    industry_hs2: str = ""
    region: str = ""
    employees: int = 0


@dataclass(frozen=True, slots=True)
class Buyer:
    """A foreign buyer from the buyers table."""

    buyer_id: str
    name: str
    country: str


@dataclass(frozen=True, slots=True)
class WatchlistEntry:
    """A negative-list or sanctions entry that parties are screened against."""

    entry_id: str
    name: str
    country: str
    list: str
    aliases: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Relation:
    """A known link between two parties (ownership, shared director, address or account)."""

    party_a: str
    party_b: str
    relation: str


@dataclass(slots=True, unsafe_hash=True)
class Flow:
    """A money flow between two parties, one edge of a network structure."""

    from_party_id: str
    to_party_id: str
    amount: float
    currency: str
    at: datetime
    document_id: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "from_party_id": self.from_party_id,
            "to_party_id": self.to_party_id,
            "amount": self.amount,
            "currency": self.currency,
            "at": self.at.isoformat(),
            "document_id": self.document_id,
        }


@dataclass(slots=True)
class ReferenceData:
    """Everything besides the trade itself that screening needs, loaded once at start."""

    enterprises: Mapping[str, Enterprise] = field(default_factory=dict)
    buyers: Mapping[str, Buyer] = field(default_factory=dict)
    watchlist: tuple[WatchlistEntry, ...] = ()
    relations: tuple[Relation, ...] = ()
    usd_rates: Mapping[str, float] = field(default_factory=lambda: {"USD": 1.0})
    _names_by_party: dict[str, frozenset[str]] = field(init=False, repr=False, default_factory=dict)
    # The exporter and buyer a trade without parties on its documents is named by, per id (made
    # once: every screened trade of the party names it again).
    _exporters: dict[str, Party] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _buyers: dict[str, Party] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._names_by_party = self._index_relations()

    def exporter_party(self, enterprise_id: str) -> Party:
        """The exporter as the enterprises table names it (no name when unknown), in China."""
        party = self._exporters.get(enterprise_id)
        if party is None:
            enterprise = self.enterprises.get(enterprise_id)
            party = Party(enterprise_id, enterprise.name if enterprise else "", "CN")
            if enterprise is not None:  # ids the tables know: bounded by them
                self._exporters[enterprise_id] = party
        return party

    def buyer_party(self, buyer_id: str) -> Party:
        """The buyer as the buyers table names it (no name or country when unknown)."""
        party = self._buyers.get(buyer_id)
        if party is None:
            known = self.buyers.get(buyer_id)
            party = Party(buyer_id, known.name if known else "", known.country if known else "")
            if known is not None:
                self._buyers[buyer_id] = party
        return party

    def _index_relations(self) -> dict[str, frozenset[str]]:
        linked: dict[str, set[str]] = {}
        for rel in self.relations:
            linked.setdefault(rel.party_a, set()).add(rel.party_b)
            linked.setdefault(rel.party_b, set()).add(rel.party_a)
        return {
            party: frozenset(self._name_of(o) for o in others) | frozenset(others)
            for party, others in linked.items()
        }

    def _name_of(self, party_id: str) -> str:
        if party_id in self.enterprises:
            return self.enterprises[party_id].name
        buyer = self.buyers.get(party_id)
        return buyer.name if buyer else party_id

    def related_names(self, party_id: str) -> frozenset[str]:
        """Ids and names of the parties a relation links to `party_id`."""
        return self._names_by_party.get(party_id, frozenset())

    def to_usd(self, amount: float, currency: str) -> float:
        """Convert with the reference rate; an unknown currency is taken at par."""
        return amount * self.usd_rates.get(currency.upper(), 1.0)
