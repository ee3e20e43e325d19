"""OECD Arrangement minimum premium rate (MPR) for export credits of two years and more.

Source: Arrangement on Officially Supported Export Credits, Annex VI as revised by
TAD/PG(2023)7 (in force 15 July 2023; transposed in EU Regulation 1233/2011 Annex II):

    MPR = { (a_i * HOR + b_i) * max(PCC, PCP) / 0.95 * (1 - LCF)
          + c_in * PCC / 0.95 * HOR * (1 - CEF) }
          * QPF_i * PCF_i * BTSF * (1 - min(TERM, 0.15))

The MPR is a flat up-front premium in percent of the principal; ``MprResult.rate`` gives it as a
fraction. Category 0 and high-income countries have no MPR: they are priced against the market.
A buyer category that the Arrangement marks n/a for a country category is rejected, never
replaced by a neighbouring one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from services.common.errors import ValidationError
from services.common.violations import FieldViolations
from services.finance import ratings

ARRANGEMENT_VERSION = "TAD/PG(2023)7"

#: Country coefficients a_i, b_i by country risk category 1..7.
A_COEFF: dict[int, float] = {1: 0.090, 2: 0.200, 3: 0.350, 4: 0.550, 5: 0.740, 6: 0.900, 7: 1.100}
B_COEFF: dict[int, float] = {1: 0.350, 2: 0.350, 3: 0.350, 4: 0.350, 5: 0.750, 6: 1.200, 7: 1.800}


class BuyerCategory(Enum):
    """Buyer risk category n of the Arrangement."""

    SOV_PLUS = "SOV+"
    SOV_CC0 = "SOV/CC0"
    CC1 = "CC1"
    CC2 = "CC2"
    CC3 = "CC3"
    CC4 = "CC4"
    CC5 = "CC5"


class ProductQuality(Enum):
    BELOW_STANDARD = "below standard"
    STANDARD = "standard"
    ABOVE_STANDARD = "above standard"


_CORPORATE = (
    BuyerCategory.CC1,
    BuyerCategory.CC2,
    BuyerCategory.CC3,
    BuyerCategory.CC4,
    BuyerCategory.CC5,
)

#: Buyer coefficients c_in for CC1..CC5 by country category; a missing entry is n/a.
#: SOV+ and SOV/CC0 have c_in = 0 in every category.
_C_CORPORATE: dict[int, tuple[float, ...]] = {
    1: (0.110, 0.200, 0.270, 0.405, 0.630),
    2: (0.120, 0.212, 0.320, 0.459, 0.675),
    3: (0.110, 0.223, 0.320, 0.495, 0.720),
    4: (0.100, 0.234, 0.350, 0.540, 0.810),
    5: (0.100, 0.246, 0.380, 0.621),
    6: (0.100, 0.258, 0.480),
    7: (0.125, 0.271),
}

#: Quality of product factor QPF_i by country category: (below standard, above standard).
_QPF: dict[int, tuple[float, float]] = {
    1: (0.9965, 1.0035),
    2: (0.9935, 1.0065),
    3: (0.9850, 1.0150),
    4: (0.9825, 1.0175),
    5: (0.9825, 1.0175),
    6: (0.9800, 1.0200),
    7: (0.9800, 1.0200),
}

#: Percentage of cover coefficient k_i (PCF_i applies above 95 % cover).
K_COEFF: dict[int, float] = {
    1: 0.0,
    2: 0.00337,
    3: 0.00489,
    4: 0.01639,
    5: 0.03657,
    6: 0.05878,
    7: 0.08598,
}

#: Rating concordance: worst rating notch of CC1, CC2, ... by country category. Ratings better than
#: the CC1 band are CC1 (a corporate cannot be classed above CC1 without a SOV+ decision); ratings
#: worse than the last band are n/a in that country category.
_CONCORDANCE_WORST: dict[int, tuple[str, ...]] = {
    1: ("AA-", "A-", "BBB-", "BB", "CCC-"),
    2: ("A-", "BBB-", "BB", "BB-", "CCC-"),
    3: ("BBB-", "BB", "BB-", "B+", "CCC-"),
    4: ("BB", "BB-", "B+", "B", "CCC-"),
    5: ("BB-", "B+", "B", "CCC-"),
    6: ("B+", "B", "CCC-"),
    7: ("B", "CCC-"),
}

MAX_LOCAL_CURRENCY_FACTOR = 0.20
MAX_CREDIT_ENHANCEMENT_FACTOR = 0.35
#: Repayment terms: two years is where the Arrangement starts; 22 years is its longest (sector
#: understandings for renewable energy and nuclear power).
MIN_REPAYMENT_YEARS = 2.0
MAX_REPAYMENT_YEARS = 22.0
MAX_DISBURSEMENT_MONTHS = 120.0
TERM_SLOPE = 0.018
TERM_THRESHOLD_YEARS = 10.0
TERM_CAP = 0.15
SOV_PLUS_BTSF = 0.9


@dataclass(frozen=True)
class CreditEnhancement:
    """Credit enhancements of the buyer part, each at most its Arrangement cap."""

    assignment_of_proceeds: float = 0.0
    asset_based_security: float = 0.0
    fixed_asset_security: float = 0.0
    escrow_account: float = 0.0

    def factor(self) -> float:
        """CEF: the sum, checked against each cap and the combined 0.35."""
        found = FieldViolations()
        caps = (
            ("assignment_of_proceeds", self.assignment_of_proceeds, 0.10),
            ("asset_based_security", self.asset_based_security, 0.25),
            ("fixed_asset_security", self.fixed_asset_security, 0.15),
            ("escrow_account", self.escrow_account, 0.10),
        )
        for name, value, cap in caps:
            found.fraction(f"credit_enhancement.{name}", value, low=0.0, high=cap, open_low=False)
        if self.asset_based_security > 0 and self.fixed_asset_security > 0:
            found.add("credit_enhancement", "asset-based and fixed-asset security do not combine")
        found.raise_if_any("invalid credit enhancement")
        return min(sum(v for _, v, _ in caps), MAX_CREDIT_ENHANCEMENT_FACTOR)


@dataclass(frozen=True)
class MprTerms:
    """Inputs of the MPR. Covers are fractions; give a buyer category, a rating, or both."""

    country_category: int
    disbursement_months: float
    repayment_years: float
    commercial_cover: float
    political_cover: float
    buyer_category: BuyerCategory | None = None
    buyer_rating: str | None = None
    product_quality: ProductQuality = ProductQuality.STANDARD
    local_currency_factor: float = 0.0
    credit_enhancement_factor: float = 0.0


@dataclass(frozen=True)
class MprResult:
    """The MPR with every term of the formula, so a quote can show how it was reached."""

    arrangement_version: str
    country_category: int
    buyer_category: BuyerCategory
    horizon_years: float
    a: float
    b: float
    c: float
    country_part: float
    buyer_part: float
    quality_factor: float
    cover_factor: float
    better_than_sovereign_factor: float
    investment_grade: bool
    term_factor: float
    local_currency_factor: float
    credit_enhancement_factor: float
    mpr_percent: float

    @property
    def rate(self) -> float:
        """The MPR as a fraction of the principal (0.093179 for 9.3179 %)."""
        return self.mpr_percent / 100.0


def mpr_applies(country_category: int, high_income: bool) -> bool:
    """Category 0 and high-income countries are priced by the market, without an MPR."""
    return country_category != 0 and not high_income


def horizon_of_risk(disbursement_months: float, repayment_years: float) -> float:
    """HOR for standard repayment: half the disbursement period plus the repayment period."""
    return 0.5 * disbursement_months / 12.0 + repayment_years


def buyer_category_for_rating(country_category: int, rating: str) -> BuyerCategory:
    """Concordance: the buyer category of a rated obligor in a country category."""
    rating_notch = ratings.notch(rating)
    for category, worst in zip(_CORPORATE, _CONCORDANCE_WORST[country_category], strict=False):
        if rating_notch <= ratings.notch(worst):
            return category
    raise ValidationError.for_field(
        "buyer.buyer_rating",
        f"rating {rating} has no buyer category in country risk category {country_category} "
        f"({ARRANGEMENT_VERSION} concordance: n/a)",
    )


def buyer_coefficient(country_category: int, category: BuyerCategory) -> float:
    """c_in; an n/a combination is a ValidationError."""
    if category in (BuyerCategory.SOV_PLUS, BuyerCategory.SOV_CC0):
        return 0.0
    row = _C_CORPORATE[country_category]
    index = _CORPORATE.index(category)
    if index >= len(row):
        raise ValidationError.for_field(
            "buyer_category",
            f"{category.value} does not exist in country risk category {country_category} "
            f"({ARRANGEMENT_VERSION}: n/a)",
        )
    return row[index]


def quality_factor(country_category: int, quality: ProductQuality) -> float:
    if quality is ProductQuality.STANDARD:
        return 1.0
    below, above = _QPF[country_category]
    return below if quality is ProductQuality.BELOW_STANDARD else above


def cover_factor(country_category: int, max_cover: float) -> float:
    """PCF_i: 1 up to 95 % cover, rising linearly by k_i per 5 points above it."""
    if max_cover <= 0.95:
        return 1.0
    return 1.0 + (max_cover - 0.95) / 0.05 * K_COEFF[country_category]


def term_adjustment(horizon_years: float, investment_grade: bool) -> float:
    """TERM (2023): 0.018 per year of horizon beyond 10, for sub-investment-grade obligors."""
    if investment_grade or horizon_years <= TERM_THRESHOLD_YEARS:
        return 0.0
    return TERM_SLOPE * (horizon_years - TERM_THRESHOLD_YEARS)


def minimum_premium_rate(terms: MprTerms) -> MprResult:
    """The MPR with its terms; raises ValidationError for any input the Arrangement excludes."""
    _validate(terms)
    i = terms.country_category
    category = _resolve_category(terms)
    hor = horizon_of_risk(terms.disbursement_months, terms.repayment_years)
    max_cover = max(terms.commercial_cover, terms.political_cover)
    c = buyer_coefficient(i, category)  # first: rejects an n/a category before any lookup
    investment_grade = _investment_grade(terms, category, hor)
    country_part = (
        (A_COEFF[i] * hor + B_COEFF[i]) * max_cover / 0.95 * (1 - terms.local_currency_factor)
    )
    buyer_part = c * terms.commercial_cover / 0.95 * hor * (1 - terms.credit_enhancement_factor)
    qpf = quality_factor(i, terms.product_quality)
    pcf = cover_factor(i, max_cover)
    btsf = SOV_PLUS_BTSF if category is BuyerCategory.SOV_PLUS else 1.0
    term = min(term_adjustment(hor, investment_grade), TERM_CAP)  # the value applied, capped
    mpr = (country_part + buyer_part) * qpf * pcf * btsf * (1 - term)
    return MprResult(
        arrangement_version=ARRANGEMENT_VERSION,
        country_category=i,
        buyer_category=category,
        horizon_years=hor,
        a=A_COEFF[i],
        b=B_COEFF[i],
        c=c,
        country_part=country_part,
        buyer_part=buyer_part,
        quality_factor=qpf,
        cover_factor=pcf,
        better_than_sovereign_factor=btsf,
        investment_grade=investment_grade,
        term_factor=term,
        local_currency_factor=terms.local_currency_factor,
        credit_enhancement_factor=terms.credit_enhancement_factor,
        mpr_percent=mpr,
    )


def _validate(terms: MprTerms) -> None:
    found = FieldViolations()
    if terms.country_category not in A_COEFF:
        found.add("country_risk_category", "the MPR covers country risk categories 1..7")
    found.fraction("commercial_cover", terms.commercial_cover, low=0, high=1, open_low=True)
    found.fraction("political_cover", terms.political_cover, low=0, high=1, open_low=True)
    found.fraction(
        "disbursement_months", terms.disbursement_months, low=0,
        high=MAX_DISBURSEMENT_MONTHS, open_low=False,
    )  # fmt: skip
    found.fraction(
        "repayment_years", terms.repayment_years, low=MIN_REPAYMENT_YEARS,
        high=MAX_REPAYMENT_YEARS, open_low=False,
    )  # fmt: skip
    found.fraction(
        "local_currency_factor", terms.local_currency_factor, low=0,
        high=MAX_LOCAL_CURRENCY_FACTOR, open_low=False,
    )  # fmt: skip
    found.fraction(
        "credit_enhancement_factor", terms.credit_enhancement_factor, low=0,
        high=MAX_CREDIT_ENHANCEMENT_FACTOR, open_low=False,
    )  # fmt: skip
    if terms.buyer_category is None and not terms.buyer_rating:
        found.add("buyer_category", "give a buyer category or a buyer rating")
    found.raise_if_any("invalid minimum premium terms")


def _resolve_category(terms: MprTerms) -> BuyerCategory:
    """The given category, or the rating's; a corporate category must agree with the rating.

    Sovereign quality is not taken on self-declaration: SOV_PLUS (better than the sovereign)
    needs a rating, and a rated SOV_PLUS or SOV_CC0 obligor must rate within the country's best
    corporate band (CC1), since nothing rated worse is of sovereign quality.
    """
    given = terms.buyer_category
    if given is BuyerCategory.SOV_PLUS and not terms.buyer_rating:
        raise ValidationError.for_field(
            "buyer.buyer_rating", "SOV_PLUS (better than sovereign) needs a rating to support it"
        )
    if not terms.buyer_rating:
        assert given is not None  # _validate requires one of the two
        return given
    from_rating = buyer_category_for_rating(terms.country_category, terms.buyer_rating)
    if given in (BuyerCategory.SOV_PLUS, BuyerCategory.SOV_CC0):
        if from_rating is not BuyerCategory.CC1:
            raise ValidationError.for_field(
                "buyer_category",
                f"{given.value} contradicts rating {terms.buyer_rating}, which is "
                f"{from_rating.value} in country risk category {terms.country_category}: "
                "a sovereign-quality obligor rates within the best corporate band",
            )
        return given
    if given is not None and given is not from_rating:
        raise ValidationError.for_field(
            "buyer_category",
            f"{given.value} contradicts rating {terms.buyer_rating}, which is "
            f"{from_rating.value} in country risk category {terms.country_category}",
        )
    return from_rating


def _investment_grade(terms: MprTerms, category: BuyerCategory, hor: float) -> bool:
    """Investment grade from the rating, else from the category's concordance band.

    Corporate bands never straddle BBB-/BB+, so a CC category alone settles it. A sovereign's
    grade is not in the table: past 10 years of horizon, where TERM depends on it, a rating is
    required rather than assumed.
    """
    if terms.buyer_rating:
        return ratings.is_investment_grade(ratings.notch(terms.buyer_rating))
    if category in _CORPORATE:
        worst = _CONCORDANCE_WORST[terms.country_category][_CORPORATE.index(category)]
        return ratings.is_investment_grade(ratings.notch(worst))
    if hor > TERM_THRESHOLD_YEARS:
        raise ValidationError.for_field(
            "buyer.buyer_rating",
            f"a {category.value} obligor with a horizon over {TERM_THRESHOLD_YEARS:g} years needs "
            "a rating: the term factor applies only below investment grade",
        )
    return False
