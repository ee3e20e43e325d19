"""A trade message read once: checked and turned into the domain's documents in the same pass.

This runs for every screened trade, and reading a protobuf field costs more than the check on
it, so each field is read a single time. Every invalid field is reported at once, in the order
of the documents (order, payments, waybills, declarations, then the waybills' quantities); field
paths are formatted only for a violation.

A timestamp is read once for both its check and its value: seconds within the bounds and above
zero can only come from a field that is set, so `moment_problem` (which asks the message whether
the field is set, a slower look-up by name) runs only for a zero or out-of-bounds time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from google.protobuf import timestamp_pb2
from google.protobuf.message import Message

from services._proto.tradeguard.common.v1 import common_pb2
from services.aml import domain
from services.aml.api.convert import (
    CHANNEL,
    CUSTOMS_STATUS,
    INCOTERM,
    PAYMENT_TERMS,
    WAYBILL_STATUS,
)
from services.aml.api.validation import _EARLIEST_SECONDS, _LATEST_SECONDS, moment_problem
from services.common.violations import MAX_ID_CHARS, FieldViolations

_NANOS = 1_000_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _moment(
    parent: Message, name: str, stamp: timestamp_pb2.Timestamp, required: bool
) -> tuple[datetime, str | None]:
    """The time a timestamp field holds (as `convert.to_datetime` reads it) and what is wrong
    with the field, if anything (as `moment_problem` says)."""
    seconds = stamp.seconds
    problem = None
    if not _EARLIEST_SECONDS < seconds <= _LATEST_SECONDS:
        problem = moment_problem(parent, name, required)
    return _EPOCH + _MICROSECOND * (seconds * 1_000_000 + stamp.nanos // 1000), problem


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
    if not order_id.strip() or len(order_id) > MAX_ID_CHARS:
        v.require_id(order_id, f"{at}.order.order_id")
    if not enterprise_id.strip() or len(enterprise_id) > MAX_ID_CHARS:
        v.require_id(enterprise_id, f"{at}.order.enterprise_id")
    if not buyer_id.strip() or len(buyer_id) > MAX_ID_CHARS:
        v.require_id(buyer_id, f"{at}.order.buyer_id")
    ordered_at, problem = _moment(order, "ordered_at", order.ordered_at, True)
    if problem:
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
        ordered_at,
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
    paid_at, problem = _moment(payment, "paid_at", payment.paid_at, True)
    if problem:
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
        paid_at,
        value,
        amount.currency_code,
        payment.payer_account,
        CHANNEL(payment.channel),
    )


def _waybill(waybill: common_pb2.Waybill, v: FieldViolations, at: str, i: int) -> domain.Waybill:
    shipped_at, problem = _moment(waybill, "shipped_at", waybill.shipped_at, True)
    if problem:
        v.add(f"{at}.waybills[{i}].shipped_at", problem)
    delivered = None
    stamp = waybill.delivered_at
    # A time above zero is a field that is set; zero may be one left out.
    if stamp.seconds > 0 or waybill.HasField("delivered_at"):
        delivered, problem = _moment(waybill, "delivered_at", stamp, False)
        if problem:
            v.add(f"{at}.waybills[{i}].delivered_at", problem)
    return domain.Waybill(
        waybill.waybill_id,
        waybill.order_id,
        shipped_at,
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
        read, problem = _declaration(trade.declaration)
        if problem:
            v.add(f"{at}.declaration.declared_at", problem)
        found.append(read)
    for i, declaration in enumerate(trade.declarations):
        read, problem = _declaration(declaration)
        if problem:
            v.add(f"{at}.declarations[{i}].declared_at", problem)
        if read.declared_value < 0:
            v.add(f"{at}.declarations[{i}].declared_value", "is negative")
        if read.quantity < 0:
            v.add(f"{at}.declarations[{i}].quantity", "is negative")
        found.append(read)
    return tuple(found)


def _declaration(declaration: common_pb2.Declaration) -> tuple[domain.Declaration, str | None]:
    """The declaration, and what is wrong with its time if anything."""
    declared_at, problem = _moment(declaration, "declared_at", declaration.declared_at, True)
    value = declaration.declared_value
    read = domain.Declaration(
        declaration.declaration_id,
        declaration.order_id,
        declared_at,
        declaration.hs_code,
        value.units + value.nanos / _NANOS,
        value.currency_code,
        declaration.quantity,
        CUSTOMS_STATUS(declaration.customs_status),
    )
    return read, problem


def _party(trade: common_pb2.Trade, name: str) -> domain.Party | None:
    if not trade.HasField(name):
        return None
    party = getattr(trade, name)
    return domain.Party(party.party_id, party.name, party.country_code)
