"""What the console shows: alerts, their audit trail and counts, as plain values (no gRPC)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

STATUSES = ("NEW", "IN_REVIEW", "CONFIRMED", "DISMISSED", "ESCALATED", "REPORTED")
OPEN_STATUSES = ("NEW", "IN_REVIEW", "CONFIRMED", "ESCALATED")
SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
#: Sort orders the alert service accepts, with the words the queue shows for them.
SORT_ORDERS = {
    "created_at desc": "Newest first",
    "created_at": "Oldest first",
    "updated_at desc": "Recently changed",
    "risk_score desc": "Highest risk score",
    "severity desc": "Most severe",
}
NETWORK_TYPOLOGIES = ("CIRCULAR_TRADING", "FAN_IN", "FAN_OUT", "RAPID_PASS_THROUGH")
#: What each review decision means to an analyst, in the order the workflow lists them.
DECISION_LABELS = {
    "START_REVIEW": "Take into review",
    "CONFIRM": "Confirm suspicion",
    "DISMISS": "Dismiss as false positive",
    "ESCALATE": "Escalate to a senior analyst",
    "REPORT": "Report to the FIU",
}


@dataclass(frozen=True, slots=True)
class DocumentRef:
    document_type: str
    document_id: str


@dataclass(frozen=True, slots=True)
class Flow:
    """A money or goods flow of a network structure."""

    from_party: str
    to_party: str
    amount: Decimal
    currency: str
    at: datetime | None
    document_id: str


@dataclass(frozen=True, slots=True)
class RuleHit:
    rule: str
    typology: str
    severity: str
    score: float
    summary: str
    details: dict[str, Any]
    documents: tuple[DocumentRef, ...]


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert as the console shows it."""

    alert_id: str
    tenant: str
    enterprise_id: str
    typology: str
    severity: str
    risk_score: float
    status: str
    summary: str
    details: dict[str, Any]
    documents: tuple[DocumentRef, ...]
    created_at: datetime
    updated_at: datetime
    version: int
    source: str
    ruleset_version: str
    last_reviewer: str
    last_note: str
    hits: tuple[RuleHit, ...] = ()
    members: tuple[str, ...] = ()
    flows: tuple[Flow, ...] = ()
    allowed_decisions: tuple[str, ...] = ()

    @property
    def is_network(self) -> bool:
        return bool(self.flows)

    def document_refs(self) -> list[DocumentRef]:
        """Every document named in the evidence (the alert's, its rules', its flows')."""
        refs = [*self.documents, *(d for hit in self.hits for d in hit.documents)]
        refs += [DocumentRef("ORDER", f.document_id) for f in self.flows if f.document_id]
        listed = self.details.get("order_ids", [])
        refs += [DocumentRef("ORDER", str(o)) for o in listed if isinstance(listed, list)]
        return list(dict.fromkeys(r for r in refs if r.document_id))

    def order_ids(self) -> list[str]:
        """Orders named in the evidence directly, first seen first."""
        return [r.document_id for r in self.document_refs() if r.document_type == "ORDER"]


@dataclass(frozen=True, slots=True)
class AlertPage:
    alerts: tuple[Alert, ...]
    next_page_token: str
    total: int


@dataclass(frozen=True, slots=True)
class AlertCount:
    typology: str
    month: str
    status: str
    count: int


@dataclass(frozen=True, slots=True)
class AlertSummary:
    """Counts over the alerts a user may see (per status, per typology and month)."""

    total: int
    by_status: dict[str, int]
    oldest_open: datetime | None
    counts: tuple[AlertCount, ...] = ()


@dataclass(frozen=True, slots=True)
class AuditEntry:
    sequence: int
    event_type: str
    from_status: str
    to_status: str
    actor: str
    note: str
    created_at: datetime
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """The audit chain's verification, or why it could not be checked."""

    ok: bool
    events_checked: int = 0
    head_sequence: int = 0
    problems: tuple[str, ...] = ()
    verified_at: datetime | None = None
    unavailable: str = ""


@dataclass(frozen=True, slots=True)
class QueueQuery:
    """The queue's filters and sort order; empty values do not filter."""

    status: str = ""
    typology: str = ""
    min_severity: str = ""
    tenant: str = ""
    exporter: str = ""
    created_from: datetime | None = None
    created_to: datetime | None = None
    order_by: str = "created_at desc"
