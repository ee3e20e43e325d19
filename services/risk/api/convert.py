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
from services.common.money import from_float, money_problem, to_float
from services.risk.domain import FinancingRequest, FinancingScore, Reason
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


class ScoreEncoder:
    """Writes FinancingScore messages for one snapshot (its as-of stamp converted once)."""

    def __init__(self, model_version: str, features_as_of: str) -> None:
        self.model_version = model_version
        self.features_as_of = features_as_of
        self._as_of = timestamp(features_as_of)

    def fill(self, target: risk_pb2.FinancingScore, score: FinancingScore) -> None:
        target.request_id = score.request_id
        target.enterprise_id = score.enterprise_id
        target.probability_of_default = score.probability_of_default
        target.score = score.score
        target.grade = _GRADES[score.grade]
        target.decision = _DECISIONS[score.decision.value]
        target.recommended_limit.CopyFrom(from_float(score.recommended_limit, score.currency))
        target.reasons.extend([to_reason(r) for r in score.reasons])
        target.model_version = score.model_version
        target.raw_score = score.raw_score
        target.base_value = score.base_value
        if score.features_as_of == self.features_as_of:
            target.features_as_of.CopyFrom(self._as_of)
        else:  # scored on the request's own trade record
            target.features_as_of.CopyFrom(timestamp(score.features_as_of))
        if score.policy_notes:
            target.policy_notes.extend(score.policy_notes)
        target.thin_file = score.thin_file

    def encode(self, score: FinancingScore) -> risk_pb2.FinancingScore:
        message = risk_pb2.FinancingScore()
        self.fill(message, score)
        return message


def grade_value(name: str) -> Any:
    return _GRADES[name]
