"""Premium quotes: money, country table, MPR floor, market pricing and request validation."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.common.errors import ValidationError
from services.finance.mpr import BuyerCategory
from services.finance.pricing import (
    MediumLongTerms,
    PolicyType,
    PremiumRequest,
    price_premium,
)
from services.finance.short_term import BuyerDefault, PaymentTerms


def _short(**overrides: object) -> PremiumRequest:
    base: dict[str, object] = {
        "policy_type": PolicyType.SHORT_TERM,
        "buyer_country": "BR",
        "insured_amount": Decimal("100000"),
        "currency": "USD",
        "commercial_cover": 0.9,
        "political_cover": 0.95,
        "buyer_grade": 5,
        "payment_terms": PaymentTerms.OA,
        "credit_days": 90,
    }
    base.update(overrides)
    return PremiumRequest(**base)  # type: ignore[arg-type]


def _long(country: str = "TR", **overrides: object) -> PremiumRequest:
    base: dict[str, object] = {
        "policy_type": PolicyType.MEDIUM_LONG_TERM,
        "buyer_country": country,
        "insured_amount": Decimal("10000000"),
        "currency": "EUR",
        "commercial_cover": 0.95,
        "political_cover": 0.95,
        "buyer_grade": None,
        "medium_long": MediumLongTerms(disbursement_months=6, repayment_years=10),
    }
    base.update(overrides)
    return PremiumRequest(**base)  # type: ignore[arg-type]


def _fields(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {v.field for v in error.value.field_violations}


def test_short_term_premium_is_rate_times_amount_in_cents() -> None:
    quote = price_premium(_short())
    assert quote.country.category == 4  # Brazil in the dated table
    assert quote.country.source == "table"
    assert quote.mpr is None
    assert quote.rate == pytest.approx(0.0028661, abs=1e-7)  # the short-term worked example
    assert quote.premium == Decimal("286.61")  # 100,000 * 0.28661 %, rounded half up


def test_requested_category_overrides_the_table() -> None:
    quote = price_premium(_short(country_risk_category=7))
    assert quote.country.category == 7
    assert quote.country.source == "request"
    assert quote.rate > price_premium(_short()).rate


def test_minimum_premium_sets_the_rate_of_a_small_policy() -> None:
    quote = price_premium(_short(insured_amount=Decimal("1000")))
    assert quote.premium == Decimal("100.00")  # USD 100 minimum, above 1,000 * 0.2866 %
    assert quote.rate == pytest.approx(0.10)


def test_minimum_premium_converted_and_rounded_in_the_insured_currency() -> None:
    eur = price_premium(_short(currency="EUR", insured_amount=Decimal("1000")))
    assert eur.minimum_premium == Decimal("93.35")  # 100 / 1.0713 = 93.3445..., rounded up
    jpy = price_premium(_short(currency="JPY", insured_amount=Decimal("12345678")))
    assert jpy.premium == jpy.premium.to_integral_value()  # yen has no minor unit
    assert jpy.premium == Decimal(round(12345678 * jpy.rate))


def test_buyer_rating_and_risk_service_pd_feed_the_buyer_default() -> None:
    rated = price_premium(_short(buyer_grade=None, buyer_rating="BB"))
    assert rated.expected_loss is not None
    assert rated.expected_loss.buyer_pd_source == "buyer_rating"
    assert rated.expected_loss.buyer_pd_annual == 0.0070  # BB is grade 5
    known = BuyerDefault(probability=0.01, horizon_days=90, source="risk_service")
    scored = price_premium(_short(buyer_grade=None), buyer_default=known)
    assert scored.expected_loss is not None
    assert scored.expected_loss.buyer_pd_source == "risk_service"
    assert scored.expected_loss.buyer_pd_period == pytest.approx(0.01)


def test_category_5_buyer_known_only_by_category_is_priced_at_the_mpr() -> None:
    quote = price_premium(_long(medium_long=MediumLongTerms(6, 10, BuyerCategory.CC1)))
    assert quote.mpr is not None
    assert round(quote.mpr.mpr_percent, 4) == 9.3179  # the published example
    assert quote.expected_loss is None
    assert quote.floored_by_mpr
    assert quote.rate == pytest.approx(0.0931788)
    assert quote.premium == Decimal("931788.00")  # 10,000,000 * 9.31788 %


def test_mpr_floors_a_cheaper_market_price_but_not_a_dearer_one() -> None:
    floored = price_premium(_long(buyer_rating="BB"))  # CC1 in category 5, grade 5
    assert floored.expected_loss is not None and floored.mpr is not None
    assert floored.expected_loss.rate < floored.mpr.rate
    assert floored.rate == floored.mpr.rate and floored.floored_by_mpr
    riskier = price_premium(_long(buyer_rating="BB-"))  # still CC1, grade 6
    assert riskier.expected_loss is not None and riskier.mpr is not None
    assert riskier.expected_loss.rate > riskier.mpr.rate
    assert riskier.rate == riskier.expected_loss.rate and not riskier.floored_by_mpr


def test_market_pricing_uses_the_average_life_of_the_credit() -> None:
    quote = price_premium(_long(buyer_rating="BB-"))
    assert quote.expected_loss is not None
    life_years = 0.5 / 2 + (10 + 0.5) / 2  # 5.5 years
    assert quote.expected_loss.exposure_days == round(life_years * 365)


def test_high_income_country_is_market_priced_without_mpr() -> None:
    quote = price_premium(_long("DE", buyer_rating="BB-"))
    assert quote.country.category == 0 and quote.country.high_income
    assert quote.mpr is None and quote.market_priced
    assert quote.expected_loss is not None and quote.market_benchmark_rate > 0
    assert quote.rate == max(quote.expected_loss.rate, quote.market_benchmark_rate)


def test_market_priced_quote_needs_a_buyer_default_source() -> None:
    with pytest.raises(ValidationError) as error:
        price_premium(_long("DE", medium_long=MediumLongTerms(6, 10, BuyerCategory.CC1)))
    assert _fields(error) == {"buyer.grade"}


def test_invalid_request_reports_every_field_at_once() -> None:
    bad = _short(insured_amount=Decimal("-5"), currency="XYZ", credit_days=800)
    with pytest.raises(ValidationError) as error:
        price_premium(bad)
    assert _fields(error) == {"insured_amount", "insured_amount.currency_code", "credit_days"}


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (_short(buyer_country="XX"), "buyer.country_code"),
        (_short(insured_amount=Decimal("0")), "insured_amount"),
        (_short(insured_amount=Decimal("NaN")), "insured_amount"),
        (_short(payment_terms=None), "payment_terms"),
        (_short(commercial_cover=1.5), "commercial_cover"),
        (_short(country_risk_category=9), "country_risk_category"),
        (_long(medium_long=None), "repayment_years"),
        (_long(medium_long=MediumLongTerms(6, 1.5, BuyerCategory.CC1)), "repayment_years"),
        (_long(medium_long=MediumLongTerms(6, 10, BuyerCategory.CC5)), "buyer_category"),
        (_long(buyer_rating="ZZZ"), "buyer.buyer_rating"),
    ],
)
def test_invalid_request_names_the_field(request_: PremiumRequest, field: str) -> None:
    with pytest.raises(ValidationError) as error:
        price_premium(request_)
    assert field in _fields(error)


@settings(max_examples=60)
@given(
    st.sampled_from(["MX", "BR", "TR", "EG", "AR", "CN", "IN", "VN"]),
    st.sampled_from(["A", "BBB", "BB+", "BB-", "B+", "B", "B-", "CCC"]),
    st.floats(0.0, 24.0),
    st.floats(2.0, 15.0),
    st.floats(0.5, 1.0),
)
def test_medium_long_quotes_never_fall_below_the_mpr(
    country: str, rating: str, disbursement: float, repayment: float, cover: float
) -> None:
    request = _long(
        country,
        buyer_rating=rating,
        commercial_cover=cover,
        political_cover=cover,
        medium_long=MediumLongTerms(disbursement, repayment),
    )
    try:
        quote = price_premium(request)
    except ValidationError as error:  # a rating with no category there (n/a) is refused
        assert {v.field for v in error.field_violations} <= {"buyer.buyer_rating"}
        return
    assert quote.mpr is not None
    assert quote.rate >= quote.mpr.rate


@given(st.integers(0, 360), st.integers(0, 360))
def test_quoted_rate_never_falls_when_the_credit_period_lengthens(days: int, extra: int) -> None:
    base = _short(insured_amount=Decimal("20000"), credit_days=days)
    longer = replace(base, credit_days=min(360, days + extra))
    assert price_premium(longer).rate >= price_premium(base).rate
