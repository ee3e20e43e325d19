"""Money <-> Decimal conversion is exact, including negative amounts and sub-cent nanos."""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.common import money as proto_money


@pytest.mark.parametrize(
    ("amount", "units", "nanos"),
    [
        (Decimal("286.61"), 286, 610_000_000),
        (Decimal("-1.5"), -1, -500_000_000),
        (Decimal("0.000000001"), 0, 1),
        (Decimal("931788"), 931_788, 0),
    ],
)
def test_round_trip(amount: Decimal, units: int, nanos: int) -> None:
    money = proto_money.from_decimal(amount, "USD")
    assert (money.units, money.nanos, money.currency_code) == (units, nanos, "USD")
    assert proto_money.to_decimal(money) == amount
