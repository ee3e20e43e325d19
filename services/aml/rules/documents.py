"""Rules on one trade's own documents: reconciliation of the lots with the order (D1/D2), phantom
shipment (D5), payer (A2), payments without a contract behind them (A9) and high-risk
jurisdictions (S2)."""

from __future__ import annotations

import math
from datetime import datetime

from services.aml.domain import Declaration, Waybill
from services.aml.rules import lots as lots_
from services.aml.rules import payers
from services.aml.rules.base import DocRef, Evidence, Hit, hit, strength
from services.aml.rules.context import TradeContext
from services.aml.rules.specs import fires
from services.aml.ruleset import (
    HIGH_RISK_JURISDICTION,
    PHANTOM_SHIPMENT,
    THIRD_PARTY_PAYER,
    THREE_DOC_MISMATCH,
    days,
)


def rel_gap(a: float, b: float) -> float:
    """Relative difference of two positive figures, against the larger one."""
    top = max(abs(a), abs(b))
    return 0.0 if top == 0 else abs(a - b) / top


def _order_ref(ctx: TradeContext) -> DocRef:
    return DocRef("ORDER", ctx.trade.order.order_id)


def _declaration_refs(ctx: TradeContext) -> tuple[DocRef, ...]:
    return tuple(DocRef("DECLARATION", d.declaration_id) for d in ctx.trade.declarations)


def doc_amount_mismatch(ctx: TradeContext) -> Hit | None:
    """The declared lots are valued off the order's price, or quantity x price is not the amount."""
    order, lots = ctx.trade.order, ctx.lots
    tol = ctx.rules.reconciliation.amount_rel_tol
    invoice_gap = rel_gap(order.quantity * order.unit_price, order.amount)
    freight = lots_.freight_share(order.incoterm, ctx.rules)
    declared_gap = lots_.declared_gap(lots, order.quantity, ctx.amount_usd, freight)
    gap = max(invoice_gap, declared_gap)
    signals = {"invoice_gap": invoice_gap, "declared_gap": declared_gap}
    if not fires("doc_amount_mismatch", signals, ctx.rules):
        return None
    details = {
        "order_amount": order.amount,
        "order_currency": order.currency,
        "quantity_x_unit_price": order.quantity * order.unit_price,
        "declared_quantity": lots.declared_qty,
        "declared_value_usd": round(lots.declared_usd, 2),
        "order_value_of_declared_quantity_usd": round(
            ctx.amount_usd * lots.declared_qty / order.quantity if order.quantity > 0 else 0.0, 2
        ),
        "declarations": len(ctx.trade.declarations),
        "rejected_declarations_set_aside": [d.declaration_id for d in ctx.rejected],
        "incoterm": order.incoterm,
        "freight_share_allowed": freight,
        "relative_gap": round(gap, 4),
        "tolerance": tol,
    }
    ev = Evidence(
        "Declared value disagrees with the order's price for the quantity declared, or quantity "
        "x unit price is not the order amount",
        (_order_ref(ctx), *_declaration_refs(ctx)),
        details,
    )
    return hit("doc_amount_mismatch", THREE_DOC_MISMATCH, strength(gap, tol), ev)


def doc_currency_mismatch(ctx: TradeContext) -> Hit | None:
    """Payments, or declarations outside the exporter's own currency, not in the order's currency
    (a customs value lodged in CNY is normal; its converted value is reconciled above)."""
    order = ctx.trade.order
    currency, lodged_in = order.currency, ctx.rules.reconciliation.local_currencies
    # Plain loops: most trades have one document of each kind, all in the order's currency.
    docs = []
    for p in ctx.trade.payments:
        if p.currency != currency:
            docs.append(DocRef("PAYMENT", p.payment_id))
    for d in ctx.trade.declarations:
        if d.currency != currency and d.currency not in lodged_in:
            docs.append(DocRef("DECLARATION", d.declaration_id))
    if not fires("doc_currency_mismatch", {"currency_mismatch": len(docs)}, ctx.rules):
        return None
    local = set(lodged_in) | {currency}
    ev = Evidence(
        "Documents in a different currency from the order",
        (_order_ref(ctx), *docs),
        {"order_currency": order.currency, "accepted_declaration_currencies": sorted(local)},
    )
    return hit("doc_currency_mismatch", THREE_DOC_MISMATCH, 0.8, ev)


def completion_due(ctx: TradeContext) -> bool:
    """Whether every lot should have shipped by now."""
    return ctx.as_of >= ctx.trade.order.ordered_at + days(ctx.rules.reconciliation.completion_days)


def doc_quantity_mismatch(ctx: TradeContext) -> Hit | None:
    """More declared than ordered, or a paid-for remainder never declared after completion."""
    order, lots = ctx.trade.order, ctx.lots
    rc = ctx.rules.reconciliation
    gap = lots_.unexplained_quantity(lots, order.quantity, completion_due(ctx), rc.amount_rel_tol)
    if not fires("doc_quantity_mismatch", {"quantity_gap": gap}, ctx.rules):
        return None
    ev = Evidence(
        "Declared lots do not add up to the order",
        (_order_ref(ctx), *_declaration_refs(ctx)),
        {
            "order_quantity": order.quantity,
            "declared_quantity": lots.declared_qty,
            "shipped_quantity_on_waybills": lots.shipped_qty,
            "declarations": len(ctx.trade.declarations),
            "paid_usd": round(lots.paid_usd, 2),
            "declared_usd": round(lots.declared_usd, 2),
            "completion_due": completion_due(ctx),
            "relative_gap": round(gap, 4),
            "tolerance": rc.quantity_rel_tol,
        },
    )
    return hit("doc_quantity_mismatch", THREE_DOC_MISMATCH, strength(gap, rc.quantity_rel_tol), ev)


def hs_mismatch_level(ordered: str, declared: str, digits: int) -> int:
    """0 when the codes agree in their leading digits (a 10-digit national line of the ordered
    subheading agrees), 1 for another subheading of the chapter, 2 for another chapter."""
    if declared[:digits] == ordered[:digits]:
        return 0
    return 2 if declared[:2] != ordered[:2] else 1


def doc_hs_mismatch(ctx: TradeContext) -> Hit | None:
    """A declared HS code differs from the ordered goods in its leading digits."""
    order = ctx.trade.order
    digits = ctx.rules.reconciliation.hs_digits
    odd = []
    for d in ctx.trade.declarations:
        if level := hs_mismatch_level(order.hs_code, d.hs_code, digits):
            odd.append((d, level))
    if not fires("doc_hs_mismatch", {"hs_mismatch": len(odd)}, ctx.rules):
        return None
    ev = Evidence(
        "Declared HS code differs from the order",
        (_order_ref(ctx), *(DocRef("DECLARATION", d.declaration_id) for d, _ in odd)),
        {"order_hs_code": order.hs_code, "declared_hs_codes": sorted({d.hs_code for d, _ in odd})},
    )
    worst = max(level for _, level in odd)
    return hit("doc_hs_mismatch", THREE_DOC_MISMATCH, 1.0 if worst == 2 else 0.7, ev)


def doc_party_mismatch(ctx: TradeContext) -> Hit | None:
    """Goods shipped to another country than the buyer's."""
    buyer_country = ctx.buyer.country
    odd = [
        w
        for w in ctx.trade.waybills
        if buyer_country and w.destination_country and w.destination_country != buyer_country
    ]
    if not fires("doc_party_mismatch", {"destination_mismatch": len(odd)}, ctx.rules):
        return None
    ev = Evidence(
        "Waybill destination is not the buyer's country",
        (_order_ref(ctx), *(DocRef("WAYBILL", w.waybill_id) for w in odd)),
        {
            "buyer_country": buyer_country,
            "destinations": sorted({w.destination_country for w in odd}),
        },
    )
    return hit("doc_party_mismatch", THREE_DOC_MISMATCH, 0.8, ev)


def doc_date_order(ctx: TradeContext) -> Hit | None:
    """Shipment or declaration dated well before the order, or delivery before shipment."""
    order = ctx.trade.order
    earliest = order.ordered_at - days(ctx.rules.reconciliation.max_days_before_order)
    docs = []
    for w in ctx.trade.waybills:
        if w.shipped_at < earliest or (
            w.delivered_at is not None and w.delivered_at < w.shipped_at
        ):
            docs.append(DocRef("WAYBILL", w.waybill_id))
    for d in ctx.trade.declarations:
        if d.declared_at < earliest:
            docs.append(DocRef("DECLARATION", d.declaration_id))
    if not fires("doc_date_order", {"misdated_documents": len(docs)}, ctx.rules):
        return None
    ev = Evidence(
        "Documents dated before the order they belong to",
        (_order_ref(ctx), *docs),
        {"ordered_at": order.ordered_at.isoformat()},
    )
    return hit("doc_date_order", THREE_DOC_MISMATCH, 0.7, ev)


def payment_without_contract(ctx: TradeContext) -> Hit | None:
    """Received funds exceed the order: the excess has no contract behind it (A9)."""
    order = ctx.trade.order
    paid = sum(ctx.paid_usd)
    tol = ctx.rules.reconciliation.amount_rel_tol
    signals = {
        "n_payments": len(ctx.trade.payments),
        "paid_usd": paid,
        "amount_usd": ctx.amount_usd,
    }
    if not fires("payment_without_contract", signals, ctx.rules):
        return None
    excess = (paid - ctx.amount_usd) / ctx.amount_usd if ctx.amount_usd > 0 else math.inf
    ev = Evidence(
        "Payments exceed the order amount",
        (_order_ref(ctx), *(DocRef("PAYMENT", p.payment_id) for p in ctx.trade.payments)),
        {
            "order_amount_usd": round(ctx.amount_usd, 2),
            "paid_usd": round(paid, 2),
            "tolerance": tol,
            "order_amount": order.amount,
        },
    )
    return hit("payment_without_contract", THREE_DOC_MISMATCH, strength(excess, tol), ev)


def phantom_shipment(ctx: TradeContext) -> Hit | None:
    """Paid for, but no waybill or no declaration within the allowed days.

    The clock starts when the order is paid for (the balance, not a deposit), or - for an order
    only part paid - once the longest production time after its first payment has passed."""
    start = lots_.clock_start(ctx.lots, ctx.rules)
    if start is None:
        return None
    deadline = start + days(ctx.rules.phantom.days)
    if ctx.as_of < deadline:
        return None  # too early to say the goods never moved
    missing = []
    if not _shipped_by(ctx.trade.waybills, deadline):
        missing.append("waybill")
    # Goods presented to customs were not made up, even if customs rejected the declaration.
    declared = _declared_by(ctx.trade.declarations, deadline)
    if not declared and not _declared_by(ctx.rejected, deadline):
        missing.append("declaration")
    signals = {"documents_due": True, "missing_documents": len(missing)}
    if not fires("phantom_shipment", signals, ctx.rules):
        return None
    settled = ctx.lots.settled_at is not None
    ev = Evidence(
        f"{'Paid for' if settled else 'Deposit taken'} but no {' or '.join(missing)} by "
        f"{deadline.date().isoformat()}",
        (_order_ref(ctx), *(DocRef("PAYMENT", p.payment_id) for p in ctx.trade.payments)),
        {
            "clock_started_at": start.isoformat(),
            "clock_start": "ORDER_PAID" if settled else "PRODUCTION_TIME_AFTER_DEPOSIT",
            "paid_share": round(ctx.lots.paid_usd / ctx.amount_usd, 4) if ctx.amount_usd else None,
            "deadline": deadline.isoformat(),
            "missing": missing,
            "days": ctx.rules.phantom.days,
        },
    )
    return hit("phantom_shipment", PHANTOM_SHIPMENT, 1.0 if len(missing) == 2 else 0.8, ev)


def _shipped_by(waybills: tuple[Waybill, ...], deadline: datetime) -> bool:
    """Whether a waybill shipped by `deadline` (a plain loop: most trades have one)."""
    for w in waybills:
        if w.shipped_at <= deadline:
            return True
    return False


def _declared_by(declarations: tuple[Declaration, ...], deadline: datetime) -> bool:
    """Whether a declaration was lodged by `deadline`."""
    for d in declarations:
        if d.declared_at <= deadline:
            return True
    return False


def third_party_payer(ctx: TradeContext) -> Hit | None:
    """A payer that is neither the buyer (however written), a party related to it, nor the
    platform settling its marketplace sales on that channel."""
    buyer = ctx.buyer
    odd = [p for p in ctx.trade.payments if not payers.is_explained(ctx, p)]
    if not fires("third_party_payer", {"unexplained_payers": len(odd)}, ctx.rules):
        return None
    abroad = any(buyer.country and p.payer_country != buyer.country for p in odd)
    ev = Evidence(
        "Payment made by a party other than the buyer",
        (_order_ref(ctx), *(DocRef("PAYMENT", p.payment_id) for p in odd)),
        {
            "buyer_name": buyer.name,
            "buyer_country": buyer.country,
            "payers": [
                {"name": p.payer_name, "country": p.payer_country, "channel": p.channel}
                for p in odd
            ],
            "checked": "buyer name (normalised), related parties, settlement parties by channel",
        },
    )
    return hit("third_party_payer", THIRD_PARTY_PAYER, 1.0 if abroad else 0.7, ev)


def high_risk_jurisdiction(ctx: TradeContext) -> Hit | None:
    """Buyer, payer or destination in a configured high-risk jurisdiction."""
    risky = ctx.rules.jurisdiction.countries
    # Plain loops over the configured countries: most trades name none of them.
    found: set[tuple[str, str]] = set()
    if ctx.buyer.country in risky:
        found.add(("BUYER", ctx.buyer.country))
    for p in ctx.trade.payments:
        if p.payer_country in risky:
            found.add(("PAYMENT", p.payer_country))
    for w in ctx.trade.waybills:
        if w.destination_country in risky:
            found.add(("WAYBILL", w.destination_country))
    if not fires("high_risk_jurisdiction", {"high_risk_parties": len(found)}, ctx.rules):
        return None
    ev = Evidence(
        "Party or route in a high-risk jurisdiction",
        (_order_ref(ctx),),
        {"countries": sorted({c for _, c in found}), "roles": sorted({r for r, _ in found})},
    )
    return hit("high_risk_jurisdiction", HIGH_RISK_JURISDICTION, 0.6, ev)
