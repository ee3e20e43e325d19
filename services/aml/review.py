"""The regulators' review workflow: one transition table that the code and the docs both read.

    NEW --START_REVIEW--> IN_REVIEW --CONFIRM--> CONFIRMED --REPORT--> REPORTED
                                    --DISMISS--> DISMISSED
                                    --ESCALATE-> ESCALATED --REPORT--> REPORTED

A decision outside the table is refused (FAILED_PRECONDITION); a review against a stale
`expected_version` is refused first (ABORTED), since the reviewer saw an outdated alert; only
REGULATOR callers review, and the reviewer's identity comes from the caller, never the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from services.aml.alert_records import Actor, Alert, AlertStatus
from services.aml.metrics import AmlMetrics
from services.aml.store import AlertStore
from services.common.errors import (
    ConflictError,
    FailedPrecondition,
    PermissionDenied,
    ValidationError,
)

MAX_NOTE_CHARS = 4000


class Decision(StrEnum):
    """What a reviewer decides about an alert."""

    START_REVIEW = "START_REVIEW"
    CONFIRM = "CONFIRM"
    DISMISS = "DISMISS"
    ESCALATE = "ESCALATE"
    REPORT = "REPORT"


S, D = AlertStatus, Decision
TRANSITIONS: Mapping[tuple[AlertStatus, Decision], AlertStatus] = MappingProxyType(
    {
        (S.NEW, D.START_REVIEW): S.IN_REVIEW,
        (S.IN_REVIEW, D.CONFIRM): S.CONFIRMED,
        (S.IN_REVIEW, D.DISMISS): S.DISMISSED,
        (S.IN_REVIEW, D.ESCALATE): S.ESCALATED,
        (S.CONFIRMED, D.REPORT): S.REPORTED,
        (S.ESCALATED, D.REPORT): S.REPORTED,
    }
)
del S, D

# A dismissal or a report to the FIU must say why; the others may.
NOTE_REQUIRED = frozenset({Decision.DISMISS, Decision.REPORT})
REVIEWER_ROLES = frozenset({"REGULATOR"})
ALL_TENANTS_ROLES = frozenset({"REGULATOR"})
OWN_TENANT_ROLES = frozenset({"BANK"})

# An alert is open while some decision can still move it; DISMISSED and REPORTED are final.
OPEN_STATUSES = frozenset(status for status, _ in TRANSITIONS)
FINAL_STATUSES = frozenset(AlertStatus) - OPEN_STATUSES


def allowed_decisions(status: AlertStatus) -> list[Decision]:
    """The decisions that can move an alert in `status`, in table order."""
    return [decision for (source, decision) in TRANSITIONS if source == status]


def next_status(status: AlertStatus, decision: Decision) -> AlertStatus:
    """Where `decision` takes an alert in `status`; FailedPrecondition if the table has no edge."""
    target = TRANSITIONS.get((status, decision))
    if target is None:
        allowed = ", ".join(allowed_decisions(status)) or "none (final)"
        raise FailedPrecondition(
            f"cannot {decision.value} an alert in {status.value}; allowed: {allowed}",
            reason="ILLEGAL_TRANSITION",
        )
    return target


def tenant_scope(actor: Actor) -> str | None:
    """Which tenant's alerts `actor` may read: None = all (regulators), else its own (banks)."""
    if actor.role in ALL_TENANTS_ROLES:
        return None
    if actor.role in OWN_TENANT_ROLES:
        return actor.tenant
    raise PermissionDenied(f"role {actor.role} may not read alerts")


def _validate(decision: Decision, note: str, expected_version: int) -> None:
    if expected_version < 1:
        raise ValidationError.for_field("expected_version", "must be the alert's version (>= 1)")
    if len(note) > MAX_NOTE_CHARS:
        raise ValidationError.for_field("note", f"must be at most {MAX_NOTE_CHARS} characters")
    if decision in NOTE_REQUIRED and not note.strip():
        raise ValidationError.for_field("note", f"a {decision.value} decision needs a reason")


def review(
    store: AlertStore,
    alert_id: str,
    decision: Decision,
    note: str,
    expected_version: int,
    actor: Actor,
) -> Alert:
    """Apply one reviewer decision with optimistic concurrency and return the updated alert."""
    require_reviewer(actor)
    _validate(decision, note, expected_version)
    alert = store.get_alert(alert_id, tenant_scope(actor))
    if alert.version != expected_version:
        raise ConflictError(
            f"alert {alert_id!r} is at version {alert.version}, not {expected_version}; re-read it",
            metadata={"current_version": str(alert.version)},
        )
    target = next_status(alert.status, decision)
    return store.change_status(alert, target, actor, note, {"decision": decision.value})


def require_reviewer(actor: Actor) -> None:
    """Only regulators review; checked before anything about the alert is looked at."""
    if actor.role not in REVIEWER_ROLES:
        raise PermissionDenied("only regulators review alerts")


class Reviews:
    """Reviewer decisions on stored alerts, counted by decision."""

    def __init__(self, store: AlertStore, metrics: AmlMetrics) -> None:
        self._store = store
        self._metrics = metrics

    def decide(
        self, alert_id: str, decision: Decision, note: str, expected_version: int, actor: Actor
    ) -> Alert:
        alert = review(self._store, alert_id, decision, note, expected_version, actor)
        self._metrics.reviews.labels(decision.value).inc()
        return alert


def transition_table_markdown() -> str:
    """The transition table as Markdown, for the README and `tradeguard aml alerts --help`."""
    lines = ["| from | decision | to |", "|---|---|---|"]
    lines += [f"| {s.value} | {d.value} | {t.value} |" for (s, d), t in TRANSITIONS.items()]
    return "\n".join(lines)
