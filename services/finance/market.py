"""Market benchmark for medium/long-term cover where the OECD MPR does not apply.

The Arrangement sets no minimum premium in country category 0 or for high-income OECD and
euro-area buyers: there, officially supported cover must be priced against the market, never
below it. The benchmark is what a lender would charge for the same buyer risk: an annual credit
spread for the buyer's grade, over the credit's average life, on the share covered:

    benchmark rate = spread(grade) x average life in years x max(commercial, political cover)

The spreads are the insurer's tariff (``MARKET_SPREAD_BY_GRADE``), set near long-run median
corporate bond spreads over government bonds for each rating band (AA about 0.7 %, A 1.1 %,
BBB 1.6-2.0 %, BB 2.8-3.4 %, B 4-5.5 %, CCC 9 % a year). They are a setting, not a market feed:
an insurer replaces them with its own pricing grid.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

MARKET_BENCHMARK_SOURCE = "tariff spread by buyer grade x average life x cover"

#: Annual spread by buyer grade 1 (best) .. 10 (worst), as a fraction.
MARKET_SPREAD_BY_GRADE: Mapping[int, float] = MappingProxyType(
    {
        1: 0.0070, 2: 0.0110, 3: 0.0160, 4: 0.0200, 5: 0.0280,
        6: 0.0340, 7: 0.0400, 8: 0.0460, 9: 0.0550, 10: 0.0900,
    }
)  # fmt: skip


def market_benchmark_rate(grade: int, average_life_years: float, cover: float) -> float:
    """The flat rate a market lender would charge for the covered share of the credit."""
    return MARKET_SPREAD_BY_GRADE[grade] * average_life_years * cover
