"""Short-term credit insurance rate (credit periods up to two years) from expected loss, loadings.

    exposure  T   = max(credit_days, min_exposure_days) / 365 years
    buyer     PD_T = 1 - (1 - PD_annual)^T   (or the risk service's PD, rescaled at constant hazard)
    country   q_T  = 1 - (1 - q_annual)^T    (q_annual by OECD country risk category 0..7)
    EL_c = PD_T * f_c(payment terms) * LGD_c * commercial_cover * waiting_factor
    EL_p = q_T  * f_p(payment terms) * LGD_p * political_cover
    risk premium = (EL_c + EL_p) * (1 + cost_of_capital * capital_multiple)
    technical rate = risk premium / (1 - expense_ratio)
    rate = max(technical rate, minimum_rate)

Every factor is non-decreasing in the credit period, the buyer grade, the country category and the
covers, so the rate is too; payment-terms factors are ordered PREPAID <= LC <= DP <= DA <= OA.
The two expected losses are added, not netted for the joint event: the overlap is second order
and adding it errs on the safe side.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from services.common.violations import FieldViolations

#: Short-term cover reaches credit periods of two years (the MPR starts beyond).
MAX_CREDIT_DAYS = 730
MAX_WAITING_DAYS = 360


class PaymentTerms(Enum):
    """Payment terms of the contract data (``orders.payment_terms``), safest first."""

    PREPAID = "PREPAID"
    LC = "LC"
    DP = "DP"
    DA = "DA"
    OA = "OA"


#: Annual default probability by buyer grade 1 (best) .. 10 (worst). Anchored to long-run agency
#: one-year default rates of the rating each grade maps to (``ratings.grade_for_notch``):
#: AA 0.02 %, A 0.06 %, BBB 0.15 %, BBB- 0.30 %, BB 0.70 %, BB- 1.3 %, B+ 2.5 %, B 4.5 %,
#: B- 8 %, CCC 25 %.
ANNUAL_PD_BY_GRADE: Mapping[int, float] = {
    1: 0.0002, 2: 0.0006, 3: 0.0015, 4: 0.0030, 5: 0.0070,
    6: 0.0130, 7: 0.0250, 8: 0.0450, 9: 0.0800, 10: 0.2500,
}  # fmt: skip

#: Annual probability of a transfer, moratorium or political event by OECD category 0..7, anchored
#: to the Arrangement's country slope a_i (the MPR per year of horizon, TAD/PG(2023)7):
#: q_i ~= a_i / 100 / 0.9, i.e. the MPR's country part carries about 1.8x the expected loss at a
#: 50 % political LGD. Category 0 keeps a small non-zero event rate.
ANNUAL_COUNTRY_EVENT_BY_CATEGORY: Mapping[int, float] = {
    0: 0.0002, 1: 0.0010, 2: 0.0022, 3: 0.0039,
    4: 0.0061, 5: 0.0082, 6: 0.0100, 7: 0.0122,
}  # fmt: skip

#: (commercial, political) share of the exposure each payment term leaves with the insured:
#: an LC moves buyer risk to the issuing bank but not the transfer risk; D/P keeps title until
#: payment; D/A and open account leave both risks in full. Prepaid leaves no receivable.
TERMS_FACTORS: Mapping[PaymentTerms, tuple[float, float]] = {
    PaymentTerms.PREPAID: (0.0, 0.0),
    PaymentTerms.LC: (0.30, 1.0),
    PaymentTerms.DP: (0.60, 1.0),
    PaymentTerms.DA: (0.85, 1.0),
    PaymentTerms.OA: (1.0, 1.0),
}


@dataclass(frozen=True)
class ShortTermTariff:
    """Loadings and tables of the short-term tariff; defaults are a whole-turnover book's."""

    annual_pd_by_grade: Mapping[int, float] = field(default_factory=lambda: ANNUAL_PD_BY_GRADE)
    annual_country_event: Mapping[int, float] = field(
        default_factory=lambda: ANNUAL_COUNTRY_EVENT_BY_CATEGORY
    )
    terms_factors: Mapping[PaymentTerms, tuple[float, float]] = field(
        default_factory=lambda: TERMS_FACTORS
    )
    #: Loss given a paid commercial claim, after recoveries from the buyer's estate.
    commercial_lgd: float = 0.60
    #: Loss given a political claim: transfer delays are often recovered later, in part.
    political_lgd: float = 0.50
    #: Goods in transit and documents in the banking chain are at risk even at sight.
    min_exposure_days: int = 30
    #: Share of overdue buyers who pay within a year of the due date; a longer waiting period
    #: lets more of them cure before a claim is payable.
    cure_share_per_year: float = 0.25
    default_waiting_days: int = 180
    #: Capital held at this multiple of expected loss, charged at the cost of capital.
    capital_multiple: float = 4.0
    cost_of_capital: float = 0.10
    #: Acquisition and administration costs as a share of the gross premium.
    expense_ratio: float = 0.25
    minimum_rate: float = 0.0005


DEFAULT_TARIFF = ShortTermTariff()


@dataclass(frozen=True)
class BuyerDefault:
    """Buyer PD over ``horizon_days`` and where it came from (``grade`` or ``risk_service``)."""

    probability: float
    horizon_days: float
    source: str


@dataclass(frozen=True)
class ShortTermRisk:
    """One short-term risk to price. Give ``buyer_grade`` or ``buyer_default`` (not both)."""

    country_category: int
    payment_terms: PaymentTerms
    credit_days: int
    commercial_cover: float
    political_cover: float
    buyer_grade: int | None = None
    buyer_default: BuyerDefault | None = None
    waiting_days: int | None = None


@dataclass(frozen=True)
class ShortTermBreakdown:
    """Every part of the short-term rate; rates and probabilities are fractions."""

    exposure_days: int
    buyer_pd_source: str
    buyer_pd_annual: float
    buyer_pd_period: float
    country_event_annual: float
    country_event_period: float
    commercial_lgd: float
    political_lgd: float
    commercial_terms_factor: float
    political_terms_factor: float
    commercial_cover: float
    political_cover: float
    waiting_days: int
    waiting_factor: float
    commercial_expected_loss: float
    country_expected_loss: float
    expected_loss: float
    capital_loading: float
    expense_loading: float
    technical_rate: float
    minimum_rate: float
    rate: float


def period_probability(annual: float, days: float) -> float:
    """Probability over ``days`` from an annual one, at a constant hazard."""
    return -math.expm1(math.log1p(-annual) * days / 365.0)


def annualise(probability: float, days: float) -> float:
    """Annual probability equivalent to ``probability`` over ``days``, at a constant hazard."""
    return -math.expm1(math.log1p(-probability) * 365.0 / days)


def waiting_factor(waiting_days: int, tariff: ShortTermTariff) -> float:
    return 1.0 - tariff.cure_share_per_year * min(waiting_days, 365) / 365.0


def price_short_term(
    risk: ShortTermRisk, tariff: ShortTermTariff = DEFAULT_TARIFF
) -> ShortTermBreakdown:
    """The short-term rate with every part; raises ValidationError on bad input."""
    validate_short_term(risk, tariff)
    return _price(risk, max(risk.credit_days, tariff.min_exposure_days), tariff)


def price_over_horizon(
    risk: ShortTermRisk, horizon_days: int, tariff: ShortTermTariff = DEFAULT_TARIFF
) -> ShortTermBreakdown:
    """The same expected-loss pricing over a longer horizon (market pricing of long credits).

    ``risk.credit_days`` is not checked against the short-term range; the horizon replaces it.
    """
    found = FieldViolations()
    _check_common(risk, tariff, found)
    found.raise_if_any("invalid risk")
    return _price(risk, max(horizon_days, tariff.min_exposure_days), tariff)


def _price(risk: ShortTermRisk, exposure: int, tariff: ShortTermTariff) -> ShortTermBreakdown:
    source, pd_annual = _buyer_annual_pd(risk, tariff)
    pd_period = period_probability(pd_annual, exposure)
    q_annual = tariff.annual_country_event[risk.country_category]
    q_period = period_probability(q_annual, exposure)
    f_c, f_p = tariff.terms_factors[risk.payment_terms]
    waiting = tariff.default_waiting_days if risk.waiting_days is None else risk.waiting_days
    w = waiting_factor(waiting, tariff)
    el_c = pd_period * f_c * tariff.commercial_lgd * risk.commercial_cover * w
    el_p = q_period * f_p * tariff.political_lgd * risk.political_cover
    el = el_c + el_p
    # Capital scales with the expected loss over the whole exposure, which already grows with
    # time; charging it again per year held would count the horizon twice.
    capital = el * tariff.capital_multiple * tariff.cost_of_capital
    expenses = (el + capital) * tariff.expense_ratio / (1.0 - tariff.expense_ratio)
    technical = el + capital + expenses
    return ShortTermBreakdown(
        exposure_days=exposure,
        buyer_pd_source=source,
        buyer_pd_annual=pd_annual,
        buyer_pd_period=pd_period,
        country_event_annual=q_annual,
        country_event_period=q_period,
        commercial_lgd=tariff.commercial_lgd,
        political_lgd=tariff.political_lgd,
        commercial_terms_factor=f_c,
        political_terms_factor=f_p,
        commercial_cover=risk.commercial_cover,
        political_cover=risk.political_cover,
        waiting_days=waiting,
        waiting_factor=w,
        commercial_expected_loss=el_c,
        country_expected_loss=el_p,
        expected_loss=el,
        capital_loading=capital,
        expense_loading=expenses,
        technical_rate=technical,
        minimum_rate=tariff.minimum_rate,
        rate=max(technical, tariff.minimum_rate),
    )


def _buyer_annual_pd(risk: ShortTermRisk, tariff: ShortTermTariff) -> tuple[str, float]:
    if risk.buyer_default is not None:
        given = risk.buyer_default
        return given.source, annualise(given.probability, given.horizon_days)
    assert risk.buyer_grade is not None  # validate_short_term requires one of the two
    return "buyer_grade", tariff.annual_pd_by_grade[risk.buyer_grade]


def validate_short_term(risk: ShortTermRisk, tariff: ShortTermTariff = DEFAULT_TARIFF) -> None:
    found = FieldViolations()
    _check_common(risk, tariff, found)
    _check_credit_period(risk, found)
    found.raise_if_any("invalid short-term risk")


def _check_common(risk: ShortTermRisk, tariff: ShortTermTariff, found: FieldViolations) -> None:
    if risk.country_category not in tariff.annual_country_event:
        found.add("country_risk_category", "must be an OECD country risk category 0..7")
    found.fraction("commercial_cover", risk.commercial_cover, low=0, high=1, open_low=True)
    found.fraction("political_cover", risk.political_cover, low=0, high=1, open_low=True)
    _check_buyer(risk, tariff, found)
    if risk.waiting_days is not None and not 0 <= risk.waiting_days <= MAX_WAITING_DAYS:
        found.add("waiting_period_days", f"must be 0..{MAX_WAITING_DAYS} days")


def _check_credit_period(risk: ShortTermRisk, found: FieldViolations) -> None:
    if not 0 <= risk.credit_days <= MAX_CREDIT_DAYS:
        found.add(
            "credit_days", f"short-term cover is for credit periods of 0..{MAX_CREDIT_DAYS} days"
        )
    elif risk.payment_terms is PaymentTerms.PREPAID and risk.credit_days != 0:
        found.add("credit_days", "a prepaid sale has no credit period")
    elif risk.payment_terms is PaymentTerms.DA and risk.credit_days == 0:
        found.add("credit_days", "documents against acceptance need a usance period")


def _check_buyer(risk: ShortTermRisk, tariff: ShortTermTariff, found: FieldViolations) -> None:
    if (risk.buyer_grade is None) == (risk.buyer_default is None):
        found.add("buyer.grade", "give a buyer grade or a default probability, exactly one")
    elif risk.buyer_grade is not None and risk.buyer_grade not in tariff.annual_pd_by_grade:
        found.add("buyer.grade", "must be 1 (best) .. 10 (worst)")
    elif risk.buyer_default is not None:
        given = risk.buyer_default
        if not (0.0 <= given.probability < 1.0) or not given.horizon_days > 0:
            found.add("buyer.probability_of_default", "must be in [0, 1) over a positive horizon")
