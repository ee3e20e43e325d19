"""tradeguard.common.v1.Money <-> Decimal, exactly (units + nanos, no float in between)."""

from __future__ import annotations

from decimal import Decimal

from services._proto.tradeguard.common.v1 import common_pb2

_NANO = Decimal("1e-9")


def from_proto(money: common_pb2.Money) -> Decimal:
    return Decimal(money.units) + Decimal(money.nanos) * _NANO


def to_proto(amount: Decimal, currency: str) -> common_pb2.Money:
    """Units and nanos carry the same sign, as the Money contract requires."""
    nanos_total = int((amount / _NANO).to_integral_value())
    sign = -1 if nanos_total < 0 else 1
    units, nanos = divmod(abs(nanos_total), 1_000_000_000)
    return common_pb2.Money(currency_code=currency, units=sign * units, nanos=sign * nanos)
