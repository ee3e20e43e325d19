"""A buyer's annual default probability for underwriting, and where it came from.

In order of preference: an external buyer grade (1..10), an agency rating (mapped to a grade),
the buyer model trained on every buyer's payment record across all exporters. The external
inputs override the model: an underwriter who has a rating report uses it.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.common.errors import ValidationError
from services.finance import ratings
from services.finance.book import BuyerRef
from services.finance.domain import BuyerPdModel
from services.finance.short_term import ANNUAL_PD_BY_GRADE

BUYER_MODEL_SOURCE = "buyer_model"


@dataclass(frozen=True)
class BuyerPd:
    annual_pd: float
    grade: int
    source: str


def grade_for_pd(annual_pd: float) -> int:
    """The best grade whose annual PD covers ``annual_pd`` (10 beyond the table)."""
    for grade in sorted(ANNUAL_PD_BY_GRADE):
        if annual_pd <= ANNUAL_PD_BY_GRADE[grade]:
            return grade
    return max(ANNUAL_PD_BY_GRADE)


def external_buyer_pd(buyer: BuyerRef) -> BuyerPd | None:
    """The PD of an external grade or rating, when the request gives one."""
    if buyer.grade is not None:
        if buyer.grade not in ANNUAL_PD_BY_GRADE:
            raise ValidationError.for_field("buyer.grade", "must be 1 (best) .. 10 (worst)")
        return BuyerPd(ANNUAL_PD_BY_GRADE[buyer.grade], buyer.grade, "buyer_grade")
    if buyer.rating:
        grade = ratings.grade_for_notch(ratings.notch(buyer.rating))
        return BuyerPd(ANNUAL_PD_BY_GRADE[grade], grade, "buyer_rating")
    return None


def buyer_pd(buyer: BuyerRef, model: BuyerPdModel | None) -> BuyerPd:
    """External grade or rating first, then the buyer model; INVALID_ARGUMENT with neither."""
    given = external_buyer_pd(buyer)
    if given is not None:
        return given
    annual = model.annual_pd(buyer.buyer_id) if model is not None and buyer.buyer_id else None
    if annual is None:
        raise ValidationError.for_field(
            "buyer.grade",
            f"buyer {buyer.buyer_id!r} has no payment record to score: give a grade (1..10) "
            "or an agency rating",
        )
    return BuyerPd(annual, grade_for_pd(annual), BUYER_MODEL_SOURCE)
