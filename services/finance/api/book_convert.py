"""Proto <-> domain conversion of the underwriting book: credit limits, policies, claims, events,
and the premium quote read back as the terms a policy binds."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from google.protobuf.timestamp_pb2 import Timestamp

from services._proto.tradeguard.common.v1 import common_pb2
from services._proto.tradeguard.finance.v1 import finance_pb2
from services.common import money
from services.common.violations import FieldViolations
from services.finance.book import (
    BookEvent,
    BuyerRef,
    Claim,
    ClaimDecision,
    CoveredBuyer,
    CreditLimit,
    LimitState,
    Policy,
    PolicyState,
)
from services.finance.credit_limits import LimitRequest
from services.finance.limits import LimitDecision
from services.finance.policies import QuoteTerms

_DECISIONS = {
    LimitDecision.APPROVED: finance_pb2.CREDIT_LIMIT_DECISION_APPROVED,
    LimitDecision.REDUCED: finance_pb2.CREDIT_LIMIT_DECISION_REDUCED,
    LimitDecision.DECLINED: finance_pb2.CREDIT_LIMIT_DECISION_DECLINED,
}
_LIMIT_STATES = {
    LimitState.ACTIVE: finance_pb2.CREDIT_LIMIT_STATE_ACTIVE,
    LimitState.DECLINED: finance_pb2.CREDIT_LIMIT_STATE_DECLINED,
    LimitState.CANCELLED: finance_pb2.CREDIT_LIMIT_STATE_CANCELLED,
}
_POLICY_STATES = {
    PolicyState.IN_FORCE: finance_pb2.POLICY_STATE_IN_FORCE,
    PolicyState.CANCELLED: finance_pb2.POLICY_STATE_CANCELLED,
}
_CLAIMS = {
    ClaimDecision.PAID: finance_pb2.CLAIM_DECISION_PAID,
    ClaimDecision.REJECTED: finance_pb2.CLAIM_DECISION_REJECTED,
}
LIMIT_PREFIX = "creditLimits/"


def timestamp(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def buyer_ref(buyer: finance_pb2.Buyer) -> BuyerRef:
    return BuyerRef(
        buyer_id=buyer.buyer_id.strip(),
        name=buyer.name.strip(),
        country_code=buyer.country_code.strip().upper(),
        grade=buyer.grade or None,
        rating=buyer.buyer_rating.strip() or None,
    )


def buyer_message(buyer: BuyerRef) -> finance_pb2.Buyer:
    return finance_pb2.Buyer(
        buyer_id=buyer.buyer_id, name=buyer.name, country_code=buyer.country_code,
        grade=buyer.grade or 0, buyer_rating=buyer.rating or "",
    )  # fmt: skip


def limit_id(name: str) -> str:
    """The id in "creditLimits/{id}"; any other form is INVALID_ARGUMENT."""
    if not name.startswith(LIMIT_PREFIX) or not name[len(LIMIT_PREFIX) :].strip():
        found = FieldViolations()
        found.add("name", 'must be "creditLimits/{id}"')
        found.raise_if_any("invalid credit limit name")
    return name[len(LIMIT_PREFIX) :]


def limit_request(request: finance_pb2.RequestCreditLimitRequest) -> LimitRequest:
    found = FieldViolations()
    if not request.HasField("amount"):
        found.add("amount", "required")
    if request.payment_terms == common_pb2.PAYMENT_TERMS_UNSPECIFIED:
        found.add("payment_terms", "required")
    if not request.buyer.country_code.strip():
        found.add("buyer.country_code", "required")
    found.raise_if_any("invalid RequestCreditLimit request")
    return LimitRequest(
        exporter_id=request.exporter_id.strip(),
        buyer=buyer_ref(request.buyer),
        amount=money.to_decimal(request.amount),
        currency=request.amount.currency_code,
        payment_terms=common_pb2.PaymentTerms.Name(request.payment_terms),
        credit_days=request.credit_days,
    )


def credit_limit(limit: CreditLimit) -> finance_pb2.CreditLimit:
    return finance_pb2.CreditLimit(
        name=limit.name,
        version=limit.version,
        exporter_id=limit.exporter_id,
        buyer=buyer_message(limit.buyer),
        buyer_group=limit.buyer_group,
        country_risk_category=limit.country_category,
        requested_amount=money.from_decimal(limit.requested, limit.currency),
        approved_amount=money.from_decimal(limit.approved, limit.currency),
        decision=_DECISIONS[limit.decision],
        state=_LIMIT_STATES[limit.state],
        reasons=[finance_pb2.LimitReason(code=r.code, message=r.message) for r in limit.reasons],
        buyer_default_probability=limit.buyer_annual_pd,
        buyer_default_probability_source=limit.buyer_pd_source,
        payment_terms=limit.payment_terms,
        credit_days=limit.credit_days,
        create_time=timestamp(limit.create_time),
        update_time=timestamp(limit.update_time),
        request_id=limit.request_id,
    )


def quote_terms(payload: bytes) -> QuoteTerms:
    """A stored premium quote as the terms a policy binds."""
    quote = finance_pb2.PremiumQuote.FromString(payload)
    return QuoteTerms(
        quote_id=quote.quote_id,
        exporter_id=quote.exporter_id,
        buyer=buyer_ref(quote.buyer),
        policy_type=finance_pb2.PolicyType.Name(quote.policy_type),
        currency=quote.insured_amount.currency_code,
        insured_amount=money.to_decimal(quote.insured_amount),
        premium=money.to_decimal(quote.premium),
        commercial_cover=quote.commercial_cover,
        political_cover=quote.political_cover,
        waiting_days=quote.breakdown.waiting_period_days,
        credit_days=quote.credit_days,
        credit_years=quote.disbursement_months / 12.0 + quote.repayment_years,
        declined=quote.outcome == finance_pb2.DECLINED,
    )


def _amount(value: Decimal, currency: str) -> common_pb2.Money:
    return money.from_decimal(value, currency)


def _covered(covered: CoveredBuyer, currency: str) -> finance_pb2.CoveredBuyer:
    message = finance_pb2.CoveredBuyer(
        buyer=buyer_message(covered.buyer),
        credit_limit=f"{LIMIT_PREFIX}{covered.limit_id}",
        limit_amount=_amount(covered.limit_amount, currency),
        overdue_amount=_amount(covered.overdue_amount, currency),
        indemnity_paid=_amount(covered.indemnity_paid, currency),
        buyer_default_probability=covered.buyer_annual_pd,
    )
    if covered.overdue_since is not None:
        message.overdue_since.CopyFrom(timestamp(covered.overdue_since))
    return message


def policy_message(policy: Policy) -> finance_pb2.Policy:
    currency = policy.currency
    message = finance_pb2.Policy(
        policy_number=policy.policy_number,
        version=policy.version,
        state=_POLICY_STATES[policy.state],
        insurer=policy.insurer,
        insured=policy.insured,
        quote_id=policy.quote_id,
        policy_type=policy.policy_type,
        covered_buyers=[_covered(c, currency) for c in policy.covered_buyers],
        maximum_liability=_amount(policy.maximum_liability, currency),
        commercial_cover=policy.commercial_cover,
        political_cover=policy.political_cover,
        waiting_period_days=policy.waiting_days,
        credit_days=policy.credit_days,
        start_time=timestamp(policy.start),
        end_time=timestamp(policy.end),
        premium=_amount(policy.premium, currency),
        premium_schedule=[
            finance_pb2.PremiumInstalment(
                due_time=timestamp(i.due), amount=_amount(i.amount, currency)
            )
            for i in policy.schedule
        ],
        loss_payee=policy.loss_payee,
        premium_refund=_amount(policy.premium_refund, currency),
        create_time=timestamp(policy.create_time),
        update_time=timestamp(policy.update_time),
    )
    if policy.cancel_time is not None:
        message.cancel_time.CopyFrom(timestamp(policy.cancel_time))
    return message


def claim_message(claim: Claim) -> finance_pb2.Claim:
    return finance_pb2.Claim(
        claim_id=claim.claim_id,
        policy_number=claim.policy_number,
        buyer_id=claim.buyer_id,
        decision=_CLAIMS[claim.decision],
        indemnity=_amount(claim.indemnity, claim.currency),
        loss=_amount(claim.loss, claim.currency),
        reasons=list(claim.reasons),
        payee=claim.payee,
        decide_time=timestamp(claim.decide_time),
    )


def event_message(event: BookEvent) -> finance_pb2.PolicyEvent:
    return finance_pb2.PolicyEvent(
        sequence=event.sequence,
        event=event.event,
        actor=event.actor,
        event_time=timestamp(event.event_time),
        detail=event.detail,
        policy_version=event.subject_version,
    )
