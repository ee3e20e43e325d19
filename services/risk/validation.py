"""Request validation: every bad field is reported at once as a field violation."""

from __future__ import annotations

import math
from collections.abc import Container

from services.common.errors import FieldViolation, ValidationError
from services.risk.domain import FinancingRequest, Product

MAX_AMOUNT = 1e12
MIN_TENOR_DAYS = 1
MAX_TENOR_DAYS = 720
"""Trade-finance tenors beyond two years are medium/long-term credit, priced elsewhere."""

_PRODUCTS = {product.value: product for product in Product}


def _violations(
    enterprise_id: str,
    product: str,
    amount: float,
    currency: str,
    tenor_days: int,
    currencies: Container[str],
) -> list[FieldViolation]:
    found = []
    if not enterprise_id:
        found.append(FieldViolation("enterprise_id", "required"))
    if product not in _PRODUCTS:
        found.append(FieldViolation("product", f"must be one of {', '.join(_PRODUCTS)}"))
    if not (math.isfinite(amount) and 0 < amount <= MAX_AMOUNT):
        found.append(FieldViolation("amount", f"must be a positive amount up to {MAX_AMOUNT:.0e}"))
    if currency not in currencies:
        found.append(FieldViolation("amount.currency_code", f"unsupported currency {currency!r}"))
    if not MIN_TENOR_DAYS <= tenor_days <= MAX_TENOR_DAYS:
        found.append(
            FieldViolation("tenor_days", f"must be {MIN_TENOR_DAYS}..{MAX_TENOR_DAYS} days")
        )
    return found


def validate_request(
    *,
    request_id: str,
    enterprise_id: str,
    product: str,
    amount: float,
    currency: str,
    tenor_days: int,
    currencies: Container[str],
    order_ids: tuple[str, ...] = (),
) -> FinancingRequest:
    """A FinancingRequest, or ValidationError listing every bad field."""
    found = _violations(enterprise_id, product, amount, currency, tenor_days, currencies)
    if found:
        raise ValidationError("invalid financing request", found)
    return FinancingRequest(
        request_id=request_id,
        enterprise_id=enterprise_id,
        product=_PRODUCTS[product],
        amount=amount,
        currency=currency,
        tenor_days=tenor_days,
        order_ids=order_ids,
    )
