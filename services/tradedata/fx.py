"""Reference FX rates (US dollars per unit of currency) for converting contract amounts to USD.

One dated snapshot of indicative mid rates: good enough for features and thresholds expressed in
USD-equivalent; not a pricing source. A currency missing here is rejected by validation, so every
amount in a loaded data set can be converted.
"""

from __future__ import annotations

from datetime import date
from types import MappingProxyType
from typing import Final

import polars as pl

FX_AS_OF: Final = date(2024, 6, 28)

USD_PER_UNIT: Final = MappingProxyType(
    {
        "USD": 1.0,
        "EUR": 1.0713,
        "GBP": 1.2645,
        "CNY": 0.13761,
        "HKD": 0.12806,
        "JPY": 0.006217,
        "KRW": 0.000726,
        "TWD": 0.03074,
        "SGD": 0.7378,
        "MYR": 0.2120,
        "THB": 0.02724,
        "VND": 0.0000393,
        "IDR": 0.0000610,
        "PHP": 0.01706,
        "INR": 0.01199,
        "AUD": 0.6670,
        "NZD": 0.6090,
        "CAD": 0.7306,
        "MXN": 0.05460,
        "BRL": 0.1789,
        "CHF": 1.1129,
        "SEK": 0.09442,
        "DKK": 0.1437,
        "NOK": 0.09385,
        "PLN": 0.2485,
        "CZK": 0.04280,
        "HUF": 0.002712,
        "RUB": 0.01166,
        "TRY": 0.03047,
        "AED": 0.27229,
        "SAR": 0.26656,
        "ILS": 0.2653,
        "ZAR": 0.05479,
    }
)

CURRENCIES: Final = frozenset(USD_PER_UNIT)


def to_usd(amount: str | pl.Expr, currency: str | pl.Expr) -> pl.Expr:
    """Expression converting ``amount`` in ``currency`` to USD with the reference rates."""
    amount_expr = pl.col(amount) if isinstance(amount, str) else amount
    currency_expr = pl.col(currency) if isinstance(currency, str) else currency
    rate = currency_expr.replace_strict(dict(USD_PER_UNIT), default=None, return_dtype=pl.Float64)
    return amount_expr * rate


def rate(currency: str) -> float:
    """US dollars per unit of ``currency``; ``KeyError`` for an unsupported currency."""
    return USD_PER_UNIT[currency]
