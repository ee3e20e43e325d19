"""Rules on one trade's own documents: reconciliation (D1/D2), phantom shipment (D5), payer (A2),
payments without a contract behind them (A9) and high-risk jurisdictions (S2)."""

from __future__ import annotations

import math
from datetime import timedelta

from services.aml.rules.base import DocRef, Evidence, Hit, hit, strength
from services.aml.rules.context import TradeContext
from services.aml.ruleset import (
    HIGH_RISK_JURISDICTION,
    PHANTOM_SHIPMENT,
    THIRD_PARTY_PAYER,
    THREE_DOC_MISMATCH,
)
from services.aml.screening import name_similarity


def rel_gap(a: float, b: float) -> float:
    """Relative difference of two positive figures, against the larger one."""
    top = max(abs(a), abs(b))
    return 0.0 if top == 0 else abs(a - b) / top


def _order_ref(ctx: TradeContext) -> DocRef:
    return DocRef("ORDER", ctx.trade.order.order_id)


def doc_amount_mismatch(ctx: TradeContext) -> Hit | None:
    """Declared customs value or the order's own quantity x price disagree with its amount."""
    order, decl = ctx.trade.order, ctx.trade.declaration
    tol = ctx.rules.reconciliation.amount_rel_tol
    invoice_gap = rel_gap(order.quantity * order.unit_price, order.amount)
    declared_gap = 0.0
    if decl is not None:
        declared = ctx.reference.to_usd(decl.declared_value, decl.currency)
        declared_gap = rel_gap(declared, ctx.amount_usd)
    gap = max(invoice_gap, declared_gap)
    if gap <= tol:
        return None
    docs = (_order_ref(ctx),) + ((DocRef("DECLARATION", decl.declaration_id),) if decl else ())
    details = {
        "order_amount": order.amount,
        "order_currency": order.currency,
        "quantity_x_unit_price": order.quantity * order.unit_price,
        "declared_value": decl.declared_value if decl else None,
        "declared_currency": decl.currency if decl else None,
        "relative_gap": round(gap, 4),
        "tolerance": tol,
    }
    ev = Evidence(
        "Order amount disagrees with declared value or quantity x unit price", docs, details
    )
    return hit("doc_amount_mismatch", THREE_DOC_MISMATCH, strength(gap, tol), ev)


def doc_currency_mismatch(ctx: TradeContext) -> Hit | None:
    """Payments or the declaration in another currency than the order."""
    order = ctx.trade.order
    docs = [
        DocRef("PAYMENT", p.payment_id) for p in ctx.trade.payments if p.currency != order.currency
    ]
    decl = ctx.trade.declaration
    if decl is not None and decl.currency != order.currency:
        docs.append(DocRef("DECLARATION", decl.declaration_id))
    if not docs:
        return None
    ev = Evidence(
        "Documents in a different currency from the order",
        (_order_ref(ctx), *docs),
        {"order_currency": order.currency},
    )
    return hit("doc_currency_mismatch", THREE_DOC_MISMATCH, 0.8, ev)


def doc_quantity_mismatch(ctx: TradeContext) -> Hit | None:
    """Declared quantity differs from the ordered one."""
    order, decl = ctx.trade.order, ctx.trade.declaration
    tol = ctx.rules.reconciliation.quantity_rel_tol
    if decl is None:
        return None
    gap = rel_gap(decl.quantity, order.quantity)
    if gap <= tol:
        return None
    ev = Evidence(
        "Declared quantity differs from the order",
        (_order_ref(ctx), DocRef("DECLARATION", decl.declaration_id)),
        {
            "order_quantity": order.quantity,
            "declared_quantity": decl.quantity,
            "relative_gap": round(gap, 4),
            "tolerance": tol,
        },
    )
    return hit("doc_quantity_mismatch", THREE_DOC_MISMATCH, strength(gap, tol), ev)


def doc_hs_mismatch(ctx: TradeContext) -> Hit | None:
    """Declared HS code differs from the ordered goods in its leading digits."""
    order, decl = ctx.trade.order, ctx.trade.declaration
    digits = ctx.rules.reconciliation.hs_digits
    if decl is None or decl.hs_code[:digits] == order.hs_code[:digits]:
        return None
    chapter_differs = decl.hs_code[:2] != order.hs_code[:2]
    ev = Evidence(
        "Declared HS code differs from the order",
        (_order_ref(ctx), DocRef("DECLARATION", decl.declaration_id)),
        {"order_hs_code": order.hs_code, "declared_hs_code": decl.hs_code},
    )
    return hit("doc_hs_mismatch", THREE_DOC_MISMATCH, 1.0 if chapter_differs else 0.7, ev)


def doc_party_mismatch(ctx: TradeContext) -> Hit | None:
    """Goods shipped to another country than the buyer's."""
    buyer_country = ctx.buyer.country
    odd = [
        w
        for w in ctx.trade.waybills
        if buyer_country and w.destination_country and w.destination_country != buyer_country
    ]
    if not odd:
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
    earliest = order.ordered_at - timedelta(days=ctx.rules.reconciliation.max_days_before_order)
    docs = [
        DocRef("WAYBILL", w.waybill_id)
        for w in ctx.trade.waybills
        if w.shipped_at < earliest or (w.delivered_at is not None and w.delivered_at < w.shipped_at)
    ]
    decl = ctx.trade.declaration
    if decl is not None and decl.declared_at < earliest:
        docs.append(DocRef("DECLARATION", decl.declaration_id))
    if not docs:
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
    paid = sum(ctx.reference.to_usd(p.amount, p.currency) for p in ctx.trade.payments)
    tol = ctx.rules.reconciliation.amount_rel_tol
    excess = (paid - ctx.amount_usd) / ctx.amount_usd if ctx.amount_usd > 0 else math.inf
    if not ctx.trade.payments or excess <= tol:
        return None
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
    """Paid, but no waybill or no declaration within the allowed days of the first payment."""
    if not ctx.trade.payments:
        return None
    first_paid = min(p.paid_at for p in ctx.trade.payments)
    deadline = first_paid + timedelta(days=ctx.rules.phantom.days)
    if ctx.as_of < deadline:
        return None  # too early to say the goods never moved
    shipped = any(w.shipped_at <= deadline for w in ctx.trade.waybills)
    decl = ctx.trade.declaration
    declared = decl is not None and decl.declared_at <= deadline
    if shipped and declared:
        return None
    missing = [name for name, ok in (("waybill", shipped), ("declaration", declared)) if not ok]
    ev = Evidence(
        f"Paid but no {' or '.join(missing)} within {ctx.rules.phantom.days:g} days",
        (_order_ref(ctx), *(DocRef("PAYMENT", p.payment_id) for p in ctx.trade.payments)),
        {
            "first_paid_at": first_paid.isoformat(),
            "missing": missing,
            "days": ctx.rules.phantom.days,
        },
    )
    return hit("phantom_shipment", PHANTOM_SHIPMENT, 1.0 if len(missing) == 2 else 0.8, ev)


def third_party_payer(ctx: TradeContext) -> Hit | None:
    """A payer whose name or country is not the buyer's, and no known relation explains it."""
    buyer, threshold = ctx.buyer, ctx.rules.payer.name_similarity
    odd, worst = [], 0.0
    for p in ctx.trade.payments:
        name_off = bool(buyer.name) and name_similarity(p.payer_name, buyer.name) < threshold
        country_off = bool(buyer.country) and p.payer_country != buyer.country
        if (name_off or country_off) and not _related(ctx, p.payer_name, p.payer_account):
            odd.append(p)
            worst = max(worst, 1.0 if name_off and country_off else 0.7)
    if not odd:
        return None
    ev = Evidence(
        "Payment made by a party other than the buyer",
        (_order_ref(ctx), *(DocRef("PAYMENT", p.payment_id) for p in odd)),
        {
            "buyer_name": buyer.name,
            "buyer_country": buyer.country,
            "payers": [{"name": p.payer_name, "country": p.payer_country} for p in odd],
        },
    )
    return hit("third_party_payer", THIRD_PARTY_PAYER, worst, ev)


def _related(ctx: TradeContext, payer_name: str, payer_account: str) -> bool:
    """A relation links the buyer to that payer (a parent paying for its subsidiary)."""
    linked = ctx.reference.related_names(ctx.buyer.party_id)
    return payer_name in linked or (bool(payer_account) and payer_account in linked)


def high_risk_jurisdiction(ctx: TradeContext) -> Hit | None:
    """Buyer, payer or destination in a configured high-risk jurisdiction."""
    risky = set(ctx.rules.jurisdiction.countries)
    found = {("BUYER", ctx.buyer.country)} if ctx.buyer.country in risky else set()
    found |= {("PAYMENT", p.payer_country) for p in ctx.trade.payments if p.payer_country in risky}
    found |= {
        ("WAYBILL", w.destination_country)
        for w in ctx.trade.waybills
        if w.destination_country in risky
    }
    if not found:
        return None
    ev = Evidence(
        "Party or route in a high-risk jurisdiction",
        (_order_ref(ctx),),
        {"countries": sorted({c for _, c in found}), "roles": sorted({r for r, _ in found})},
    )
    return hit("high_risk_jurisdiction", HIGH_RISK_JURISDICTION, 0.6, ev)
