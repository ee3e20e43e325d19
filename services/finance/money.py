"""Money in the insured currency: Decimal amounts rounded to the currency's minor unit.

Quotes are written in currencies the project holds a reference FX rate for
(``services.tradedata.fx``), because the minimum premium is set in US dollars and converted.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from services.tradedata import fx

#: ISO 4217 minor units that differ from the usual two decimals.
_MINOR_UNITS: dict[str, int] = {
    "JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "UGX": 0, "PYG": 0,
    "KWD": 3, "BHD": 3, "OMR": 3, "JOD": 3, "TND": 3, "LYD": 3, "IQD": 3,
}  # fmt: skip


def is_supported(currency: str) -> bool:
    return currency in fx.CURRENCIES


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of ``currency``, e.g. Decimal('0.01') for USD, Decimal('1') for JPY."""
    return Decimal(1).scaleb(-_MINOR_UNITS.get(currency, 2))


def round_money(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def times_rate(amount: Decimal, rate: float, currency: str) -> Decimal:
    """``amount * rate`` in the currency's minor unit; the rate is taken at its shortest repr."""
    return round_money(amount * Decimal(repr(rate)), currency)


def from_usd(usd: Decimal, currency: str) -> Decimal:
    """A USD amount in ``currency`` at the reference rate, rounded up to the minor unit."""
    per_unit = Decimal(repr(fx.rate(currency)))
    return (usd / per_unit).quantize(minor_unit(currency), rounding=ROUND_CEILING)
