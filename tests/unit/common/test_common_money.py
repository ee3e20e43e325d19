"""Money conversions keep the units/nanos sign rule and round to the nano."""

from __future__ import annotations

from decimal import Decimal

from services._proto.tradeguard.common.v1 import common_pb2
from services.common.money import from_decimal, from_float, money_problem, to_decimal, to_float


def test_negative_amounts_carry_the_sign_on_units_and_nanos() -> None:
    money = from_decimal(Decimal("-1.50"), "USD")
    assert (money.units, money.nanos) == (-1, -500_000_000)
    assert to_decimal(money) == Decimal("-1.5")
    assert money_problem(money) is None


def test_float_amounts_round_to_the_nano() -> None:
    money = from_float(11813.59, "EUR")
    assert (money.currency_code, money.units, money.nanos) == ("EUR", 11813, 590_000_000)
    assert to_float(money) == 11813.59


def test_contract_violations_are_named() -> None:
    assert "same sign" in (money_problem(common_pb2.Money(units=1, nanos=-1)) or "")
    assert "nanos" in (money_problem(common_pb2.Money(units=0, nanos=1_000_000_000)) or "")
