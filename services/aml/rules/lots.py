"""What an order's documents add up to: the lots declared and shipped, and when it was paid for.

An export order is often shipped in lots, each with its own waybill and declaration, and paid as a
deposit and a balance. The rules compare these sums with the order, never one lot with the whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.aml.domain import ReferenceData, Trade
from services.aml.ruleset import RuleSet, days


@dataclass(slots=True, unsafe_hash=True)
class Lots:
    """Sums over an order's declarations, waybills and payments (made for every screened trade:
    slotted, hashed by value and never changed once built, not frozen, whose constructor costs
    several times as much)."""

    declared_qty: float
    declared_usd: float
    shipped_qty: float  # quantities the waybills report (0 when none does)
    paid_usd: float
    first_paid_at: datetime | None
    settled_at: datetime | None  # when the payments reached the settled share of the order


def summarise(
    trade: Trade,
    reference: ReferenceData,
    amount_usd: float,
    rules: RuleSet,
    paid_usd: tuple[float, ...] | None = None,
) -> Lots:
    """`paid_usd`: each payment in USD, in the trade's order, when the caller has them."""
    decls = trade.declarations
    if paid_usd is None:
        paid_usd = tuple(reference.to_usd(p.amount, p.currency) for p in trade.payments)
    paid, settled_at = 0.0, None
    paid_in_order = list(zip(trade.payments, paid_usd, strict=True))
    if len(paid_in_order) > 1:
        paid_in_order.sort(key=lambda pu: (pu[0].paid_at, pu[0].payment_id))
    for p, usd in paid_in_order:
        paid += usd
        if settled_at is None and paid >= rules.phantom.settled_share * amount_usd:
            settled_at = p.paid_at
    first_paid_at = None
    for p in trade.payments:  # min() of a generator, without making one
        if first_paid_at is None or p.paid_at < first_paid_at:
            first_paid_at = p.paid_at
    return Lots(
        declared_qty=sum([d.quantity for d in decls]),
        declared_usd=sum([reference.to_usd(d.declared_value, d.currency) for d in decls]),
        shipped_qty=sum([w.quantity for w in trade.waybills]),
        paid_usd=paid,
        first_paid_at=first_paid_at,
        settled_at=settled_at,
    )


def clock_start(lots: Lots, rules: RuleSet) -> datetime | None:
    """When waiting for the goods starts: the order paid for, or a deposit past production time.

    The phantom-shipment deadline is this plus ``phantom.days``."""
    if lots.settled_at is not None:
        return lots.settled_at
    if lots.first_paid_at is None:
        return None
    cfg = rules.phantom
    return lots.first_paid_at + days(max(0.0, cfg.production_days - cfg.days))


def declared_gap(
    lots: Lots, order_quantity: float, amount_usd: float, freight_share: float = 0.0
) -> float:
    """Relative gap between the declared value and the order's value of the declared quantity
    (a lot carries its share of the order, not the whole). Under carriage terms the order's price
    includes freight the declared value leaves out: up to `freight_share` short is no gap."""
    if not lots.declared_usd and not lots.declared_qty:
        return 0.0
    share = lots.declared_qty / order_quantity if order_quantity > 0 else 1.0
    expected = amount_usd * (share if lots.declared_qty > 0 else 1.0)
    target = min(max(lots.declared_usd, expected * (1 - freight_share)), expected)
    top = max(abs(lots.declared_usd), abs(target))
    return 0.0 if top == 0 else abs(lots.declared_usd - target) / top


def freight_share(incoterm: str, rules: RuleSet) -> float:
    """The part of the order's price a declared (FOB) value may leave out under its incoterm."""
    rc = rules.reconciliation
    return rc.freight_share if incoterm in rc.carriage_terms else 0.0


def unexplained_quantity(lots: Lots, order_quantity: float, due: bool, tol: float) -> float:
    """Share of the order that the documents leave unexplained: more declared than ordered at
    once; less, only once completion is due and the buyer has paid for more than was declared."""
    if order_quantity <= 0 or lots.declared_qty <= 0:
        return 0.0
    over = max(0.0, lots.declared_qty - order_quantity) / order_quantity
    short = max(0.0, order_quantity - lots.declared_qty) / order_quantity
    paid_for_more = lots.paid_usd > lots.declared_usd * (1 + tol)
    return max(over, short if due and paid_for_more else 0.0)
