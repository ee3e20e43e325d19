"""Records of the underwriting book: credit limits, policies and their claims.

Amounts are Decimals in the record's currency; times are UTC. Records are immutable: a change
is a new record with the next ``version``, written with an event naming who made it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum

from services.finance.limits import LimitDecision, Reason


class LimitState(Enum):
    ACTIVE = "ACTIVE"
    DECLINED = "DECLINED"
    CANCELLED = "CANCELLED"


class PolicyState(Enum):
    IN_FORCE = "IN_FORCE"
    CANCELLED = "CANCELLED"


class ClaimDecision(Enum):
    PAID = "PAID"
    REJECTED = "REJECTED"


@dataclass(frozen=True)
class BuyerRef:
    """The buyer as the request named it; grade and rating are external overrides."""

    buyer_id: str
    name: str
    country_code: str
    grade: int | None = None
    rating: str | None = None


@dataclass(frozen=True)
class CreditLimit:
    limit_id: str
    version: int
    tenant: str
    request_id: str
    exporter_id: str
    buyer: BuyerRef
    buyer_group: str
    country_category: int
    currency: str
    requested: Decimal
    approved: Decimal
    approved_usd: Decimal
    decision: LimitDecision
    state: LimitState
    reasons: tuple[Reason, ...]
    buyer_annual_pd: float
    buyer_pd_source: str
    payment_terms: str
    credit_days: int
    create_time: datetime
    update_time: datetime

    @property
    def name(self) -> str:
        return f"creditLimits/{self.limit_id}"


@dataclass(frozen=True)
class CoveredBuyer:
    buyer: BuyerRef
    limit_id: str
    limit_amount: Decimal
    buyer_annual_pd: float
    overdue_amount: Decimal = Decimal(0)
    overdue_since: datetime | None = None
    indemnity_paid: Decimal = Decimal(0)


@dataclass(frozen=True)
class Instalment:
    due: datetime
    amount: Decimal


@dataclass(frozen=True)
class Policy:
    policy_number: str
    version: int
    state: PolicyState
    insurer: str
    insured: str
    quote_id: str
    policy_type: str
    covered_buyers: tuple[CoveredBuyer, ...]
    currency: str
    maximum_liability: Decimal
    commercial_cover: float
    political_cover: float
    waiting_days: int
    credit_days: int
    start: datetime
    end: datetime
    premium: Decimal
    schedule: tuple[Instalment, ...]
    create_time: datetime
    update_time: datetime
    loss_payee: str = ""
    cancel_time: datetime | None = None
    premium_refund: Decimal = Decimal(0)

    def covered(self, buyer_id: str) -> CoveredBuyer | None:
        return next((c for c in self.covered_buyers if c.buyer.buyer_id == buyer_id), None)

    @property
    def indemnity_paid(self) -> Decimal:
        return sum((c.indemnity_paid for c in self.covered_buyers), Decimal(0))


@dataclass(frozen=True)
class Claim:
    claim_id: str
    policy_number: str
    buyer_id: str
    decision: ClaimDecision
    currency: str
    loss: Decimal
    indemnity: Decimal
    reasons: tuple[str, ...]
    payee: str
    decide_time: datetime


@dataclass(frozen=True)
class BookEvent:
    """One change of a limit or a policy (``subject``), as the audit trail shows it."""

    subject: str
    sequence: int
    event: str
    actor: str
    event_time: datetime
    detail: str
    subject_version: int


@dataclass(frozen=True)
class Change:
    """Who changes the book, and the request (tenant, request_id, fingerprint) if idempotent."""

    tenant: str
    actor: str
    request_id: str = ""
    fingerprint: str = ""
    #: An administrator acts on every tenant's records.
    sees_all: bool = False
