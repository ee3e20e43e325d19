"""Request validation for aml.v1: every invalid field of a request reported at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from google.protobuf.message import Message

from services._proto.tradeguard.aml.v1 import aml_pb2
from services._proto.tradeguard.common.v1 import common_pb2
from services.common.money import to_float
from services.common.violations import MAX_ID_CHARS, FieldViolations

# Document dates outside these bounds are typing errors, and window arithmetic on them would
# overflow Python's datetime: 1970-01-01 .. 2199-12-31 (epoch seconds).
_EARLIEST_SECONDS = 0


_LATEST_SECONDS = 7_258_118_399


def _moment_problem(message: Message, name: str, required: bool) -> str | None:
    """What is wrong with a timestamp field, if anything (the caller formats the path only
    then: this runs for every document of every streamed trade)."""
    if not message.HasField(name):
        return "is required" if required else None
    seconds = getattr(message, name).seconds
    if _EARLIEST_SECONDS <= seconds <= _LATEST_SECONDS:
        return None
    return "must be between 1970-01-01 and 2199-12-31"


def _check_documents(trade: common_pb2.Trade, v: FieldViolations, at: str) -> None:
    for i, payment in enumerate(trade.payments):
        if problem := _moment_problem(payment, "paid_at", True):
            v.add(f"{at}.payments[{i}].paid_at", problem)
        if to_float(payment.amount) < 0:
            v.add(f"{at}.payments[{i}].amount", "is negative")
    for i, waybill in enumerate(trade.waybills):
        if problem := _moment_problem(waybill, "shipped_at", True):
            v.add(f"{at}.waybills[{i}].shipped_at", problem)
        if problem := _moment_problem(waybill, "delivered_at", False):
            v.add(f"{at}.waybills[{i}].delivered_at", problem)
    if trade.HasField("declaration"):
        if problem := _moment_problem(trade.declaration, "declared_at", True):
            v.add(f"{at}.declaration.declared_at", problem)
    for i, declaration in enumerate(trade.declarations):
        if problem := _moment_problem(declaration, "declared_at", True):
            v.add(f"{at}.declarations[{i}].declared_at", problem)
        if to_float(declaration.declared_value) < 0:
            v.add(f"{at}.declarations[{i}].declared_value", "is negative")
        if declaration.quantity < 0:
            v.add(f"{at}.declarations[{i}].quantity", "is negative")
    for i, waybill in enumerate(trade.waybills):
        if waybill.quantity < 0:
            v.add(f"{at}.waybills[{i}].quantity", "is negative")


def check_trade(trade: common_pb2.Trade, v: FieldViolations, at: str) -> None:
    # Field paths are formatted only for a violation: this runs for every streamed trade.
    order = trade.order
    if not trade.HasField("order"):
        v.add(f"{at}.order", "is required")
    for name in ("order_id", "enterprise_id", "buyer_id"):
        value = getattr(order, name)
        if not value.strip() or len(value) > MAX_ID_CHARS:
            v.require_id(value, f"{at}.order.{name}")
    if problem := _moment_problem(order, "ordered_at", True):
        v.add(f"{at}.order.ordered_at", problem)
    if not order.HasField("amount"):
        v.add(f"{at}.order.amount", "is required")
    if to_float(order.amount) < 0:
        v.add(f"{at}.order.amount", "must not be negative")
    _check_documents(trade, v, at)


# Screening "as of" a moment ahead would judge deadlines that have not passed; a day covers
# clocks and time zones of the sender.
_AS_OF_AHEAD = timedelta(days=1)


def as_of_problem(request: aml_pb2.ScreenTradeRequest) -> str | None:
    """What is wrong with a screening's as_of, if anything."""
    if problem := _moment_problem(request, "as_of", False):
        return problem
    if request.HasField("as_of"):
        moment = request.as_of.ToDatetime(tzinfo=UTC)
        if moment > datetime.now(UTC) + _AS_OF_AHEAD:
            return "must not be more than a day in the future"
    return None


def require_id(value: str, field: str) -> None:
    """A request whose only field to check is one identifier."""
    v = FieldViolations()
    v.require_id(value, field)
    v.raise_if_any("invalid request")
