"""Market reference for the HS codes the generator trades: unit, unit price and unit weight.

Prices are indicative export unit values (USD per unit of the order's unit of measure) for
cross-border e-commerce goods; the feature pipeline measures each order's deviation from them.
Detection models learn their own per-period medians from data; this table is the prior.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

HS_CODE_PATTERN: Final = re.compile(r"^[0-9]{6,10}$")

# Chapter 77 is reserved in the Harmonized System; 98/99 are national special chapters.
VALID_CHAPTERS: Final = frozenset(f"{c:02d}" for c in range(1, 98) if c != 77)


@dataclass(frozen=True, slots=True)
class HsProduct:
    """A traded HS subheading with its market reference."""

    code: str
    description: str
    unit: str
    price_usd: float
    kg_per_unit: float

    @property
    def chapter(self) -> str:
        return self.code[:2]


_ROWS: Final[tuple[tuple[str, str, str, float, float], ...]] = (
    ("610910", "T-shirts, knitted, of cotton", "PCS", 3.20, 0.18),
    ("611030", "Jerseys and pullovers of man-made fibres", "PCS", 7.50, 0.40),
    ("620342", "Men's trousers of cotton", "PCS", 8.90, 0.55),
    ("620462", "Women's trousers of cotton", "PCS", 8.40, 0.50),
    ("640299", "Footwear, rubber or plastic uppers", "PAIR", 6.80, 0.90),
    ("640419", "Footwear, textile uppers", "PAIR", 9.50, 0.80),
    ("420222", "Handbags, outer surface of plastic or textile", "PCS", 5.60, 0.45),
    ("420292", "Travel and sports bags", "PCS", 7.20, 0.70),
    ("950300", "Toys, scale models and puzzles", "PCS", 4.10, 0.35),
    ("950691", "Gymnastics and fitness equipment", "PCS", 18.00, 4.50),
    ("950662", "Inflatable balls", "PCS", 3.60, 0.42),
    ("851762", "Apparatus for transmission of data", "PCS", 38.00, 0.30),
    ("851830", "Headphones and earphones", "PCS", 6.50, 0.12),
    ("850440", "Static converters (power adapters, chargers)", "PCS", 4.80, 0.15),
    ("854140", "Photovoltaic cells and LEDs", "PCS", 22.00, 1.10),
    ("852852", "Monitors for data processing machines", "PCS", 95.00, 4.20),
    ("847130", "Portable computers", "PCS", 310.00, 2.10),
    ("847330", "Parts of computers", "PCS", 12.00, 0.20),
    ("841510", "Window or wall air conditioners", "PCS", 180.00, 32.00),
    ("850980", "Domestic electro-mechanical appliances", "PCS", 16.50, 2.40),
    ("851660", "Ovens, cookers, grillers and roasters", "PCS", 24.00, 5.50),
    ("940360", "Wooden furniture", "PCS", 48.00, 18.00),
    ("940171", "Upholstered seats with metal frames", "PCS", 42.00, 14.00),
    ("940540", "Electric lamps and lighting fittings", "PCS", 9.80, 0.90),
    ("392690", "Articles of plastics", "KG", 3.10, 1.00),
    ("392410", "Tableware and kitchenware of plastics", "KG", 2.60, 1.00),
    ("330499", "Beauty and skin-care preparations", "KG", 14.00, 1.00),
    ("330510", "Shampoos", "KG", 3.40, 1.00),
    ("820559", "Hand tools", "PCS", 4.40, 0.60),
    ("846729", "Electromechanical hand tools", "PCS", 26.00, 2.20),
    ("870899", "Parts and accessories of motor vehicles", "PCS", 11.50, 1.60),
    ("871200", "Bicycles", "PCS", 68.00, 14.00),
    ("630790", "Made-up textile articles", "PCS", 1.90, 0.10),
    ("630260", "Toilet and kitchen linen of cotton", "PCS", 2.30, 0.25),
    ("711719", "Imitation jewellery of base metal", "PCS", 1.40, 0.03),
    ("910211", "Wrist-watches, electrically operated", "PCS", 12.50, 0.08),
)

HS_PRODUCTS: Final = MappingProxyType({row[0]: HsProduct(*row) for row in _ROWS})

CHAPTERS: Final = tuple(sorted({p.chapter for p in HS_PRODUCTS.values()}))


def is_valid_hs_code(code: str) -> bool:
    """6 to 10 digits with an assigned HS chapter."""
    return bool(HS_CODE_PATTERN.match(code)) and code[:2] in VALID_CHAPTERS


def market_prices() -> dict[str, float]:
    """HS6 code to USD market unit price, for vectorised joins."""
    return {code: p.price_usd for code, p in HS_PRODUCTS.items()}
