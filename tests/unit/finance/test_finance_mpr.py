"""OECD Arrangement minimum premium rate (TAD/PG(2023)7): worked examples with the arithmetic."""

from __future__ import annotations

import pytest

from services.common.errors import ValidationError
from services.finance.mpr import (
    BuyerCategory,
    CreditEnhancement,
    MprTerms,
    ProductQuality,
    buyer_category_for_rating,
    minimum_premium_rate,
    mpr_applies,
)


def _terms(**overrides: object) -> MprTerms:
    base: dict[str, object] = {
        "country_category": 5,
        "disbursement_months": 6,
        "repayment_years": 10,
        "commercial_cover": 0.95,
        "political_cover": 0.95,
        "buyer_category": BuyerCategory.CC1,
    }
    base.update(overrides)
    return MprTerms(**base)  # type: ignore[arg-type]


def _fields(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {v.field for v in error.value.field_violations}


def test_published_example_category_5_cc1_is_9_3179_percent() -> None:
    result = minimum_premium_rate(_terms())
    hor = 0.5 * 0.5 + 10  # half of 6 months + 10 years
    country = (0.74 * hor + 0.75) * 0.95 / 0.95  # 8.335
    buyer = 0.100 * 0.95 / 0.95 * hor  # 1.025
    term = 0.018 * (hor - 10)  # 0.0045: BB- is below investment grade
    assert result.horizon_years == pytest.approx(10.25)
    assert result.country_part == pytest.approx(8.335)
    assert result.buyer_part == pytest.approx(1.025)
    assert result.term_factor == pytest.approx(term)
    assert result.mpr_percent == pytest.approx((country + buyer) * (1 - term))
    assert round(result.mpr_percent, 4) == 9.3179
    assert result.rate == pytest.approx(0.0931788)  # as a fraction of the principal
    assert result.arrangement_version == "TAD/PG(2023)7"


def test_category_2_cc2_ninety_percent_cover_five_years() -> None:
    result = minimum_premium_rate(
        _terms(
            country_category=2,
            disbursement_months=12,
            repayment_years=5,
            commercial_cover=0.9,
            political_cover=0.9,
            buyer_category=BuyerCategory.CC2,
        )
    )
    hor = 0.5 * 1 + 5  # 5.5 years
    country = (0.200 * hor + 0.350) * 0.9 / 0.95  # 1.45 * 0.947368 = 1.373684
    buyer = 0.212 * 0.9 / 0.95 * hor  # 1.104632
    assert result.horizon_years == pytest.approx(5.5)
    assert result.cover_factor == 1.0  # at or below 95 % cover
    assert result.term_factor == 0.0  # horizon not past 10 years
    assert result.mpr_percent == pytest.approx(country + buyer)
    assert result.mpr_percent == pytest.approx(2.478316, abs=1e-6)


def test_category_7_full_cover_below_standard_with_factors_and_term() -> None:
    result = minimum_premium_rate(
        _terms(
            country_category=7,
            disbursement_months=0,
            repayment_years=12,
            commercial_cover=1.0,
            political_cover=1.0,
            buyer_category=BuyerCategory.CC2,
            product_quality=ProductQuality.BELOW_STANDARD,
            local_currency_factor=0.1,
            credit_enhancement_factor=0.2,
        )
    )
    hor = 12.0
    country = (1.100 * hor + 1.800) * 1.0 / 0.95 * (1 - 0.1)  # 15.0 * 0.9 / 0.95 = 14.210526
    buyer = 0.271 * 1.0 / 0.95 * hor * (1 - 0.2)  # 3.252 * 0.8 / 0.95 = 2.738526
    qpf = 0.9800
    pcf = 1 + (1.0 - 0.95) / 0.05 * 0.08598  # 1.08598
    term = 0.018 * (12 - 10)  # 0.036: CC2 in category 7 is B- to CCC-
    assert result.country_part == pytest.approx(14.210526, abs=1e-6)
    assert result.buyer_part == pytest.approx(2.738526, abs=1e-6)
    assert result.cover_factor == pytest.approx(pcf)
    assert result.quality_factor == qpf
    assert result.mpr_percent == pytest.approx((country + buyer) * qpf * pcf * (1 - term))
    # 16.949053 * 0.98 * 1.08598 * 0.964
    assert result.mpr_percent == pytest.approx(17.388830, abs=1e-5)


def test_category_1_better_than_sovereign_has_no_buyer_part_and_btsf() -> None:
    result = minimum_premium_rate(
        _terms(
            country_category=1,
            disbursement_months=12,
            repayment_years=8,
            buyer_category=BuyerCategory.SOV_PLUS,
            buyer_rating="AA",
            product_quality=ProductQuality.ABOVE_STANDARD,
        )
    )
    hor = 0.5 + 8
    country = 0.090 * hor + 0.350  # 1.115
    assert result.buyer_part == 0.0
    assert result.better_than_sovereign_factor == 0.9
    assert result.mpr_percent == pytest.approx(country * 1.0035 * 0.9)  # 1.00701
    assert result.mpr_percent == pytest.approx(1.0070, abs=1e-4)


def test_cover_above_95_percent_raises_pcf_only_in_riskier_categories() -> None:
    at_95 = minimum_premium_rate(_terms(country_category=4, political_cover=0.95))
    at_98 = minimum_premium_rate(_terms(country_category=4, political_cover=0.98))
    pcf = 1 + (0.98 - 0.95) / 0.05 * 0.01639  # 1.009834
    assert at_98.cover_factor == pytest.approx(pcf)
    # The country part uses max(PCC, PCP); the buyer part only PCC (unchanged at 0.95).
    assert at_98.country_part == pytest.approx(at_95.country_part * 0.98 / 0.95)
    assert at_98.buyer_part == pytest.approx(at_95.buyer_part)
    cat1 = minimum_premium_rate(_terms(country_category=1, political_cover=1.0))
    assert cat1.cover_factor == 1.0  # k_1 = 0


def test_term_adjustment_capped_at_15_percent() -> None:
    result = minimum_premium_rate(
        _terms(country_category=4, disbursement_months=24, repayment_years=22)
    )
    assert result.horizon_years == 23.0
    assert result.term_factor == pytest.approx(0.15)  # 0.018 x 13 = 0.234, applied capped
    base = (0.55 * 23 + 0.35) + 0.100 * 23
    assert result.mpr_percent == pytest.approx(base * (1 - 0.15))


def test_investment_grade_rating_has_no_term_adjustment() -> None:
    long = {"country_category": 3, "disbursement_months": 24, "repayment_years": 10}
    rated_bbb = minimum_premium_rate(_terms(buyer_category=None, buyer_rating="BBB", **long))
    rated_bb = minimum_premium_rate(_terms(buyer_category=None, buyer_rating="BB", **long))
    assert rated_bbb.buyer_category is BuyerCategory.CC1
    assert rated_bbb.investment_grade and rated_bbb.term_factor == 0.0
    assert rated_bb.buyer_category is BuyerCategory.CC2
    assert rated_bb.term_factor == pytest.approx(0.018 * 1)  # HOR 11


@pytest.mark.parametrize(
    ("category", "rating", "expected"),
    [
        (1, "AAA", BuyerCategory.CC1),
        (1, "A-", BuyerCategory.CC2),
        (1, "BB", BuyerCategory.CC4),
        (1, "BB-", BuyerCategory.CC5),
        (2, "AA", BuyerCategory.CC1),  # better than the CC1 band is still CC1
        (2, "BB-", BuyerCategory.CC4),
        (3, "Ba3", BuyerCategory.CC3),  # Moody's BB-
        (4, "B", BuyerCategory.CC4),
        (4, "CCC", BuyerCategory.CC5),
        (5, "B-", BuyerCategory.CC4),
        (5, "ccc-", BuyerCategory.CC4),
        (6, "B", BuyerCategory.CC2),
        (7, "B", BuyerCategory.CC1),
        (7, "CCC+", BuyerCategory.CC2),
    ],
)
def test_rating_concordance(category: int, rating: str, expected: BuyerCategory) -> None:
    assert buyer_category_for_rating(category, rating) is expected


@pytest.mark.parametrize(
    ("category", "buyer"),
    [
        (5, BuyerCategory.CC5),
        (6, BuyerCategory.CC4),
        (6, BuyerCategory.CC5),
        (7, BuyerCategory.CC3),
        (7, BuyerCategory.CC5),
    ],
)
def test_not_applicable_buyer_category_is_rejected(category: int, buyer: BuyerCategory) -> None:
    with pytest.raises(ValidationError) as error:
        minimum_premium_rate(_terms(country_category=category, buyer_category=buyer))
    assert _fields(error) == {"buyer_category"}
    assert "n/a" in error.value.field_violations[0].description


def test_unknown_rating_and_contradicting_category_are_rejected() -> None:
    with pytest.raises(ValidationError) as unknown:
        minimum_premium_rate(_terms(buyer_category=None, buyer_rating="D"))
    assert _fields(unknown) == {"buyer.buyer_rating"}
    with pytest.raises(ValidationError) as contradiction:
        minimum_premium_rate(_terms(buyer_category=BuyerCategory.CC1, buyer_rating="B"))
    assert _fields(contradiction) == {"buyer_category"}


def test_sovereign_past_ten_years_needs_a_rating_for_the_term_factor() -> None:
    sov = {"buyer_category": BuyerCategory.SOV_CC0, "country_category": 4, "repayment_years": 12}
    with pytest.raises(ValidationError) as error:
        minimum_premium_rate(_terms(**sov))
    assert _fields(error) == {"buyer.buyer_rating"}
    rated = minimum_premium_rate(_terms(buyer_rating="BB+", **sov))
    assert rated.term_factor == pytest.approx(0.018 * 2.25)
    assert rated.mpr_percent == pytest.approx((0.55 * 12.25 + 0.35) * (1 - 0.018 * 2.25))


def test_out_of_range_inputs_report_every_field() -> None:
    bad = _terms(
        country_category=0,
        commercial_cover=0.0,
        political_cover=1.2,
        repayment_years=1.5,
        local_currency_factor=0.25,
        credit_enhancement_factor=0.4,
    )
    with pytest.raises(ValidationError) as error:
        minimum_premium_rate(bad)
    assert _fields(error) == {
        "country_risk_category",
        "commercial_cover",
        "political_cover",
        "repayment_years",
        "local_currency_factor",
        "credit_enhancement_factor",
    }


def test_credit_enhancement_components_respect_their_caps() -> None:
    assert CreditEnhancement(0.10, 0.25, 0.0, 0.0).factor() == pytest.approx(0.35)
    assert CreditEnhancement(0.10, 0.25, 0.0, 0.10).factor() == pytest.approx(0.35)  # capped
    with pytest.raises(ValidationError):
        CreditEnhancement(assignment_of_proceeds=0.11).factor()
    with pytest.raises(ValidationError):
        CreditEnhancement(asset_based_security=0.1, fixed_asset_security=0.1).factor()


def test_category_0_and_high_income_have_no_mpr() -> None:
    assert not mpr_applies(0, high_income=False)
    assert not mpr_applies(3, high_income=True)
    assert mpr_applies(3, high_income=False)


def test_sovereign_quality_is_not_taken_on_self_declaration() -> None:
    with pytest.raises(ValidationError) as unrated:
        minimum_premium_rate(_terms(buyer_category=BuyerCategory.SOV_PLUS))
    assert _fields(unrated) == {"buyer.buyer_rating"}
    for category in (BuyerCategory.SOV_PLUS, BuyerCategory.SOV_CC0):
        with pytest.raises(ValidationError) as junk:  # B- is CC4 in category 5
            minimum_premium_rate(_terms(buyer_category=category, buyer_rating="B-"))
        assert _fields(junk) == {"buyer_category"}
    rated = minimum_premium_rate(_terms(buyer_category=BuyerCategory.SOV_CC0, buyer_rating="BB-"))
    assert rated.buyer_category is BuyerCategory.SOV_CC0 and rated.buyer_part == 0.0
