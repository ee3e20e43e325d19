"""AML protos -> the console's plain values."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from google.protobuf import json_format, timestamp_pb2

from services._proto.tradeguard.aml.v1 import aml_pb2
from services._proto.tradeguard.common.v1 import common_pb2
from services.console import domain


def moment(stamp: timestamp_pb2.Timestamp) -> datetime:
    return stamp.ToDatetime(tzinfo=UTC)


def amount(money: common_pb2.Money) -> Decimal:
    return Decimal(money.units) + Decimal(money.nanos) / Decimal(1_000_000_000)


def _details(evidence: aml_pb2.Evidence) -> dict[str, Any]:
    return dict(json_format.MessageToDict(evidence.details)) if evidence.details.fields else {}


def _documents(evidence: aml_pb2.Evidence) -> tuple[domain.DocumentRef, ...]:
    return tuple(domain.DocumentRef(d.document_type, d.document_id) for d in evidence.documents)


def _hit(hit: aml_pb2.RuleHit) -> domain.RuleHit:
    return domain.RuleHit(
        rule=hit.rule,
        typology=hit.typology,
        severity=aml_pb2.Severity.Name(hit.severity),
        score=hit.score,
        summary=hit.evidence.summary,
        details=_details(hit.evidence),
        documents=_documents(hit.evidence),
    )


def _flow(flow: aml_pb2.Flow) -> domain.Flow:
    return domain.Flow(
        from_party=flow.from_party_id,
        to_party=flow.to_party_id,
        amount=amount(flow.amount),
        currency=flow.amount.currency_code,
        at=moment(flow.at) if flow.HasField("at") else None,
        document_id=flow.document_id,
    )


def alert(message: aml_pb2.Alert) -> domain.Alert:
    return domain.Alert(
        alert_id=message.alert_id,
        tenant=message.tenant,
        enterprise_id=message.enterprise_id,
        typology=message.typology,
        severity=aml_pb2.Severity.Name(message.severity),
        risk_score=message.risk_score,
        status=aml_pb2.AlertStatus.Name(message.status),
        summary=message.evidence.summary,
        details=_details(message.evidence),
        documents=_documents(message.evidence),
        created_at=moment(message.created_at),
        updated_at=moment(message.updated_at),
        version=message.version,
        source=aml_pb2.AlertSource.Name(message.source),
        ruleset_version=message.ruleset_version,
        last_reviewer=message.last_reviewer,
        last_note=message.last_note,
        hits=tuple(_hit(h) for h in message.hits),
        members=tuple(message.members),
        flows=tuple(_flow(f) for f in message.flows),
        allowed_decisions=tuple(aml_pb2.ReviewDecision.Name(d) for d in message.allowed_decisions),
    )


def audit_entry(event: aml_pb2.AlertEvent) -> domain.AuditEntry:
    return domain.AuditEntry(
        sequence=event.sequence,
        event_type=event.event_type,
        from_status=aml_pb2.AlertStatus.Name(event.from_status) if event.from_status else "",
        to_status=aml_pb2.AlertStatus.Name(event.to_status) if event.to_status else "",
        actor=event.actor,
        note=event.note,
        created_at=moment(event.created_at),
        prev_hash=event.prev_hash,
        hash=event.hash,
    )


def summary(message: aml_pb2.AlertSummary) -> domain.AlertSummary:
    counts = tuple(
        domain.AlertCount(c.typology, c.month, aml_pb2.AlertStatus.Name(c.status), c.count)
        for c in message.counts
    )
    oldest = (
        moment(message.oldest_open_created_at)
        if message.HasField("oldest_open_created_at")
        else None
    )
    return domain.AlertSummary(message.total, dict(message.count_by_status), oldest, counts)


def chain_check(message: aml_pb2.AuditChainVerification) -> domain.ChainCheck:
    return domain.ChainCheck(
        ok=message.ok,
        events_checked=message.events_checked,
        head_sequence=message.head_sequence,
        problems=tuple(f"#{p.sequence} {p.kind}: {p.detail}" for p in message.problems),
        verified_at=moment(message.verified_at),
    )


def _timestamp(value: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(value)
    return stamp


def list_request(
    query: domain.QueueQuery, page_size: int = 0, page_token: str = ""
) -> aml_pb2.ListAlertsRequest:
    request = aml_pb2.ListAlertsRequest(
        page_size=page_size,
        page_token=page_token,
        status=query.status or None,
        typology=query.typology,
        min_severity=query.min_severity or None,
        enterprise_id=query.exporter,
        tenant=query.tenant,
        order_by=query.order_by,
    )
    if query.created_from is not None:
        request.created_after.CopyFrom(_timestamp(query.created_from))
    if query.created_to is not None:
        request.created_before.CopyFrom(_timestamp(query.created_to))
    return request
