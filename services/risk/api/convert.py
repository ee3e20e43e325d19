"""Proto <-> domain conversion for risk.v1 (no scoring logic here)."""

from __future__ import annotations

import math
from collections.abc import Container
from datetime import UTC, datetime
from typing import Any

from google.protobuf import timestamp_pb2

from services._proto.tradeguard.common.v1 import common_pb2
from services._proto.tradeguard.risk.v1 import risk_pb2
from services.common.errors import FieldViolation, ValidationError
from services.common.money import money_problem, to_float
from services.risk.domain import FinancingRequest, Reason
from services.risk.validation import validate_request

_GRADES: dict[str, Any] = {name: risk_pb2.Grade.Value(name) for name in risk_pb2.Grade.keys()}
_DECISIONS: dict[str, Any] = {
    name: risk_pb2.Decision.Value(name) for name in risk_pb2.Decision.keys()
}
_PRODUCT_NAMES: dict[int, str] = {value: name for name, value in risk_pb2.FinancingProduct.items()}


def money_amount(money: common_pb2.Money) -> float:
    """Decimal value of a Money; ValidationError when it breaks the Money contract."""
    problem = money_problem(money)
    if problem is not None:
        raise ValidationError("invalid amount", [FieldViolation("amount.nanos", problem)])
    return to_float(money)


def to_request(
    message: risk_pb2.ScoreFinancingRequest, currencies: Container[str]
) -> FinancingRequest:
    return validate_request(
        request_id=message.request_id,
        enterprise_id=message.enterprise_id,
        product=_PRODUCT_NAMES.get(message.product, ""),
        amount=money_amount(message.amount),
        currency=message.amount.currency_code,
        tenor_days=message.tenor_days,
        currencies=currencies,
        order_ids=tuple(message.order_ids),
    )


def timestamp(value: str) -> timestamp_pb2.Timestamp:
    """Timestamp of an ISO date/datetime (UTC when naive); empty for an empty value."""
    stamp = timestamp_pb2.Timestamp()
    if value:
        parsed = datetime.fromisoformat(value)
        stamp.FromDatetime(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC))
    return stamp


def to_reason(reason: Reason) -> risk_pb2.Reason:
    return risk_pb2.Reason(
        feature=reason.feature,
        contribution=reason.contribution,
        message=reason.message,
        value=math.nan if reason.value is None else reason.value,
        code=reason.code,
    )


def grade_value(name: str) -> Any:
    return _GRADES[name]
