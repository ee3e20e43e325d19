"""FX rates for the reference currency (USD): dated, and reloaded when their file changes.

Amount caps, capacities and the minimum premium are set in USD; a request in another currency
is converted at these rates, and the quote or limit says which date's rates it used. The file
is JSON, ``{"as_of": "2026-11-30", "usd_per_unit": {"EUR": 1.05, ...}}``; without one, the
project's reference snapshot (``services.tradedata.fx``) is used.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from types import MappingProxyType

from services.finance import money
from services.tradedata import fx


@dataclass(frozen=True)
class FxRates:
    """US dollars per unit of each currency, as of one date."""

    as_of: date
    usd_per_unit: Mapping[str, float]

    def supports(self, currency: str) -> bool:
        return currency in self.usd_per_unit

    def to_usd(self, amount: Decimal, currency: str) -> Decimal:
        return amount * Decimal(repr(self.usd_per_unit[currency]))

    def from_usd(self, usd: Decimal, currency: str) -> Decimal:
        """A USD amount in ``currency``, rounded up to its minor unit."""
        per_unit = Decimal(repr(self.usd_per_unit[currency]))
        return (usd / per_unit).quantize(money.minor_unit(currency), rounding=ROUND_CEILING)


REFERENCE_RATES = FxRates(fx.FX_AS_OF, fx.USD_PER_UNIT)


def read_rates(path: Path) -> FxRates:
    """Rates from a JSON file; a malformed file raises ValueError naming what is wrong."""
    raw = json.loads(path.read_text())
    rates = {str(k).upper(): float(v) for k, v in raw["usd_per_unit"].items()}
    if rates.get("USD") != 1.0 or any(not rate > 0 for rate in rates.values()):
        raise ValueError(f"{path}: usd_per_unit needs USD = 1 and positive rates")
    return FxRates(date.fromisoformat(raw["as_of"]), MappingProxyType(rates))


class FxSource:
    """The current rates; the file is checked for a change at most every ``check_seconds``.

    A file that cannot be read keeps the rates last loaded (logged by the caller through
    ``on_error``), so a half-written file never takes quoting down.
    """

    def __init__(
        self,
        path: Path | None,
        check_seconds: float = 60.0,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        self._path = path
        self._check = check_seconds
        self._on_error = on_error
        self._lock = threading.Lock()
        self._mtime = -1.0
        self._next_check = 0.0
        self._rates = read_rates(path) if path is not None else REFERENCE_RATES
        if path is not None:
            self._mtime = path.stat().st_mtime

    def current(self) -> FxRates:
        if self._path is None or time.monotonic() < self._next_check:
            return self._rates
        with self._lock:
            self._next_check = time.monotonic() + self._check
            self._reload(self._path)
        return self._rates

    def _reload(self, path: Path) -> None:
        try:
            mtime = path.stat().st_mtime
            if mtime != self._mtime:
                self._rates, self._mtime = read_rates(path), mtime
        except (OSError, ValueError, KeyError) as error:
            if self._on_error is not None:
                self._on_error(error)
