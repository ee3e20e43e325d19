"""Pricing rules an underwriter relies on: a market floor where no MPR applies, contradictory
overrides refused by field, the minimum premium per policy year shown apart, a waiting period
of 0, two-year short-term cover, dated FX rates and amount caps in the reference currency."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from services.common.errors import ValidationError
from services.finance.appetite import DEFAULT_APPETITE, outside_appetite
from services.finance.fx_rates import FxRates
from services.finance.pricing import MediumLongTerms, PolicyType, PremiumRequest, price_premium
from services.finance.short_term import PaymentTerms

SHORT = PremiumRequest(
    policy_type=PolicyType.SHORT_TERM, buyer_country="BR", insured_amount=Decimal(100_000),
    currency="USD", commercial_cover=0.9, political_cover=0.95, buyer_grade=5,
    payment_terms=PaymentTerms.OA, credit_days=90,
)  # fmt: skip


def _fields(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {v.field for v in error.value.field_violations}


def test_a_high_income_buyer_is_priced_at_least_at_the_market_benchmark() -> None:
    german_bbb = PremiumRequest(
        policy_type=PolicyType.MEDIUM_LONG_TERM, buyer_country="DE",
        insured_amount=Decimal(10_000_000), currency="USD", commercial_cover=0.95,
        political_cover=0.95, buyer_rating="BBB",
        medium_long=MediumLongTerms(disbursement_months=0, repayment_years=5),
    )  # fmt: skip
    priced = price_premium(german_bbb)
    assert priced.mpr is None and priced.market_priced
    # BBB spread 1.6 % a year over an average life of (5 + 0.5) / 2 years, 95 % covered.
    assert priced.market_benchmark_rate == pytest.approx(0.016 * 2.75 * 0.95)
    assert priced.rate >= priced.market_benchmark_rate > 0.02
    assert priced.expected_loss is not None and priced.expected_loss.rate < priced.rate


def test_a_category_contradicting_high_income_names_the_field() -> None:
    with pytest.raises(ValidationError) as error:
        price_premium(replace(SHORT, buyer_country="DE", country_risk_category=3))
    assert _fields(error) == {"country_risk_category"}


def test_the_minimum_premium_is_per_policy_year_and_shown_apart() -> None:
    tiny = price_premium(replace(SHORT, insured_amount=Decimal(1_000)))
    assert tiny.floored_by_minimum_premium and tiny.premium == Decimal(100)
    assert tiny.rate_before_minimum < tiny.rate == pytest.approx(0.1)
    five_years = PremiumRequest(
        policy_type=PolicyType.MEDIUM_LONG_TERM, buyer_country="TR",
        insured_amount=Decimal(1_000), currency="USD", commercial_cover=0.95,
        political_cover=0.95, buyer_rating="BB",
        medium_long=MediumLongTerms(disbursement_months=0, repayment_years=5),
    )  # fmt: skip
    assert price_premium(five_years).minimum_premium == Decimal(500)
    assert not price_premium(SHORT).floored_by_minimum_premium


def test_a_waiting_period_of_zero_is_priced_as_zero() -> None:
    none = price_premium(replace(SHORT, waiting_days=0))
    default = price_premium(SHORT)
    assert none.waiting_days == 0 and default.waiting_days == 180
    assert none.expected_loss is not None and none.expected_loss.waiting_factor == 1.0
    assert none.rate > default.rate


def test_short_term_cover_reaches_two_years() -> None:
    two_years = price_premium(replace(SHORT, credit_days=720))
    assert two_years.rate > price_premium(SHORT).rate
    with pytest.raises(ValidationError) as error:
        price_premium(replace(SHORT, credit_days=731))
    assert _fields(error) == {"credit_days"}


def test_fx_rates_are_dated_and_convert_the_minimum_premium() -> None:
    rates = FxRates(date(2026, 11, 30), {"USD": 1.0, "EUR": 1.25})
    euros = price_premium(replace(SHORT, currency="EUR", insured_amount=Decimal(1_000)), fx=rates)
    assert euros.fx_as_of == date(2026, 11, 30)
    assert euros.minimum_premium == Decimal(80)  # USD 100 at 1.25 USD per EUR
    with pytest.raises(ValidationError) as error:
        price_premium(replace(SHORT, currency="JPY"), fx=rates)
    assert _fields(error) == {"insured_amount.currency_code"}


def test_amount_caps_are_in_the_reference_currency() -> None:
    yen = replace(SHORT, currency="JPY")
    price_premium(replace(yen, insured_amount=Decimal(100_000_000_000)))  # about USD 0.6bn
    with pytest.raises(ValidationError) as error:
        price_premium(replace(yen, insured_amount=Decimal(1_000_000_000_000)))  # USD 6bn
    assert _fields(error) == {"insured_amount"}
    price_premium(replace(SHORT, insured_amount=Decimal(900_000_000)))
    with pytest.raises(ValidationError):
        price_premium(replace(SHORT, insured_amount=Decimal(1_100_000_000)))


def test_an_absurd_price_is_outside_the_appetite() -> None:
    worst = replace(
        SHORT, buyer_grade=10, country_risk_category=7, credit_days=360,
        commercial_cover=1.0, political_cover=1.0,
    )  # fmt: skip
    priced = price_premium(worst)
    assert priced.expected_loss is not None
    reasons = outside_appetite(
        DEFAULT_APPETITE, True, priced.rate, priced.expected_loss.buyer_pd_annual
    )
    assert len(reasons) == 2 and "appetite" in reasons[1]
    assert outside_appetite(DEFAULT_APPETITE, True, 0.004, 0.007) == []
