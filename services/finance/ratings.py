"""Long-term credit rating scale shared by the MPR concordance and the buyer grade tables.

Ratings are held as notches: 0 = AAA/Aaa ... 18 = CCC-/Caa3. S&P/Fitch and Moody's symbols are
both accepted. Ratings below CCC- (CC, C, D) are not priced: such an obligor is in or near default
and belongs to claims handling, not underwriting.
"""

from __future__ import annotations

from services.common.errors import ValidationError

SP_SCALE: tuple[str, ...] = (
    "AAA", "AA+", "AA", "AA-", "A+", "A", "A-", "BBB+", "BBB", "BBB-",
    "BB+", "BB", "BB-", "B+", "B", "B-", "CCC+", "CCC", "CCC-",
)  # fmt: skip
MOODYS_SCALE: tuple[str, ...] = (
    "AAA", "AA1", "AA2", "AA3", "A1", "A2", "A3", "BAA1", "BAA2", "BAA3",
    "BA1", "BA2", "BA3", "B1", "B2", "B3", "CAA1", "CAA2", "CAA3",
)  # fmt: skip

_NOTCH_BY_SYMBOL: dict[str, int] = {
    **{symbol: notch for notch, symbol in enumerate(MOODYS_SCALE)},
    **{symbol: notch for notch, symbol in enumerate(SP_SCALE)},
}

#: BBB-: the last investment-grade notch.
LOWEST_INVESTMENT_GRADE = SP_SCALE.index("BBB-")
WORST_NOTCH = len(SP_SCALE) - 1

#: Buyer grade 1 (best) .. 10 (worst) by rating notch; the grade scale of the trade-data contract
#: (``buyers.buyer_grade``) anchored to agency ratings so either input prices the same way.
_GRADE_BY_NOTCH: tuple[int, ...] = (
    1, 1, 1, 1,  # AAA .. AA-
    2, 2, 2,  # A+ .. A-
    3, 3,  # BBB+, BBB
    4,  # BBB-
    5, 5,  # BB+, BB
    6,  # BB-
    7,  # B+
    8,  # B
    9,  # B-
    10, 10, 10,  # CCC+ .. CCC-
)  # fmt: skip


def notch(rating: str, *, field: str = "buyer.buyer_rating") -> int:
    """Notch of a rating symbol (case-insensitive); an unknown symbol is a ValidationError."""
    key = rating.strip().upper()
    if key not in _NOTCH_BY_SYMBOL:
        raise ValidationError.for_field(
            field, f"unknown rating {rating!r}; use AAA..CCC- (S&P/Fitch) or Aaa..Caa3 (Moody's)"
        )
    return _NOTCH_BY_SYMBOL[key]


def is_investment_grade(rating_notch: int) -> bool:
    return rating_notch <= LOWEST_INVESTMENT_GRADE


def grade_for_notch(rating_notch: int) -> int:
    """Buyer grade 1..10 for a rating notch."""
    return _GRADE_BY_NOTCH[rating_notch]
