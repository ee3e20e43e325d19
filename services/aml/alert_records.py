"""Alerts and their audit events as records, and how they map to and from table rows."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from services.aml.audit import EventDraft
from services.aml.persistence import dumps, to_datetime


class AlertStatus(StrEnum):
    """Where an alert stands in the review workflow (transitions: `services.aml.review`)."""

    NEW = "NEW"
    IN_REVIEW = "IN_REVIEW"
    CONFIRMED = "CONFIRMED"
    DISMISSED = "DISMISSED"
    ESCALATED = "ESCALATED"
    REPORTED = "REPORTED"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who caused a change, as written into the audit log."""

    tenant: str
    role: str


@dataclass(frozen=True, slots=True)
class NewAlert:
    """An alert to raise; `dedup_key` decides whether it exists already for the tenant."""

    tenant: str
    dedup_key: str
    enterprise_id: str
    typology: str
    severity: str
    risk_score: float
    source: str
    ruleset_version: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    members: Sequence[str] = ()
    flows: Sequence[Mapping[str, Any]] = ()
    order_ids: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class Alert:
    """A stored alert; `version` grows by one with every status change."""

    alert_id: str
    tenant: str
    enterprise_id: str
    typology: str
    severity: str
    risk_score: float
    status: AlertStatus
    evidence: dict[str, Any]
    members: list[str]
    flows: list[dict[str, Any]]
    order_ids: list[str]
    dedup_key: str
    source: str
    ruleset_version: str
    created_at: datetime
    updated_at: datetime
    version: int
    last_reviewer: str = ""
    last_note: str = ""


@dataclass(frozen=True, slots=True)
class RaisedAlert:
    """The outcome of raising one alert: the stored row and whether this call created it."""

    alert: Alert
    created: bool


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """One audit event, as listed to reviewers."""

    seq: int
    alert_id: str | None
    event_type: str
    from_status: str | None
    to_status: str | None
    actor_tenant: str
    actor_role: str
    note: str
    payload: dict[str, Any]
    created_at: datetime
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class AlertQuery:
    """ListAlerts filters; empty strings and None mean "any"."""

    status: str = ""
    typology: str = ""
    severities: frozenset[str] = frozenset()
    enterprise_id: str = ""
    tenant: str = ""
    created_after: datetime | None = None
    created_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class Backlog:
    """Alerts of one severity awaiting a decision: how many, and the oldest one's creation."""

    count: int
    oldest: datetime


@dataclass(frozen=True, slots=True)
class AlertCounts:
    """Alerts matching a query, counted by (typology, month "YYYY-MM", status)."""

    counts: dict[tuple[str, str, str], int]
    oldest_open: datetime | None


def alert_from_row(row: Mapping[Any, Any]) -> Alert:
    return Alert(
        alert_id=row["alert_id"],
        tenant=row["tenant"],
        enterprise_id=row["enterprise_id"],
        typology=row["typology"],
        severity=row["severity"],
        risk_score=row["risk_score"],
        status=AlertStatus(row["status"]),
        evidence=json.loads(row["evidence"]),
        members=json.loads(row["members"]),
        flows=json.loads(row["flows"]),
        order_ids=json.loads(row["order_ids"]),
        dedup_key=row["dedup_key"],
        source=row["source"],
        ruleset_version=row["ruleset_version"],
        created_at=to_datetime(row["created_at"]),
        updated_at=to_datetime(row["updated_at"]),
        version=row["version"],
        last_reviewer=row["last_reviewer"],
        last_note=row["last_note"],
    )


def event_from_row(row: Mapping[Any, Any]) -> AlertEvent:
    return AlertEvent(
        seq=row["seq"],
        alert_id=row["alert_id"],
        event_type=row["event_type"],
        from_status=row["from_status"],
        to_status=row["to_status"],
        actor_tenant=row["actor_tenant"],
        actor_role=row["actor_role"],
        note=row["note"],
        payload=json.loads(row["payload"]),
        created_at=to_datetime(row["created_at"]),
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


def alert_row(alert: NewAlert, now: int) -> dict[str, Any]:
    return {
        "alert_id": str(uuid.uuid4()),
        "tenant": alert.tenant,
        "enterprise_id": alert.enterprise_id,
        "typology": alert.typology,
        "severity": alert.severity,
        "risk_score": float(alert.risk_score),
        "status": AlertStatus.NEW.value,
        "evidence": dumps(dict(alert.evidence)),
        "members": dumps(list(alert.members)),
        "flows": dumps([dict(f) for f in alert.flows]),
        "order_ids": dumps(list(alert.order_ids)),
        "dedup_key": alert.dedup_key,
        "source": alert.source,
        "ruleset_version": alert.ruleset_version,
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "last_reviewer": "",
        "last_note": "",
    }


def created_event(alert: Alert, actor: Actor) -> EventDraft:
    payload = {
        "dedup_key": alert.dedup_key,
        "enterprise_id": alert.enterprise_id,
        "risk_score": alert.risk_score,
        "ruleset_version": alert.ruleset_version,
        "severity": alert.severity,
        "source": alert.source,
        "tenant": alert.tenant,
        "typology": alert.typology,
    }
    return EventDraft(
        event_type="CREATED",
        actor_tenant=actor.tenant,
        actor_role=actor.role,
        alert_id=alert.alert_id,
        to_status=alert.status.value,
        payload=payload,
    )


def actor_event(event_type: str, actor: Actor, payload: Mapping[str, Any]) -> EventDraft:
    """An event about something other than an alert (a party, a watchlist entry), by `actor`."""
    return EventDraft(
        event_type=event_type, actor_tenant=actor.tenant, actor_role=actor.role, payload=payload
    )


def unique_by_key(new_alerts: Iterable[NewAlert]) -> list[NewAlert]:
    seen: dict[tuple[str, str], NewAlert] = {}
    for alert in new_alerts:
        seen.setdefault((alert.tenant, alert.dedup_key), alert)
    return list(seen.values())
