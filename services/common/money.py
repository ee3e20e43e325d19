"""`tradeguard.common.v1.Money` to and from numbers, in one place.

Money carries whole `units` and `nanos` (10^-9) with the same sign. Pricing works in `Decimal`
(exact); scoring and screening work in float (the models' own type).
"""

from __future__ import annotations

from decimal import Decimal

from services._proto.tradeguard.common.v1 import common_pb2

NANOS_PER_UNIT = 1_000_000_000
_NANO = Decimal("1e-9")


def money_problem(money: common_pb2.Money) -> str | None:
    """Why `money` breaks the Money contract (nanos range, mixed signs), or None."""
    units, nanos = money.units, money.nanos
    if abs(nanos) >= NANOS_PER_UNIT:
        return "nanos must be within ±999,999,999"
    if (units > 0 and nanos < 0) or (units < 0 and nanos > 0):
        return "units and nanos must have the same sign"
    return None


def to_decimal(money: common_pb2.Money) -> Decimal:
    """The exact amount."""
    return Decimal(money.units) + Decimal(money.nanos) * _NANO


def to_float(money: common_pb2.Money) -> float:
    return money.units + money.nanos / NANOS_PER_UNIT


def _from_nanos(total_nanos: int, currency: str) -> common_pb2.Money:
    money = common_pb2.Money()
    _write_nanos(money, total_nanos, currency)
    return money


def _write_nanos(target: common_pb2.Money, total_nanos: int, currency: str) -> None:
    sign = -1 if total_nanos < 0 else 1
    units, nanos = divmod(abs(total_nanos), NANOS_PER_UNIT)
    target.currency_code = currency
    target.units = sign * units
    target.nanos = sign * nanos


def from_decimal(amount: Decimal, currency: str) -> common_pb2.Money:
    """Money for an exact amount, rounded to the nano."""
    return _from_nanos(int((amount / _NANO).to_integral_value()), currency)


def from_float(amount: float, currency: str) -> common_pb2.Money:
    """Money for a float amount, rounded to the nano."""
    return _from_nanos(round(amount * NANOS_PER_UNIT), currency)


def write_float(target: common_pb2.Money, amount: float, currency: str) -> None:
    """`from_float` written into a message that already exists (a field of a response)."""
    _write_nanos(target, round(amount * NANOS_PER_UNIT), currency)
