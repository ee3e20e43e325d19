"""Policy arithmetic: binding a quote, the premium schedule, overdue reports, claims and the
refund on cancellation. Pure functions over immutable records; the workflow stores them.

- Maximum liability: the largest cover times the insured amount, or the buyer's credit limit
  when that is smaller: the insurer never pays past the limit it approved.
- Premium schedule: short-term policies pay quarterly over the policy year; medium/long-term
  premiums (flat, like the MPR) are due in full at inception.
- A claim is payable once the waiting period from the unpaid due date has passed. Indemnity =
  commercial cover x min(loss, overdue amount, buyer limit less losses already indemnified),
  within the maximum liability left.
- Cancellation refunds the premium paid for the unexpired part of the period, pro rata.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from services.common.errors import FailedPrecondition, NotFoundError, ValidationError
from services.common.violations import FieldViolations
from services.finance import money
from services.finance.book import (
    BuyerRef,
    Claim,
    ClaimDecision,
    CoveredBuyer,
    CreditLimit,
    Instalment,
    Policy,
    PolicyState,
)

SHORT_TERM = "SHORT_TERM"
SHORT_TERM_PERIOD = timedelta(days=365)
SHORT_TERM_INSTALMENTS = 4


@dataclass(frozen=True)
class QuoteTerms:
    """What a premium quote says, as the policy binds it."""

    quote_id: str
    exporter_id: str
    buyer: BuyerRef
    policy_type: str
    currency: str
    insured_amount: Decimal
    premium: Decimal
    commercial_cover: float
    political_cover: float
    waiting_days: int
    credit_days: int
    #: Medium/long term: disbursement plus repayment, the life of the credit.
    credit_years: float
    declined: bool


def bind(number: str, insurer: str, terms: QuoteTerms, limit: CreditLimit, now: datetime) -> Policy:
    """A policy in force from ``now`` on the quote's buyer, within its credit limit."""
    if terms.declined:
        raise FailedPrecondition(f"quote {terms.quote_id!r} was declined", reason="QUOTE_DECLINED")
    limit_amount = limit.approved if limit.currency == terms.currency else None
    if limit_amount is None:
        raise FailedPrecondition(
            f"credit limit is in {limit.currency}, the quote in {terms.currency}",
            reason="LIMIT_CURRENCY_MISMATCH",
        )
    end = now + _period(terms)
    cover = max(terms.commercial_cover, terms.political_cover)
    liability = money.round_money(
        Decimal(repr(cover)) * min(terms.insured_amount, limit_amount), terms.currency
    )
    covered = CoveredBuyer(terms.buyer, limit.limit_id, limit_amount, limit.buyer_annual_pd)
    return Policy(
        policy_number=number, version=1, state=PolicyState.IN_FORCE, insurer=insurer,
        insured=terms.exporter_id, quote_id=terms.quote_id, policy_type=terms.policy_type,
        covered_buyers=(covered,), currency=terms.currency, maximum_liability=liability,
        commercial_cover=terms.commercial_cover, political_cover=terms.political_cover,
        waiting_days=terms.waiting_days, credit_days=terms.credit_days, start=now, end=end,
        premium=terms.premium, schedule=premium_schedule(terms, now, end),
        create_time=now, update_time=now,
    )  # fmt: skip


def _period(terms: QuoteTerms) -> timedelta:
    if terms.policy_type == SHORT_TERM:
        return SHORT_TERM_PERIOD
    return timedelta(days=round(terms.credit_years * 365))


def premium_schedule(terms: QuoteTerms, start: datetime, end: datetime) -> tuple[Instalment, ...]:
    """Quarterly instalments over a short-term year (the last takes the rounding); else one."""
    if terms.policy_type != SHORT_TERM:
        return (Instalment(start, terms.premium),)
    step = (end - start) / SHORT_TERM_INSTALMENTS
    unit = money.minor_unit(terms.currency)
    part = (terms.premium / SHORT_TERM_INSTALMENTS).quantize(unit, rounding=ROUND_DOWN)
    last = terms.premium - part * (SHORT_TERM_INSTALMENTS - 1)
    amounts = [part] * (SHORT_TERM_INSTALMENTS - 1) + [last]
    return tuple(Instalment(start + step * i, amount) for i, amount in enumerate(amounts))


def _in_force(policy: Policy) -> None:
    if policy.state is not PolicyState.IN_FORCE:
        raise FailedPrecondition(
            f"policy {policy.policy_number} is {policy.state.value.lower()}",
            reason="POLICY_NOT_IN_FORCE",
        )


def _covered(policy: Policy, buyer_id: str) -> CoveredBuyer:
    covered = policy.covered(buyer_id)
    if covered is None:
        raise NotFoundError(
            f"buyer {buyer_id!r} is not covered by policy {policy.policy_number}",
            reason="BUYER_NOT_COVERED",
        )
    return covered


def _with_buyer(policy: Policy, updated: CoveredBuyer, now: datetime) -> Policy:
    buyers = tuple(
        updated if c.buyer.buyer_id == updated.buyer.buyer_id else c for c in policy.covered_buyers
    )
    return replace(policy, covered_buyers=buyers, version=policy.version + 1, update_time=now)


def _check_amount(field: str, amount: Decimal, currency: str, policy: Policy) -> None:
    if currency != policy.currency:
        raise ValidationError.for_field(
            f"{field}.currency_code", f"must be the policy currency {policy.currency}"
        )
    if not amount.is_finite() or amount <= 0:
        raise ValidationError.for_field(field, "must be positive")


def report_overdue(
    policy: Policy, buyer_id: str, amount: Decimal, currency: str, due: datetime, now: datetime
) -> Policy:
    """Add an unpaid amount; the waiting period runs from the earliest unpaid due date."""
    _in_force(policy)
    covered = _covered(policy, buyer_id)
    _check_amount("amount", amount, currency, policy)
    if due > now or due < policy.start:
        raise ValidationError.for_field("due_time", "must be within the policy period, not later")
    since = min(due, covered.overdue_since) if covered.overdue_since else due
    updated = replace(covered, overdue_amount=covered.overdue_amount + amount, overdue_since=since)
    return _with_buyer(policy, updated, now)


def claimable_from(policy: Policy, covered: CoveredBuyer) -> datetime | None:
    if covered.overdue_since is None:
        return None
    return covered.overdue_since + timedelta(days=policy.waiting_days)


def decide_claim(
    policy: Policy, buyer_id: str, loss: Decimal, currency: str, claim_id: str, now: datetime
) -> tuple[Policy, Claim]:
    """The claim's decision and the policy after it; too early or nothing overdue is refused."""
    covered = _covered(policy, buyer_id)
    _check_amount("loss", loss, currency, policy)
    payable = claimable_from(policy, covered)
    if payable is None or covered.overdue_amount <= 0:
        raise FailedPrecondition(
            f"no overdue amount reported on buyer {buyer_id!r}", reason="NOTHING_OVERDUE"
        )
    if now < payable:
        raise FailedPrecondition(
            f"the waiting period ends {payable.isoformat()}", reason="WAITING_PERIOD_NOT_ELAPSED"
        )
    indemnity, reasons = _indemnity(policy, covered, loss)
    decision = ClaimDecision.PAID if indemnity > 0 else ClaimDecision.REJECTED
    settled = min(loss, covered.overdue_amount)
    updated = replace(
        covered,
        overdue_amount=covered.overdue_amount - settled,
        overdue_since=covered.overdue_since if covered.overdue_amount > settled else None,
        indemnity_paid=covered.indemnity_paid + indemnity,
    )
    claim = Claim(
        claim_id=claim_id, policy_number=policy.policy_number, buyer_id=buyer_id,
        decision=decision, currency=policy.currency, loss=loss, indemnity=indemnity,
        reasons=reasons, payee=policy.loss_payee or policy.insured, decide_time=now,
    )  # fmt: skip
    return _with_buyer(policy, updated, now), claim


def _indemnity(
    policy: Policy, covered: CoveredBuyer, loss: Decimal
) -> tuple[Decimal, tuple[str, ...]]:
    cover = Decimal(repr(policy.commercial_cover))
    limit_left = covered.limit_amount - covered.indemnity_paid / cover
    base = min(loss, covered.overdue_amount, max(limit_left, Decimal(0)))
    reasons: list[str] = []
    if base < loss:
        reasons.append(f"loss counted up to {base} {policy.currency} (overdue amount and limit)")
    liability_left = policy.maximum_liability - policy.indemnity_paid
    indemnity = money.round_money(
        min(cover * base, max(liability_left, Decimal(0))), policy.currency
    )
    if indemnity < money.round_money(cover * base, policy.currency):
        reasons.append("capped by the maximum liability left")
    if indemnity <= 0:
        reasons.append("nothing left to indemnify under the limit and the maximum liability")
    return indemnity, tuple(reasons)


def assign(policy: Policy, bank: str, now: datetime) -> Policy:
    _in_force(policy)
    if not bank.strip():
        raise ValidationError.for_field("loss_payee", "required")
    return replace(policy, loss_payee=bank, version=policy.version + 1, update_time=now)


def cancel(policy: Policy, at: datetime, now: datetime) -> Policy:
    """Cancelled from ``at``: instalments due later are dropped, unearned premium refunded."""
    _in_force(policy)
    if not policy.start <= at <= policy.end:
        raise ValidationError.for_field("cancel_time", "must be within the policy period")
    paid = sum((i.amount for i in policy.schedule if i.due <= at), Decimal(0))
    elapsed = Decimal((at - policy.start).total_seconds())
    earned = policy.premium * elapsed / Decimal((policy.end - policy.start).total_seconds())
    refund = money.round_money(max(paid - earned, Decimal(0)), policy.currency)
    return replace(
        policy, state=PolicyState.CANCELLED, cancel_time=at, premium_refund=refund,
        schedule=tuple(i for i in policy.schedule if i.due <= at),
        version=policy.version + 1, update_time=now,
    )  # fmt: skip


@dataclass(frozen=True)
class FinancedReceivable:
    """A receivable a loss payee asks to finance under a policy."""

    exporter_id: str
    buyer_id: str
    amount: Decimal
    currency: str
    tenor_days: int


def check_financing(policy: Policy, asked: FinancedReceivable, now: datetime) -> CoveredBuyer:
    """The covered buyer the receivable is on; every mismatch with the policy at once."""
    _in_force(policy)
    found = FieldViolations()
    if asked.exporter_id != policy.insured:
        found.add("exporter_id", f"policy {policy.policy_number} insures {policy.insured!r}")
    if asked.currency != policy.currency:
        found.add("receivable.currency_code", f"must be the policy currency {policy.currency}")
    covered = policy.covered(asked.buyer_id)
    if covered is None:
        found.add("buyer.buyer_id", f"buyer {asked.buyer_id!r} is not covered by the policy")
    elif asked.currency == policy.currency and asked.amount > covered.limit_amount:
        found.add(
            "receivable",
            f"exceeds the buyer's credit limit {covered.limit_amount} {policy.currency}",
        )
    if asked.tenor_days > policy.credit_days:
        found.add("tenor_days", f"the policy covers credit periods up to {policy.credit_days} days")
    elif now + timedelta(days=asked.tenor_days) > policy.end:
        found.add(
            "tenor_days", f"the receivable falls due after the policy ends ({policy.end:%Y-%m-%d})"
        )
    found.raise_if_any("receivable outside the policy")
    assert covered is not None
    return covered
