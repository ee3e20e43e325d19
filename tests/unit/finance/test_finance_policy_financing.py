"""Policy financing: advance rate and margin, with the arithmetic written out."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.common.errors import ValidationError
from services.finance.policy_financing import FinancingRequest, quote_financing


def test_worked_example_ninety_percent_cover_180_days() -> None:
    terms = quote_financing(FinancingRequest(0.9, 0.95, exporter_pd=0.005, tenor_days=180))
    pd_annual = 1 - (1 - 0.005) ** (365 / 180)  # 1.0116 % a year
    insured = 0.9 * (1 - 0.05)  # effective cover min(0.9, 0.95), less the dispute haircut
    uninsured = (1 - 0.9) * 0.5  # half the uninsured tenth
    advance = min(0.90, insured + uninsured)  # 0.905 capped at 0.90
    insured_share = insured / advance  # 0.95
    el = pd_annual * 0.45 * ((1 - insured_share) + insured_share * 0.10)
    capital = 0.08 * 0.12 * (0.5 * insured_share + 1.0 * (1 - insured_share))
    assert terms.effective_cover == 0.9
    assert terms.exporter_pd_annual == pytest.approx(pd_annual)
    assert terms.advance_rate == pytest.approx(advance)
    assert terms.insured_share == pytest.approx(0.95)
    assert terms.expected_loss == pytest.approx(el)  # 0.066 %
    assert terms.capital_charge == pytest.approx(capital)  # 0.504 %
    assert terms.interest_margin == pytest.approx(0.012 + el + capital)
    assert terms.interest_margin == pytest.approx(0.017700, abs=1e-6)
    assert terms.decline_reason is None


def test_lower_cover_advances_less_and_costs_more() -> None:
    terms = quote_financing(FinancingRequest(0.6, 0.9, exporter_pd=0.03, tenor_days=90))
    pd_annual = 1 - (1 - 0.03) ** (365 / 90)  # 11.6 %, below the 20 % limit
    insured = 0.6 * 0.95  # 0.57
    uninsured = 0.4 * 0.5  # 0.20
    advance = insured + uninsured  # 0.77, under the 0.90 cap
    u = uninsured / advance  # 0.25974
    assert terms.advance_rate == pytest.approx(0.77)
    assert terms.uninsured_share == pytest.approx(u)
    assert terms.expected_loss == pytest.approx(pd_annual * 0.45 * (u + (1 - u) * 0.10))
    assert terms.capital_charge == pytest.approx(0.08 * 0.12 * (0.5 * (1 - u) + 1.0 * u))
    assert terms.decline_reason is None


def test_exporter_above_the_pd_limit_is_declined() -> None:
    terms = quote_financing(FinancingRequest(0.9, 0.9, exporter_pd=0.10, tenor_days=90))
    assert terms.exporter_pd_annual > 0.20
    assert terms.decline_reason is not None and "20%" in terms.decline_reason


def test_invalid_request_reports_every_field() -> None:
    with pytest.raises(ValidationError) as error:
        quote_financing(FinancingRequest(0.0, 1.5, exporter_pd=1.0, tenor_days=0))
    assert {v.field for v in error.value.field_violations} == {
        "commercial_cover",
        "political_cover",
        "exporter_probability_of_default",
        "tenor_days",
    }


@given(st.floats(0.05, 1.0), st.floats(0.0, 0.3), st.floats(0.0, 0.3), st.integers(1, 360))
def test_margin_never_falls_as_exporter_pd_rises(
    cover: float, pd: float, more: float, tenor: int
) -> None:
    low = quote_financing(FinancingRequest(cover, cover, pd, tenor))
    high = quote_financing(FinancingRequest(cover, cover, min(0.99, pd + more), tenor))
    assert high.interest_margin >= low.interest_margin
    assert high.advance_rate == low.advance_rate


@given(st.floats(0.05, 1.0), st.floats(0.0, 1.0), st.floats(0.0, 0.3), st.integers(1, 360))
def test_advance_never_falls_as_cover_rises(cover: float, up: float, pd: float, tenor: int) -> None:
    higher = cover + (1 - cover) * up
    low = quote_financing(FinancingRequest(cover, cover, pd, tenor))
    high = quote_financing(FinancingRequest(higher, higher, pd, tenor))
    assert high.advance_rate >= low.advance_rate
    assert high.interest_margin <= low.interest_margin
