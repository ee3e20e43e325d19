"""Domain types of financing scoring (no transport types here)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Product(StrEnum):
    ORDER_FINANCING = "ORDER_FINANCING"
    RECEIVABLES_FINANCING = "RECEIVABLES_FINANCING"
    INVENTORY_PLEDGE = "INVENTORY_PLEDGE"
    POLICY_FINANCING = "POLICY_FINANCING"


class Decision(StrEnum):
    APPROVE = "APPROVE"
    REFER = "REFER"
    DECLINE = "DECLINE"


@dataclass(frozen=True, slots=True)
class FinancingRequest:
    request_id: str
    enterprise_id: str
    product: Product
    amount: float
    currency: str
    tenor_days: int
    order_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reason:
    """One factor of the model's raw score: its exact signed contribution (log-odds) and a
    sentence a loan officer can read to the applicant."""

    feature: str
    contribution: float
    message: str
    value: float | None
    code: str = ""
    """Reason code of the catalog (``services.risk.reason_codes``); policy reasons start
    with P and carry no feature."""


@dataclass(frozen=True, slots=True)
class FinancingScore:
    request_id: str
    enterprise_id: str
    probability_of_default: float
    score: float
    grade: str
    decision: Decision
    recommended_limit: float
    currency: str
    reasons: tuple[Reason, ...]
    model_version: str
    raw_score: float
    """Model margin (log-odds): base_value plus the sum of every reason's contribution."""
    base_value: float
    features_as_of: str
    policy_notes: tuple[str, ...] = ()
    thin_file: bool = False
    """Scored from a trade record too short to approve on (see `policy_notes`)."""
