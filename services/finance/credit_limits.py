"""The credit-limit workflow: validate, price the buyer's risk, accumulate, decide, store.

A request for an exporter and buyer that already have a limit is a new version of that limit
(its old amount stops counting the moment the new one is decided). The answer to each request
id is stored with the limit, so a repeat gets the same bytes.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from services.common.errors import FailedPrecondition, NotFoundError
from services.common.violations import FieldViolations
from services.finance.appetite import Appetite, Capacity
from services.finance.book import BuyerRef, Change, CreditLimit, LimitState
from services.finance.book_store import BookStore
from services.finance.buyer_groups import BuyerGroups
from services.finance.buyer_risk import BuyerPd, buyer_pd
from services.finance.domain import BuyerPdModel
from services.finance.fx_rates import FxSource
from services.finance.limits import (
    LimitDecision,
    LimitOutcome,
    LimitRisk,
    decide_limit,
    round_down_to,
)
from services.finance.metrics import TOP_BUYER_RANKS, ExposureSnapshot, FinanceMetrics
from services.finance.pricing import resolve_country

#: Short-term cover reaches credit periods of two years.
MAX_LIMIT_CREDIT_DAYS = 730
#: Reduced limits are granted in whole thousands of the currency.
LIMIT_STEP = Decimal(1000)


@dataclass(frozen=True)
class LimitRequest:
    exporter_id: str
    buyer: BuyerRef
    amount: Decimal
    currency: str
    payment_terms: str
    credit_days: int


@dataclass(frozen=True)
class Underwriting:
    """What a limit decision is made against; settings of the service."""

    appetite: Appetite
    capacity: Capacity
    groups: BuyerGroups
    fx: FxSource
    buyer_model: BuyerPdModel | None


class CreditLimits:
    """Decides, stores, lists and cancels credit limits."""

    def __init__(
        self,
        book: BookStore,
        underwriting: Underwriting,
        metrics: FinanceMetrics,
        clock: Callable[[], datetime],
    ) -> None:
        self._book = book
        self._uw = underwriting
        self._metrics = metrics
        self._clock = clock

    def request(
        self, change: Change, ask: LimitRequest, encode: Callable[[CreditLimit], bytes]
    ) -> bytes:
        """The answer to a limit request: replayed if seen, else decided and stored now."""
        stored = self._book.replay(change.tenant, change.request_id, change.fingerprint)
        if stored is not None:
            return stored
        requested_usd = self._validate(ask)
        country = resolve_country(ask.buyer.country_code, None)
        pd = buyer_pd(ask.buyer, self._uw.buyer_model)
        group = self._uw.groups.group(ask.buyer.buyer_id)
        now = self._clock()
        with self._book.write(change, now) as tx:
            previous = tx.limit_for(ask.exporter_id, ask.buyer.buyer_id)
            exposure = tx.exposure(
                ask.buyer.buyer_id, group, country.category,
                previous.limit_id if previous else None,
            )  # fmt: skip
            risk = LimitRisk(
                requested_usd=requested_usd, buyer_grade=pd.grade, buyer_annual_pd=pd.annual_pd,
                country_category=country.category, in_group=group != ask.buyer.buyer_id,
            )  # fmt: skip
            outcome = decide_limit(risk, exposure, self._uw.appetite, self._uw.capacity)
            limit = self._record(change, ask, previous, outcome, pd, group, country.category, now)
            tx.put_limit(limit, "DECIDED", _detail(limit))
            response = encode(limit)
            tx.remember(response)
        self._metrics.limit_decided(limit.decision.value)
        return response

    def get(self, limit_id: str, tenant: str | None) -> CreditLimit:
        return self._book.limit(limit_id, tenant)

    def list(
        self, tenant: str | None, exporter_id: str, buyer_id: str, offset: int, size: int
    ) -> list[CreditLimit]:
        return self._book.limits(tenant, exporter_id, buyer_id, offset, size)

    def cancel(self, change: Change, limit_id: str) -> CreditLimit:
        """Cancel an active limit; its amount stops counting against capacity."""
        now = self._clock()
        with self._book.write(change, now) as tx:
            limit = tx.limit(limit_id)
            if limit is None or not (change.sees_all or limit.tenant == change.tenant):
                raise NotFoundError(
                    f"credit limit {limit_id!r} not found", reason="LIMIT_NOT_FOUND"
                )
            if limit.state is not LimitState.ACTIVE:
                raise FailedPrecondition(
                    f"credit limit {limit_id!r} is {limit.state.value.lower()}",
                    reason="LIMIT_NOT_ACTIVE",
                )
            cancelled = replace(
                limit, version=limit.version + 1, state=LimitState.CANCELLED, update_time=now
            )
            tx.put_limit(cancelled, "CANCELLED", _detail(cancelled))
        return cancelled

    def _validate(self, ask: LimitRequest) -> Decimal:
        """Checks every field at once; returns the amount in USD."""
        found = FieldViolations()
        rates = self._uw.fx.current()
        for field, value in (
            ("exporter_id", ask.exporter_id),
            ("buyer.buyer_id", ask.buyer.buyer_id),
        ):
            if not value.strip():
                found.add(field, "required")
        amount_usd = Decimal(0)
        if not rates.supports(ask.currency):
            found.add("amount.currency_code", f"no FX rate for {ask.currency!r}")
        elif not ask.amount.is_finite() or ask.amount <= 0:
            found.add("amount", "must be positive")
        else:
            amount_usd = rates.to_usd(ask.amount, ask.currency)
            cap = self._uw.appetite.max_amount_usd
            if amount_usd > cap:
                found.add("amount", f"at most USD {cap:,.0f} (rates of {rates.as_of})")
        if not ask.payment_terms:
            found.add("payment_terms", "required")
        if not 0 <= ask.credit_days <= MAX_LIMIT_CREDIT_DAYS:
            found.add("credit_days", f"must be 0..{MAX_LIMIT_CREDIT_DAYS}")
        found.raise_if_any("invalid RequestCreditLimit request")
        return amount_usd

    def _record(
        self, change: Change, ask: LimitRequest, previous: CreditLimit | None,
        outcome: LimitOutcome, pd: BuyerPd, group: str, category: int, now: datetime,
    ) -> CreditLimit:  # fmt: skip
        rates = self._uw.fx.current()
        approved = ask.amount
        if outcome.decision is LimitDecision.DECLINED:
            approved = Decimal(0)
        elif outcome.decision is LimitDecision.REDUCED:
            in_currency = outcome.approved_usd / rates.to_usd(Decimal(1), ask.currency)
            approved = round_down_to(in_currency, LIMIT_STEP)
        declined = outcome.decision is LimitDecision.DECLINED
        return CreditLimit(
            limit_id=previous.limit_id if previous else uuid.uuid4().hex,
            version=previous.version + 1 if previous else 1,
            tenant=change.tenant, request_id=change.request_id, exporter_id=ask.exporter_id,
            buyer=ask.buyer, buyer_group=group, country_category=category,
            currency=ask.currency, requested=ask.amount, approved=approved,
            approved_usd=rates.to_usd(approved, ask.currency).quantize(Decimal("0.01")),
            decision=outcome.decision,
            state=LimitState.DECLINED if declined else LimitState.ACTIVE,
            reasons=outcome.reasons, buyer_annual_pd=pd.annual_pd, buyer_pd_source=pd.source,
            payment_terms=ask.payment_terms, credit_days=ask.credit_days,
            create_time=previous.create_time if previous else now, update_time=now,
        )  # fmt: skip

    def exposure(self) -> ExposureSnapshot:
        """The book's exposure by country category, and the largest buyers' share of their
        capacity."""
        shares = [
            float(held / capacity) if capacity > 0 else 1.0
            for held, grade in self._book.largest_buyers(TOP_BUYER_RANKS)
            for capacity in (self._uw.capacity.buyer(grade),)
        ]
        return ExposureSnapshot(self._book.exposure_by_category(), shares)


def _detail(limit: CreditLimit) -> str:
    return json.dumps(
        {
            "decision": limit.decision.value,
            "state": limit.state.value,
            "requested": str(limit.requested),
            "approved": str(limit.approved),
            "currency": limit.currency,
            "reasons": [r.code for r in limit.reasons],
        }
    )
