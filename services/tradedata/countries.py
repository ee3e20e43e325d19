"""Country reference data: ISO 3166-1 alpha-2 codes, region, currency and country-risk category.

Categories follow the OECD country risk classification scale (0 = lowest, 7 = highest), as a
snapshot of the published list at ``COUNTRY_RISK_AS_OF``; high-income OECD and euro-area members
are category 0 and carry ``high_income=True`` (the Arrangement's minimum premium does not apply to
them). Countries the snapshot does not classify fall back to ``UNCLASSIFIED_CATEGORY``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Final

COUNTRY_RISK_AS_OF: Final = date(2024, 6, 28)
UNCLASSIFIED_CATEGORY: Final = 7


@dataclass(frozen=True, slots=True)
class Country:
    """One row of the country reference table."""

    code: str
    name: str
    region: str
    category: int
    high_income: bool
    currency: str


_ROWS: Final[tuple[tuple[str, str, str, int, bool, str], ...]] = (
    ("US", "United States", "North America", 0, True, "USD"),
    ("CA", "Canada", "North America", 0, True, "CAD"),
    ("MX", "Mexico", "Latin America", 3, False, "MXN"),
    ("BR", "Brazil", "Latin America", 4, False, "BRL"),
    ("AR", "Argentina", "Latin America", 7, False, "ARS"),
    ("CL", "Chile", "Latin America", 0, True, "CLP"),
    ("CO", "Colombia", "Latin America", 4, False, "COP"),
    ("PE", "Peru", "Latin America", 3, False, "PEN"),
    ("GB", "United Kingdom", "Western Europe", 0, True, "GBP"),
    ("DE", "Germany", "Western Europe", 0, True, "EUR"),
    ("FR", "France", "Western Europe", 0, True, "EUR"),
    ("IT", "Italy", "Western Europe", 0, True, "EUR"),
    ("ES", "Spain", "Western Europe", 0, True, "EUR"),
    ("NL", "Netherlands", "Western Europe", 0, True, "EUR"),
    ("BE", "Belgium", "Western Europe", 0, True, "EUR"),
    ("IE", "Ireland", "Western Europe", 0, True, "EUR"),
    ("AT", "Austria", "Western Europe", 0, True, "EUR"),
    ("PT", "Portugal", "Western Europe", 0, True, "EUR"),
    ("CH", "Switzerland", "Western Europe", 0, True, "CHF"),
    ("SE", "Sweden", "Northern Europe", 0, True, "SEK"),
    ("DK", "Denmark", "Northern Europe", 0, True, "DKK"),
    ("NO", "Norway", "Northern Europe", 0, True, "NOK"),
    ("FI", "Finland", "Northern Europe", 0, True, "EUR"),
    ("PL", "Poland", "Eastern Europe", 0, True, "PLN"),
    ("CZ", "Czechia", "Eastern Europe", 0, True, "CZK"),
    ("HU", "Hungary", "Eastern Europe", 0, True, "HUF"),
    ("RO", "Romania", "Eastern Europe", 3, False, "RON"),
    ("RU", "Russian Federation", "Eastern Europe", 7, False, "RUB"),
    ("UA", "Ukraine", "Eastern Europe", 7, False, "UAH"),
    ("TR", "Turkiye", "Middle East", 5, False, "TRY"),
    ("IL", "Israel", "Middle East", 0, True, "ILS"),
    ("AE", "United Arab Emirates", "Middle East", 2, False, "AED"),
    ("SA", "Saudi Arabia", "Middle East", 2, False, "SAR"),
    ("QA", "Qatar", "Middle East", 2, False, "QAR"),
    ("KW", "Kuwait", "Middle East", 2, False, "KWD"),
    ("IR", "Iran", "Middle East", 7, False, "IRR"),
    ("EG", "Egypt", "Africa", 6, False, "EGP"),
    ("MA", "Morocco", "Africa", 3, False, "MAD"),
    ("NG", "Nigeria", "Africa", 6, False, "NGN"),
    ("KE", "Kenya", "Africa", 6, False, "KES"),
    ("ZA", "South Africa", "Africa", 4, False, "ZAR"),
    ("CN", "China", "East Asia", 2, False, "CNY"),
    ("HK", "Hong Kong", "East Asia", 2, False, "HKD"),
    ("TW", "Taiwan", "East Asia", 1, False, "TWD"),
    ("JP", "Japan", "East Asia", 0, True, "JPY"),
    ("KR", "Korea, Republic of", "East Asia", 0, True, "KRW"),
    ("SG", "Singapore", "Southeast Asia", 0, True, "SGD"),
    ("MY", "Malaysia", "Southeast Asia", 2, False, "MYR"),
    ("TH", "Thailand", "Southeast Asia", 3, False, "THB"),
    ("VN", "Viet Nam", "Southeast Asia", 4, False, "VND"),
    ("ID", "Indonesia", "Southeast Asia", 3, False, "IDR"),
    ("PH", "Philippines", "Southeast Asia", 3, False, "PHP"),
    ("IN", "India", "South Asia", 3, False, "INR"),
    ("PK", "Pakistan", "South Asia", 7, False, "PKR"),
    ("BD", "Bangladesh", "South Asia", 5, False, "BDT"),
    ("LK", "Sri Lanka", "South Asia", 7, False, "LKR"),
    ("KZ", "Kazakhstan", "Central Asia", 5, False, "KZT"),
    ("AU", "Australia", "Oceania", 0, True, "AUD"),
    ("NZ", "New Zealand", "Oceania", 0, True, "NZD"),
)

COUNTRIES: Final = MappingProxyType({row[0]: Country(*row) for row in _ROWS})

# Every officially assigned ISO 3166-1 alpha-2 code, so validation accepts real countries the
# risk snapshot above does not classify.
_ISO_ALPHA2: Final = (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR "
    "BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ "
    "EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW "
    "GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY "
    "KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV "
    "MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY "
    "QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG "
    "TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM "
    "ZW"
)
ISO_COUNTRY_CODES: Final = frozenset(_ISO_ALPHA2.split())


def country_category(code: str) -> int:
    """OECD-style risk category of a country; unclassified countries get the highest."""
    country = COUNTRIES.get(code)
    return country.category if country else UNCLASSIFIED_CATEGORY


def category_mapping() -> dict[str, int]:
    """Country code to category, for vectorised joins (polars ``replace_strict``)."""
    return {code: country.category for code, country in COUNTRIES.items()}
