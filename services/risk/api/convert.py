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
from services.common.money import money_problem, to_float, write_float
from services.risk.answers import Answers
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


class ScoreEncoder:
    """Writes FinancingScore messages for one snapshot: as-of stamps converted once, policy
    reasons built once, model reasons worded from the reason table."""

    def __init__(self, model_version: str, features_as_of: str) -> None:
        self.model_version = model_version
        self.features_as_of = features_as_of
        self._stamps: dict[str, timestamp_pb2.Timestamp] = {}
        self._policy: dict[Reason, risk_pb2.Reason] = {}

    def _stamp(self, as_of: str) -> timestamp_pb2.Timestamp:
        stamp = self._stamps.get(as_of)
        if stamp is None:
            if len(self._stamps) > 64:  # trade records bring dates of their own
                self._stamps.clear()
            stamp = self._stamps[as_of] = timestamp(as_of)
        return stamp

    def _policy_reason(self, reason: Reason) -> risk_pb2.Reason:
        message = self._policy.get(reason)
        if message is None:
            message = self._policy[reason] = to_reason(reason)
        return message

    def fill(self, target: risk_pb2.FinancingScore, answers: Answers, i: int) -> None:
        """Row i of `answers` into `target`."""
        request = answers.requests[i]
        decision = answers.decision(i)
        target.request_id = request.request_id
        target.enterprise_id = request.enterprise_id
        target.probability_of_default = answers.pd[i]
        target.score = answers.points[i]
        target.grade = _GRADES[answers.grades[i]]
        target.decision = _DECISIONS[decision.value]
        write_float(
            target.recommended_limit, answers.recommended_limit(i, decision), request.currency
        )
        target.model_version = answers.model_version
        target.raw_score = answers.raw[i]
        target.base_value = answers.base_value
        target.features_as_of.CopyFrom(self._stamp(answers.as_of[i]))
        target.thin_file = answers.thin_file is not None
        if not answers.flags[i] and answers.thin_file is None:
            return  # approved: no reasons, no notes
        reasons = target.reasons
        for reason in answers.policy_reasons(i):
            reasons.append(self._policy_reason(reason))
        if answers.explained(i):
            for rc, feature, total in answers.top.row(i):
                reasons.add(
                    feature=feature,
                    contribution=total,
                    message=rc.sentence,
                    value=math.nan,
                    code=rc.code,
                )
        target.policy_notes.extend(answers.notes(i))

    def encode(self, answers: Answers, i: int) -> risk_pb2.FinancingScore:
        message = risk_pb2.FinancingScore()
        self.fill(message, answers, i)
        return message


def grade_value(name: str) -> Any:
    return _GRADES[name]
