"""The insurer's underwriting appetite and capacity: what it will not write, and how much it
will hold on one buyer, one buyer group and one country category.

Capacities are in the reference currency (USD): exposures in other currencies are converted at
the dated FX rates before they are added up. The defaults are a mid-sized trade credit book's;
every figure is a setting (``FinanceSettings``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

#: Most the book holds on one buyer, by buyer grade 1 (best) .. 10 (worst), in USD. A buyer of
#: grade 10 (CCC) gets no new limit: that is the appetite's line, not a price.
BUYER_CAPACITY_USD_BY_GRADE: Mapping[int, Decimal] = MappingProxyType(
    {
        1: Decimal(50_000_000), 2: Decimal(30_000_000), 3: Decimal(20_000_000),
        4: Decimal(10_000_000), 5: Decimal(5_000_000), 6: Decimal(3_000_000),
        7: Decimal(1_500_000), 8: Decimal(750_000), 9: Decimal(300_000), 10: Decimal(0),
    }
)  # fmt: skip

#: Most the book holds in all buyers of one OECD country risk category 0..7, in USD.
COUNTRY_CAPACITY_USD_BY_CATEGORY: Mapping[int, Decimal] = MappingProxyType(
    {
        0: Decimal(2_000_000_000), 1: Decimal(1_000_000_000), 2: Decimal(600_000_000),
        3: Decimal(400_000_000), 4: Decimal(250_000_000), 5: Decimal(120_000_000),
        6: Decimal(60_000_000), 7: Decimal(20_000_000),
    }
)  # fmt: skip


@dataclass(frozen=True)
class Appetite:
    """Lines the insurer does not cross: beyond them a request is declined, not priced."""

    #: Annual buyer PD above which no limit is granted and no premium quoted (B- is about 8 %).
    max_buyer_annual_pd: float = 0.10
    #: Short-term premium rates above this are declined: a rate this high means a risk the
    #: book should not carry, whatever the price.
    max_short_term_rate: float = 0.05
    #: Medium/long-term flat rates above this are declined.
    max_medium_long_rate: float = 0.25
    #: Smallest limit worth granting when capacity only allows a reduced one, in USD.
    min_limit_usd: Decimal = Decimal(10_000)
    #: Largest amount of one quote or one limit request, in USD.
    max_amount_usd: Decimal = Decimal(500_000_000)


@dataclass(frozen=True)
class Capacity:
    """How much the book holds per buyer (by grade), buyer group and country category (USD)."""

    buyer_by_grade: Mapping[int, Decimal] = field(
        default_factory=lambda: BUYER_CAPACITY_USD_BY_GRADE
    )
    #: A group of related buyers shares one capacity: this multiple of the buyer's own.
    group_multiple: Decimal = Decimal("1.5")
    country_by_category: Mapping[int, Decimal] = field(
        default_factory=lambda: COUNTRY_CAPACITY_USD_BY_CATEGORY
    )

    def buyer(self, grade: int) -> Decimal:
        return self.buyer_by_grade[grade]

    def group(self, grade: int) -> Decimal:
        return self.buyer_by_grade[grade] * self.group_multiple

    def country(self, category: int) -> Decimal:
        return self.country_by_category[category]


DEFAULT_APPETITE = Appetite()


def outside_appetite(
    appetite: Appetite, short_term: bool, rate: float, buyer_annual_pd: float | None
) -> list[str]:
    """Why a priced premium is declined rather than offered; empty when within appetite."""
    reasons = []
    if buyer_annual_pd is not None and buyer_annual_pd > appetite.max_buyer_annual_pd:
        reasons.append(
            f"buyer annual PD {buyer_annual_pd:.2%} is above the appetite's "
            f"{appetite.max_buyer_annual_pd:.2%}"
        )
    cap = appetite.max_short_term_rate if short_term else appetite.max_medium_long_rate
    if rate > cap:
        kind = "short-term" if short_term else "medium/long-term"
        reasons.append(
            f"premium rate {rate:.2%} is above the appetite's {cap:.2%} for {kind} cover"
        )
    return reasons


DEFAULT_CAPACITY = Capacity()
