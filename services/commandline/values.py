"""Argument types for the values people type: amounts, covers and rates, dates, ISO codes.

Each takes the text as typed and returns the value, or raises ``argparse.ArgumentTypeError``
with a sentence saying what was expected; the parser prints it as one `error:` line.
"""

from __future__ import annotations

import argparse
import re
from datetime import date, datetime
from decimal import Decimal

_AMOUNT = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_RATIO = re.compile(r"^\d+(?:\.\d+)?%?$")


def amount(text: str) -> Decimal:
    """A positive amount: `100000`, `100,000.50` or `100000.50` (no units, no exponent)."""
    cleaned = text.strip().replace("_", "")
    if not _AMOUNT.match(cleaned):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an amount; write digits such as 100000 or 100,000.50"
        )
    value = Decimal(cleaned.replace(",", ""))
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: the amount must be more than 0")
    return value


def fraction(text: str) -> float:
    """A share of the whole: `90%` or `0.9` (both mean nine tenths)."""
    cleaned = text.strip()
    if not _RATIO.match(cleaned):
        raise argparse.ArgumentTypeError(f"{text!r} is not a share; write 0.9 or 90%")
    value = Decimal(cleaned.rstrip("%"))
    if cleaned.endswith("%"):
        value /= 100
    elif value > 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is more than the whole; write a fraction (0.9) or a percentage (90%)"
        )
    if value > 1:
        raise argparse.ArgumentTypeError(f"{text!r} is more than 100%")
    return float(value)


def rate(text: str) -> float:
    """A rate or factor given as a fraction (`0.15`) or a percentage (`15%`)."""
    return fraction(text)


def iso_date(text: str) -> date:
    """A calendar date, `YYYY-MM-DD`."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD") from exc


def iso_datetime(text: str) -> datetime:
    """A date or a date and time, `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:SS]` (UTC)."""
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date; write YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from exc


def positive_int(text: str) -> int:
    """A whole number above 0."""
    try:
        value = int(text.strip().replace(",", "").replace("_", ""))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from exc
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: must be 1 or more")
    return value


def non_negative_int(text: str) -> int:
    """A whole number, 0 or more."""
    try:
        value = int(text.strip().replace(",", "").replace("_", ""))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from exc
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: must be 0 or more")
    return value


def country_code(text: str) -> str:
    """An ISO 3166-1 alpha-2 country code (`BR`, `de`), returned upper case."""
    from services.tradedata.countries import ISO_COUNTRY_CODES

    code = text.strip().upper()
    if code not in ISO_COUNTRY_CODES:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 3166-1 alpha-2 country code (such as BR, DE, US)"
        )
    return code


def currency_code(text: str) -> str:
    """An ISO 4217 currency code the services hold exchange rates for, returned upper case."""
    from services.tradedata.fx import CURRENCIES

    code = text.strip().upper()
    if code not in CURRENCIES:
        known = ", ".join(sorted(CURRENCIES))
        raise argparse.ArgumentTypeError(f"{text!r} is not a currency we price; one of {known}")
    return code
