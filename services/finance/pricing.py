"""Premium quotes: short-term expected-loss pricing, medium/long-term floored by the OECD MPR.

Short term: the rate of ``short_term.price_short_term``. Medium/long term: the same expected-loss
model over the horizon of risk, floored by the OECD Arrangement minimum premium rate
(TAD/PG(2023)7) in country categories 1..7; category 0 and high-income countries have no MPR and
are floored by the market benchmark instead (``market``): never priced below the market. Both
then respect the tariff's minimum premium in money.

The minimum premium is per policy per year (``policy_years``) and shown apart in the quote.

The buyer's default probability comes, in order of preference, from the risk service (when the
buyer is a known enterprise), the buyer grade 1..10, or an agency rating mapped to a grade.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import Enum

from services.common.errors import ValidationError
from services.common.violations import FieldViolations
from services.finance import money, mpr, ratings
from services.finance.buyer_risk import grade_for_pd
from services.finance.fx_rates import REFERENCE_RATES, FxRates
from services.finance.market import market_benchmark_rate
from services.finance.mpr import (
    BuyerCategory,
    MprResult,
    MprTerms,
    ProductQuality,
    minimum_premium_rate,
    mpr_applies,
)
from services.finance.short_term import (
    DEFAULT_TARIFF,
    MAX_CREDIT_DAYS,
    BuyerDefault,
    PaymentTerms,
    ShortTermBreakdown,
    ShortTermRisk,
    ShortTermTariff,
    price_over_horizon,
    price_short_term,
)
from services.tradedata import countries

#: Largest insured amount of one quote (per policy), in the reference currency: USD 1bn. An
#: amount in another currency is converted at the dated FX rates first.
MAX_INSURED_USD = Decimal(1_000_000_000)


class PolicyType(Enum):
    SHORT_TERM = "SHORT_TERM"
    MEDIUM_LONG_TERM = "MEDIUM_LONG_TERM"


@dataclass(frozen=True)
class PricingTariff:
    """The insurer's tariff: short-term tables and loadings plus the minimum premium."""

    short_term: ShortTermTariff = field(default_factory=lambda: DEFAULT_TARIFF)
    #: Minimum premium per policy per year, set in USD and converted at the reference rate.
    minimum_premium_usd: Decimal = Decimal("100")


DEFAULT_PRICING_TARIFF = PricingTariff()


@dataclass(frozen=True)
class CountryRisk:
    """The country category used, and whether it came from the request or the dated table."""

    country_code: str
    category: int
    high_income: bool
    source: str
    as_of: date


@dataclass(frozen=True)
class MediumLongTerms:
    """The credit being insured: periods and the Arrangement's adjustment factors."""

    disbursement_months: float
    repayment_years: float
    buyer_category: BuyerCategory | None = None
    product_quality: ProductQuality = ProductQuality.STANDARD
    local_currency_factor: float = 0.0
    credit_enhancement_factor: float = 0.0


@dataclass(frozen=True)
class PremiumRequest:
    """What an insurer asks to price. Covers are fractions in (0, 1]."""

    policy_type: PolicyType
    buyer_country: str
    insured_amount: Decimal
    currency: str
    commercial_cover: float
    political_cover: float
    buyer_grade: int | None = None
    buyer_rating: str | None = None
    payment_terms: PaymentTerms | None = None
    credit_days: int = 0
    country_risk_category: int | None = None
    waiting_days: int | None = None
    medium_long: MediumLongTerms | None = None


@dataclass(frozen=True)
class PremiumPricing:
    """A priced premium with every part; ``rate`` is the final rate after all floors."""

    policy_type: PolicyType
    country: CountryRisk
    expected_loss: ShortTermBreakdown | None
    mpr: MprResult | None
    floored_by_mpr: bool
    market_priced: bool
    minimum_premium: Decimal
    premium: Decimal
    rate: float
    #: The waiting period priced (the request's or the tariff default), in days.
    waiting_days: int
    #: max(technical rate, MPR) before the minimum premium, and whether that minimum set it.
    rate_before_minimum: float
    floored_by_minimum_premium: bool
    #: Date of the FX rates the minimum premium was converted at.
    fx_as_of: date
    #: Medium/long term where no MPR applies: the market benchmark floor (0 otherwise).
    market_benchmark_rate: float = 0.0


def resolve_country(code: str, override: int | None) -> CountryRisk:
    """The buyer country's OECD category from the dated table, or the category given."""
    if code not in countries.ISO_COUNTRY_CODES:
        raise ValidationError.for_field("buyer.country_code", f"unknown country {code!r}")
    row = countries.COUNTRIES.get(code)
    high_income = row.high_income if row else False
    if override is not None:
        if not 0 <= override <= 7:
            raise ValidationError.for_field("country_risk_category", "must be 0..7")
        if high_income and override != 0:
            raise ValidationError.for_field(
                "country_risk_category",
                f"{code} is a high-income country, priced against the market (category 0); "
                f"category {override} contradicts it",
            )
        return CountryRisk(code, override, high_income, "request", countries.COUNTRY_RISK_AS_OF)
    category = countries.country_category(code)
    return CountryRisk(code, category, high_income, "table", countries.COUNTRY_RISK_AS_OF)


def price_premium(
    request: PremiumRequest,
    buyer_default: BuyerDefault | None = None,
    tariff: PricingTariff = DEFAULT_PRICING_TARIFF,
    fx: FxRates = REFERENCE_RATES,
) -> PremiumPricing:
    """Price a premium; ``buyer_default`` is the buyer model's PD when no grade is given."""
    _validate(request, fx)
    country = resolve_country(request.buyer_country, request.country_risk_category)
    if request.policy_type is PolicyType.SHORT_TERM:
        short = _short_term_loss(request, country, buyer_default, tariff)
        return _finish(request, country, short, None, tariff, fx)
    terms = request.medium_long
    assert terms is not None  # _validate requires them for this policy type
    floor = None
    if mpr_applies(country.category, country.high_income):
        floor = minimum_premium_rate(_mpr_terms(request, terms, country))
    loss = _medium_long_loss(request, terms, country, buyer_default, tariff, floor)
    benchmark = 0.0
    if floor is None and loss is not None:
        cover = max(request.commercial_cover, request.political_cover)
        grade = grade_for_pd(loss.buyer_pd_annual)
        benchmark = market_benchmark_rate(grade, average_life_years(terms), cover)
    return _finish(request, country, loss, floor, tariff, fx, benchmark)


def validate_request(request: PremiumRequest, fx: FxRates = REFERENCE_RATES) -> CountryRisk:
    """Every check that needs no buyer PD, so a bad request fails before any dependency call."""
    _validate(request, fx)
    country = resolve_country(request.buyer_country, request.country_risk_category)
    terms = request.medium_long
    if terms is not None and request.policy_type is PolicyType.MEDIUM_LONG_TERM:
        if mpr_applies(country.category, country.high_income):
            minimum_premium_rate(_mpr_terms(request, terms, country))
    return country


def needs_buyer_default(request: PremiumRequest) -> bool:
    """Whether the buyer's PD must come from elsewhere (no grade or rating in the request)."""
    return request.buyer_grade is None and not request.buyer_rating


def _validate(request: PremiumRequest, fx: FxRates) -> None:
    found = FieldViolations()
    amount = request.insured_amount
    known = fx.supports(request.currency)
    if not known:
        found.add("insured_amount.currency_code", f"no FX rate for {request.currency!r}")
    if not amount.is_finite() or amount <= 0:
        found.add("insured_amount", "must be positive")
    elif known and fx.to_usd(amount, request.currency) > MAX_INSURED_USD:
        found.add(
            "insured_amount",
            f"at most USD {MAX_INSURED_USD:,.0f} or its equivalent (FX rates of {fx.as_of})",
        )
    found.fraction("commercial_cover", request.commercial_cover, low=0, high=1, open_low=True)
    found.fraction("political_cover", request.political_cover, low=0, high=1, open_low=True)
    if request.policy_type is PolicyType.SHORT_TERM:
        if request.payment_terms is None:
            found.add("payment_terms", "required for short-term cover")
        if not 0 <= request.credit_days <= MAX_CREDIT_DAYS:
            found.add("credit_days", f"short-term cover is for 0..{MAX_CREDIT_DAYS} days")
    elif request.medium_long is None:
        found.add("repayment_years", "medium/long-term cover needs the repayment period")
    else:
        _check_medium_long(request.medium_long, found)
    found.raise_if_any()


def _check_medium_long(terms: MediumLongTerms, found: FieldViolations) -> None:
    """The credit periods of the policy type; MPR-specific factors are checked by ``mpr``."""
    found.fraction(
        "disbursement_months", terms.disbursement_months, low=0,
        high=mpr.MAX_DISBURSEMENT_MONTHS, open_low=False,
    )  # fmt: skip
    found.fraction(
        "repayment_years", terms.repayment_years, low=mpr.MIN_REPAYMENT_YEARS,
        high=mpr.MAX_REPAYMENT_YEARS, open_low=False,
    )  # fmt: skip


def _finish(
    request: PremiumRequest, country: CountryRisk, loss: ShortTermBreakdown | None,
    mpr_result: MprResult | None, tariff: PricingTariff, fx: FxRates, benchmark: float = 0.0,
) -> PremiumPricing:  # fmt: skip
    """Apply the MPR floor (or the market benchmark where no MPR applies), then the minimum
    premium per policy per year in money."""
    technical = loss.rate if loss is not None else 0.0
    floor = mpr_result.rate if mpr_result is not None else benchmark
    before_minimum = rate = max(technical, floor)
    years = policy_years(request)
    minimum = fx.from_usd(tariff.minimum_premium_usd * years, request.currency)
    premium = money.times_rate(request.insured_amount, rate, request.currency)
    floored_by_minimum = premium < minimum
    if floored_by_minimum:
        premium, rate = minimum, float(minimum / request.insured_amount)
    waiting = request.waiting_days
    if waiting is None:
        waiting = tariff.short_term.default_waiting_days
    return PremiumPricing(
        policy_type=request.policy_type,
        country=country,
        expected_loss=loss,
        mpr=mpr_result,
        floored_by_mpr=mpr_result is not None and floor >= technical and rate == floor,
        market_priced=mpr_result is None,
        minimum_premium=minimum,
        premium=premium,
        rate=rate,
        waiting_days=loss.waiting_days if loss is not None else waiting,
        rate_before_minimum=before_minimum,
        floored_by_minimum_premium=floored_by_minimum,
        fx_as_of=fx.as_of,
        market_benchmark_rate=benchmark,
    )


def policy_years(request: PremiumRequest) -> int:
    """Years the policy runs, for the minimum premium: one for short-term cover, the credit's
    whole years (disbursement plus repayment, rounded up) for medium/long term."""
    terms = request.medium_long
    if request.policy_type is PolicyType.SHORT_TERM or terms is None:
        return 1
    return max(1, math.ceil(terms.disbursement_months / 12.0 + terms.repayment_years))


def _buyer_pd_inputs(
    request: PremiumRequest, buyer_default: BuyerDefault | None
) -> tuple[int | None, BuyerDefault | None, str]:
    """(grade, default, source label): the risk service first, then grade, then rating."""
    if buyer_default is not None:
        return None, buyer_default, buyer_default.source
    if request.buyer_grade is not None:
        return request.buyer_grade, None, "buyer_grade"
    if request.buyer_rating:
        grade = ratings.grade_for_notch(ratings.notch(request.buyer_rating))
        return grade, None, "buyer_rating"
    raise ValidationError.for_field(
        "buyer.grade", "give a buyer grade (1..10) or rating, or the id of a buyer risk knows"
    )


def _risk(
    request: PremiumRequest, country: CountryRisk, buyer_default: BuyerDefault | None,
    payment_terms: PaymentTerms, credit_days: int,
) -> tuple[ShortTermRisk, str]:  # fmt: skip
    grade, given, source = _buyer_pd_inputs(request, buyer_default)
    risk = ShortTermRisk(
        country_category=country.category,
        payment_terms=payment_terms,
        credit_days=credit_days,
        commercial_cover=request.commercial_cover,
        political_cover=request.political_cover,
        buyer_grade=grade,
        buyer_default=given,
        waiting_days=request.waiting_days,
    )
    return risk, source


def _short_term_loss(
    request: PremiumRequest, country: CountryRisk, buyer_default: BuyerDefault | None,
    tariff: PricingTariff,
) -> ShortTermBreakdown:  # fmt: skip
    assert request.payment_terms is not None  # checked by _validate
    risk, source = _risk(
        request, country, buyer_default, request.payment_terms, request.credit_days
    )
    return replace(price_short_term(risk, tariff.short_term), buyer_pd_source=source)


def _medium_long_loss(
    request: PremiumRequest, terms: MediumLongTerms, country: CountryRisk,
    buyer_default: BuyerDefault | None, tariff: PricingTariff, floor: MprResult | None,
) -> ShortTermBreakdown | None:  # fmt: skip
    """Expected-loss pricing over the horizon of risk; None when the MPR alone must do.

    In categories 1..7 a buyer known only by its Arrangement category has no PD of its own: the
    quote is then the MPR, which is the Arrangement's own price for that risk.
    """
    has_pd = buyer_default is not None or request.buyer_grade is not None or request.buyer_rating
    if floor is not None and not has_pd:
        return None
    life_days = round(average_life_years(terms) * 365)
    # A credit carries the full buyer and transfer risk, like open account.
    risk, source = _risk(request, country, buyer_default, PaymentTerms.OA, 0)
    return replace(price_over_horizon(risk, life_days, tariff.short_term), buyer_pd_source=source)


def average_life_years(terms: MediumLongTerms) -> float:
    """Exposure-weighted life of a standard credit, over which its expected loss accrues.

    Drawings are outstanding half the disbursement period on average before the starting point;
    equal semi-annual instalments from six months after it leave principal out (R + 0.5) / 2
    years on average. (The MPR uses the longer HOR because its coefficients are set on it.)
    """
    return terms.disbursement_months / 12.0 / 2.0 + (terms.repayment_years + 0.5) / 2.0


def _mpr_terms(request: PremiumRequest, terms: MediumLongTerms, country: CountryRisk) -> MprTerms:
    return MprTerms(
        country_category=country.category,
        disbursement_months=terms.disbursement_months,
        repayment_years=terms.repayment_years,
        commercial_cover=request.commercial_cover,
        political_cover=request.political_cover,
        buyer_category=terms.buyer_category,
        buyer_rating=request.buyer_rating,
        product_quality=terms.product_quality,
        local_currency_factor=terms.local_currency_factor,
        credit_enhancement_factor=terms.credit_enhancement_factor,
    )
