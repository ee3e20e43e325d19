"""Short-term rate: worked examples with the arithmetic, validation, and monotonicity properties."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.errors import ValidationError
from services.finance.short_term import (
    BuyerDefault,
    PaymentTerms,
    ShortTermRisk,
    price_short_term,
)

ORDERED_TERMS = (PaymentTerms.PREPAID, PaymentTerms.LC, PaymentTerms.DP, PaymentTerms.DA)


def _risk(**overrides: object) -> ShortTermRisk:
    base: dict[str, object] = {
        "country_category": 4,
        "payment_terms": PaymentTerms.OA,
        "credit_days": 90,
        "commercial_cover": 0.9,
        "political_cover": 0.95,
        "buyer_grade": 5,
    }
    base.update(overrides)
    return ShortTermRisk(**base)  # type: ignore[arg-type]


def test_worked_example_grade_5_category_4_open_account_90_days() -> None:
    quote = price_short_term(_risk())
    pd_90 = 1 - (1 - 0.0070) ** (90 / 365)  # grade 5: 0.70 % a year -> 0.173060 %
    q_90 = 1 - (1 - 0.0061) ** (90 / 365)  # category 4: 0.61 % a year -> 0.150758 %
    waiting = 1 - 0.25 * 180 / 365  # default 180-day waiting period: 0.876712
    el_c = pd_90 * 1.0 * 0.60 * 0.9 * waiting  # OA factor 1, LGD 60 %, 90 % cover
    el_p = q_90 * 1.0 * 0.50 * 0.95  # political LGD 50 %, 95 % cover
    el = el_c + el_p  # 0.153541 %
    capital = el * 4.0 * 0.10  # four times EL at a 10 % cost of capital
    expenses = (el + capital) * 0.25 / 0.75  # 25 % expense ratio on the gross premium
    assert quote.buyer_pd_period == pytest.approx(0.0017305976)
    assert quote.country_event_period == pytest.approx(0.0015075783)
    assert quote.commercial_expected_loss == pytest.approx(el_c)
    assert quote.country_expected_loss == pytest.approx(el_p)
    assert quote.capital_loading == pytest.approx(capital)
    assert quote.expense_loading == pytest.approx(expenses)
    assert quote.rate == pytest.approx(el + capital + expenses)
    assert quote.rate == pytest.approx(0.0028661, abs=1e-7)  # 0.2866 % of the insured amount


def test_worked_example_letter_of_credit_category_2_grade_3() -> None:
    quote = price_short_term(
        _risk(country_category=2, payment_terms=PaymentTerms.LC, credit_days=180, buyer_grade=3)
    )
    pd_180 = 1 - (1 - 0.0015) ** (180 / 365)
    q_180 = 1 - (1 - 0.0022) ** (180 / 365)
    waiting = 1 - 0.25 * 180 / 365
    # 0.000740 * 0.30 * 0.60 * 0.9 * 0.876712 + 0.001086 * 1.0 * 0.50 * 0.95 = 0.000621
    el = pd_180 * 0.30 * 0.60 * 0.9 * waiting + q_180 * 1.0 * 0.50 * 0.95
    rate = el * (1 + 4.0 * 0.10) / (1 - 0.25)  # 0.000621 * 1.4 / 0.75 = 0.11587 %
    assert quote.commercial_terms_factor == 0.30
    assert quote.rate == pytest.approx(rate)
    assert quote.rate == pytest.approx(0.0011587, abs=1e-7)


def test_good_buyer_in_category_1_pays_the_minimum_rate() -> None:
    quote = price_short_term(
        _risk(country_category=1, payment_terms=PaymentTerms.LC, credit_days=30, buyer_grade=1)
    )
    assert quote.technical_rate < 0.0005
    assert quote.rate == 0.0005


def test_prepaid_has_no_expected_loss() -> None:
    quote = price_short_term(_risk(payment_terms=PaymentTerms.PREPAID, credit_days=0))
    assert quote.expected_loss == 0.0
    assert quote.rate == quote.minimum_rate


def test_sight_terms_are_exposed_for_the_minimum_window() -> None:
    quote = price_short_term(_risk(payment_terms=PaymentTerms.LC, credit_days=0))
    assert quote.exposure_days == 30


def test_longer_waiting_period_lowers_commercial_loss() -> None:
    short_wait = price_short_term(_risk(waiting_days=60))
    long_wait = price_short_term(_risk(waiting_days=360))
    assert short_wait.waiting_factor == pytest.approx(1 - 0.25 * 60 / 365)
    assert long_wait.commercial_expected_loss < short_wait.commercial_expected_loss
    assert long_wait.country_expected_loss == short_wait.country_expected_loss


def test_risk_service_pd_is_rescaled_to_the_credit_period() -> None:
    given_pd = BuyerDefault(probability=0.02, horizon_days=180, source="risk_service")
    quote = price_short_term(_risk(buyer_grade=None, buyer_default=given_pd))
    annual = 1 - (1 - 0.02) ** (365 / 180)  # 4.0166 % a year at constant hazard
    assert quote.buyer_pd_source == "risk_service"
    assert quote.buyer_pd_annual == pytest.approx(annual)
    assert quote.buyer_pd_period == pytest.approx(1 - (1 - 0.02) ** (90 / 180))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"credit_days": 731}, "credit_days"),
        ({"credit_days": -1}, "credit_days"),
        ({"payment_terms": PaymentTerms.PREPAID, "credit_days": 30}, "credit_days"),
        ({"payment_terms": PaymentTerms.DA, "credit_days": 0}, "credit_days"),
        ({"commercial_cover": 0.0}, "commercial_cover"),
        ({"political_cover": 1.01}, "political_cover"),
        ({"commercial_cover": float("nan")}, "commercial_cover"),
        ({"buyer_grade": 11}, "buyer.grade"),
        ({"buyer_grade": None}, "buyer.grade"),
        ({"country_category": 8}, "country_risk_category"),
        ({"waiting_days": 400}, "waiting_period_days"),
    ],
)
def test_invalid_risk_names_the_field(overrides: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        price_short_term(_risk(**overrides))
    assert [v.field for v in error.value.field_violations] == [field]


risks = st.builds(
    _risk,
    country_category=st.integers(0, 7),
    payment_terms=st.sampled_from([PaymentTerms.LC, PaymentTerms.DP, PaymentTerms.OA]),
    credit_days=st.integers(0, 360),
    commercial_cover=st.floats(0.01, 1.0),
    political_cover=st.floats(0.01, 1.0),
    buyer_grade=st.integers(1, 10),
    waiting_days=st.integers(0, 360),
)


@given(risks, st.integers(0, 360))
def test_rate_never_falls_when_the_credit_period_lengthens(risk: ShortTermRisk, extra: int) -> None:
    longer = replace(risk, credit_days=min(360, risk.credit_days + extra))
    assert price_short_term(longer).rate >= price_short_term(risk).rate


@given(risks)
def test_rate_never_falls_when_the_buyer_grade_worsens(risk: ShortTermRisk) -> None:
    assert risk.buyer_grade is not None
    worse = replace(risk, buyer_grade=min(10, risk.buyer_grade + 1))
    assert price_short_term(worse).rate >= price_short_term(risk).rate


@given(risks)
def test_rate_never_falls_when_the_country_category_worsens(risk: ShortTermRisk) -> None:
    worse = replace(risk, country_category=min(7, risk.country_category + 1))
    assert price_short_term(worse).rate >= price_short_term(risk).rate


@given(risks, st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_rate_never_falls_when_cover_rises(risk: ShortTermRisk, up_c: float, up_p: float) -> None:
    more = replace(
        risk,
        commercial_cover=risk.commercial_cover + (1 - risk.commercial_cover) * up_c,
        political_cover=risk.political_cover + (1 - risk.political_cover) * up_p,
    )
    assert price_short_term(more).rate >= price_short_term(risk).rate


@given(risks.filter(lambda r: r.credit_days > 0))
def test_payment_terms_order_lc_dp_da_oa_and_prepaid_lowest(risk: ShortTermRisk) -> None:
    rates = [price_short_term(replace(risk, payment_terms=t)).rate for t in ORDERED_TERMS[1:]]
    rates.append(price_short_term(replace(risk, payment_terms=PaymentTerms.OA)).rate)
    assert rates == sorted(rates)
    prepaid = price_short_term(replace(risk, payment_terms=PaymentTerms.PREPAID, credit_days=0))
    assert prepaid.rate <= rates[0]
