"""A trade message read once: checked and turned into the domain's documents in the same pass.

This runs for every screened trade, and reading a protobuf field costs more than the check on
it, so each field is read a single time. Every invalid field is reported at once, in the order
of the documents (order, payments, waybills, declarations, then the waybills' quantities); field
paths are formatted only for a violation.
"""

from __future__ import annotations

from services._proto.tradeguard.common.v1 import common_pb2
from services.aml import domain
from services.aml.api.convert import (
    CHANNEL,
    CUSTOMS_STATUS,
    INCOTERM,
    PAYMENT_TERMS,
    WAYBILL_STATUS,
    to_datetime,
)
from services.aml.api.validation import moment_problem
from services.common.violations import MAX_ID_CHARS, FieldViolations

_NANOS = 1_000_000_000


def read_trade(trade: common_pb2.Trade, v: FieldViolations, at: str) -> domain.Trade:
    """The trade's documents; what is wrong with them goes to `v` (the trade is then of no use)."""
    order = trade.order
    if not trade.HasField("order"):
        v.add(f"{at}.order", "is required")
    read = domain.Trade(
        order=_order(order, v, at),
        payments=tuple([_payment(p, v, at, i) for i, p in enumerate(trade.payments)]),
        waybills=tuple([_waybill(w, v, at, i) for i, w in enumerate(trade.waybills)]),
        declarations=_declarations(trade, v, at),
        exporter=_party(trade, "exporter"),
        buyer=_party(trade, "buyer"),
    )
    for i, waybill in enumerate(read.waybills):
        if waybill.quantity < 0:
            v.add(f"{at}.waybills[{i}].quantity", "is negative")
    return read


def _order(order: common_pb2.Order, v: FieldViolations, at: str) -> domain.Order:
    order_id, enterprise_id, buyer_id = order.order_id, order.enterprise_id, order.buyer_id
    for name, value in (
        ("order_id", order_id),
        ("enterprise_id", enterprise_id),
        ("buyer_id", buyer_id),
    ):
        if not value.strip() or len(value) > MAX_ID_CHARS:
            v.require_id(value, f"{at}.order.{name}")
    if problem := moment_problem(order, "ordered_at", True):
        v.add(f"{at}.order.ordered_at", problem)
    amount, price = order.amount, order.unit_price
    total = amount.units + amount.nanos / _NANOS
    if not order.HasField("amount"):
        v.add(f"{at}.order.amount", "is required")
    if total < 0:
        v.add(f"{at}.order.amount", "must not be negative")
    return domain.Order(
        order_id,
        enterprise_id,
        buyer_id,
        to_datetime(order.ordered_at),
        order.hs_code,
        order.quantity,
        price.units + price.nanos / _NANOS,
        total,
        amount.currency_code,
        order.platform,
        order.unit,
        INCOTERM(order.incoterm),
        PAYMENT_TERMS(order.payment_terms),
        order.credit_days,
    )


def _payment(payment: common_pb2.Payment, v: FieldViolations, at: str, i: int) -> domain.Payment:
    if problem := moment_problem(payment, "paid_at", True):
        v.add(f"{at}.payments[{i}].paid_at", problem)
    amount = payment.amount
    value = amount.units + amount.nanos / _NANOS
    if value < 0:
        v.add(f"{at}.payments[{i}].amount", "is negative")
    return domain.Payment(
        payment.payment_id,
        payment.order_id,
        payment.payer_name,
        payment.payer_country,
        to_datetime(payment.paid_at),
        value,
        amount.currency_code,
        payment.payer_account,
        CHANNEL(payment.channel),
    )


def _waybill(waybill: common_pb2.Waybill, v: FieldViolations, at: str, i: int) -> domain.Waybill:
    if problem := moment_problem(waybill, "shipped_at", True):
        v.add(f"{at}.waybills[{i}].shipped_at", problem)
    delivered = None
    if waybill.HasField("delivered_at"):
        if problem := moment_problem(waybill, "delivered_at", False):
            v.add(f"{at}.waybills[{i}].delivered_at", problem)
        delivered = to_datetime(waybill.delivered_at)
    return domain.Waybill(
        waybill.waybill_id,
        waybill.order_id,
        to_datetime(waybill.shipped_at),
        waybill.destination_country,
        waybill.gross_weight_kg,
        waybill.carrier,
        delivered,
        waybill.origin,
        waybill.packages,
        WAYBILL_STATUS(waybill.status),
        waybill.quantity,
    )


def _declarations(
    trade: common_pb2.Trade, v: FieldViolations, at: str
) -> tuple[domain.Declaration, ...]:
    """The single `declaration` (older senders) first, then the `declarations` of each lot."""
    found = []
    if trade.HasField("declaration"):
        single = trade.declaration
        if problem := moment_problem(single, "declared_at", True):
            v.add(f"{at}.declaration.declared_at", problem)
        found.append(_declaration(single))
    for i, declaration in enumerate(trade.declarations):
        if problem := moment_problem(declaration, "declared_at", True):
            v.add(f"{at}.declarations[{i}].declared_at", problem)
        read = _declaration(declaration)
        if read.declared_value < 0:
            v.add(f"{at}.declarations[{i}].declared_value", "is negative")
        if read.quantity < 0:
            v.add(f"{at}.declarations[{i}].quantity", "is negative")
        found.append(read)
    return tuple(found)


def _declaration(declaration: common_pb2.Declaration) -> domain.Declaration:
    value = declaration.declared_value
    return domain.Declaration(
        declaration.declaration_id,
        declaration.order_id,
        to_datetime(declaration.declared_at),
        declaration.hs_code,
        value.units + value.nanos / _NANOS,
        value.currency_code,
        declaration.quantity,
        CUSTOMS_STATUS(declaration.customs_status),
    )


def _party(trade: common_pb2.Trade, name: str) -> domain.Party | None:
    if not trade.HasField(name):
        return None
    party = getattr(trade, name)
    return domain.Party(party.party_id, party.name, party.country_code)
