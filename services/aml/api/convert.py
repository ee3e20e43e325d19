"""aml.v1 messages <-> AML domain values: trades in, alerts, events, hits and entries out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from google.protobuf import struct_pb2, timestamp_pb2

from services._proto.tradeguard.aml.v1 import aml_pb2
from services._proto.tradeguard.common.v1 import common_pb2
from services.aml import review
from services.aml.alert_records import Alert, AlertCounts, AlertEvent, AlertQuery
from services.aml.audit import AuditReport
from services.aml.metrics import SEVERITIES
from services.aml.watchlist import PartyMatch
from services.aml.watchlist_store import StoredEntry
from services.common.money import from_float

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def to_datetime(value: timestamp_pb2.Timestamp) -> datetime:
    # Plain integer arithmetic: several times faster than Timestamp.ToDatetime, and than a
    # timedelta built from keywords, on the hot path (every document of every trade).
    return _EPOCH + _MICROSECOND * (value.seconds * 1_000_000 + value.nanos // 1000)


def to_timestamp(moment: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def enum_name(enum: Any, value: int) -> str:
    """Contract value name of a proto enum, "" for the _UNSPECIFIED zero."""
    return "" if value == 0 else str(enum.Name(value))


def _enum_names(enum: Any) -> Callable[[int], str]:
    """`enum_name` for one enum from a table built once (the lookup runs per document)."""
    table = {number: enum_name(enum, number) for number in enum.values()}

    def name(value: int) -> str:
        found = table.get(value)
        return enum_name(enum, value) if found is None else found

    return name


# Enum numbers to contract names, for the documents of every screened trade.
INCOTERM = _enum_names(common_pb2.Incoterm)
PAYMENT_TERMS = _enum_names(common_pb2.PaymentTerms)
CHANNEL = _enum_names(common_pb2.PaymentChannel)
WAYBILL_STATUS = _enum_names(common_pb2.WaybillStatus)
CUSTOMS_STATUS = _enum_names(common_pb2.CustomsStatus)


def screening_as_of(request: aml_pb2.ScreenTradeRequest) -> datetime | None:
    """The moment a trade is screened as of (None: now)."""
    return to_datetime(request.as_of) if request.HasField("as_of") else None


def fill_evidence(message: aml_pb2.Evidence, evidence: dict[str, Any]) -> None:
    """Write `evidence` into a message in place (a submessage built apart and handed to its
    parent is copied through a serialisation; this runs for every hit of every trade)."""
    message.SetInParent()
    message.summary = str(evidence.get("summary", ""))
    documents = message.documents
    for d in evidence.get("documents", []):
        documents.add(document_type=d["document_type"], document_id=d["document_id"])
    details = message.details
    details.SetInParent()
    fields = details.fields
    for key, value in evidence.items():
        if key not in _NOT_DETAILS:
            _fill_value(fields[key], value)


_NOT_DETAILS = frozenset({"summary", "documents", "hits"})


def _fill_value(target: struct_pb2.Value, value: Any) -> None:
    """`Struct.update`'s conversion of one value, the common types told apart by their exact
    type first (the library's chain of isinstance checks and calls costs several times more,
    and runs for every detail of every hit); other values are left to the library."""
    kind = type(value)
    if kind is str:
        target.string_value = value
    elif kind is float or kind is int:
        target.number_value = value
    elif kind is dict:
        inner = target.struct_value
        inner.Clear()  # an empty dict is still a struct
        fields = inner.fields
        for key, item in value.items():
            _fill_value(fields[key], item)
    elif kind is list:
        values = target.list_value
        values.Clear()
        add = values.values.add
        for item in value:
            _fill_value(add(), item)
    elif kind is bool:
        target.bool_value = value
    elif value is None:
        target.null_value = struct_pb2.NULL_VALUE
    else:
        holder = struct_pb2.Struct()
        holder.update({"value": value})
        target.CopyFrom(holder.fields["value"])


def fill_hit(message: aml_pb2.RuleHit, hit: dict[str, Any]) -> None:
    """Write a rule hit (see :func:`services.aml.alert_drafts.hit_dict`) into a message in place."""
    message.rule = hit["rule"]
    message.typology = hit["typology"]
    message.severity = hit["severity"]
    message.score = hit["score"]
    fill_evidence(message.evidence, hit["evidence"])


def _fill_flow(message: aml_pb2.Flow, flow: dict[str, Any]) -> None:
    message.from_party_id = str(flow.get("from_party_id", ""))
    message.to_party_id = str(flow.get("to_party_id", ""))
    message.amount.CopyFrom(
        from_float(float(flow.get("amount", 0.0)), str(flow.get("currency", "")))
    )
    message.document_id = str(flow.get("document_id", ""))
    if flow.get("at"):
        message.at.CopyFrom(to_timestamp(datetime.fromisoformat(str(flow["at"]))))


def alert_to_proto(alert: Alert) -> aml_pb2.Alert:
    """A stored alert as the API shows it."""
    message = aml_pb2.Alert(
        alert_id=alert.alert_id,
        tenant=alert.tenant,
        enterprise_id=alert.enterprise_id,
        typology=alert.typology,
        severity=alert.severity,
        risk_score=alert.risk_score,
        status=alert.status.value,
        version=alert.version,
        members=alert.members,
        dedup_key=alert.dedup_key,
        source=alert.source,
        ruleset_version=alert.ruleset_version,
        last_reviewer=alert.last_reviewer,
        last_note=alert.last_note,
        allowed_decisions=[d.value for d in review.allowed_decisions(alert.status)],
    )
    # Submessages written in place (see fill_evidence).
    fill_evidence(message.evidence, alert.evidence)
    message.created_at.CopyFrom(to_timestamp(alert.created_at))
    message.updated_at.CopyFrom(to_timestamp(alert.updated_at))
    for h in alert.evidence.get("hits", []):
        fill_hit(message.hits.add(), h)
    for f in alert.flows:
        _fill_flow(message.flows.add(), f)
    return message


def event_to_proto(event: AlertEvent) -> aml_pb2.AlertEvent:
    return aml_pb2.AlertEvent(
        sequence=event.seq,
        alert_id=event.alert_id or "",
        event_type=event.event_type,
        from_status=event.from_status,
        to_status=event.to_status,
        actor=f"{event.actor_tenant}/{event.actor_role}",
        note=event.note,
        created_at=to_timestamp(event.created_at),
        prev_hash=event.prev_hash,
        hash=event.hash,
    )


def entry_to_proto(stored: StoredEntry) -> aml_pb2.WatchlistEntry:
    entry = stored.entry
    return aml_pb2.WatchlistEntry(
        entry_id=entry.entry_id,
        name=entry.name,
        aliases=entry.aliases,
        country_code=entry.country,
        list=entry.list,
        reason=entry.reason,
        updated_at=to_timestamp(stored.updated_at),
    )


def alert_query(request: aml_pb2.ListAlertsRequest) -> AlertQuery:
    minimum = request.min_severity
    severities = frozenset(
        name for name, rank in SEVERITY_RANK.items() if minimum and rank >= minimum
    )
    return AlertQuery(
        status=enum_name(aml_pb2.AlertStatus, request.status),
        typology=request.typology,
        severities=severities,
        enterprise_id=request.enterprise_id,
        tenant=request.tenant,
        created_after=to_datetime(request.created_after)
        if request.HasField("created_after")
        else None,
        created_before=(
            to_datetime(request.created_before) if request.HasField("created_before") else None
        ),
    )


SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES, start=1)}


def alert_summary_to_proto(counted: AlertCounts) -> aml_pb2.AlertSummary:
    """Alert counts as the API shows them: totals per status and the per-month breakdown."""
    summary = aml_pb2.AlertSummary()
    for (typology, month, status), count in sorted(counted.counts.items()):
        summary.total += count
        summary.count_by_status[status] = summary.count_by_status[status] + count
        summary.counts.add(
            typology=typology, month=month, status=aml_pb2.AlertStatus.Value(status), count=count
        )
    if counted.oldest_open is not None:
        summary.oldest_open_created_at.FromDatetime(counted.oldest_open)
    return summary


def party_match_to_proto(found: PartyMatch) -> aml_pb2.PartyMatch:
    match, entry = found.match, found.entry
    return aml_pb2.PartyMatch(
        entry_id=match.entry_id,
        name=match.name,
        list=match.list,
        score=float(match.score),
        matched_name=match.matched_name,
        country_code=entry.country if entry else "",
        reason=entry.reason if entry else "",
    )


def audit_report_to_proto(report: AuditReport) -> aml_pb2.AuditChainVerification:
    problems = [
        aml_pb2.AuditChainProblem(sequence=p.seq, kind=p.kind, detail=p.detail)
        for p in report.problems
    ]
    verification = aml_pb2.AuditChainVerification(
        ok=report.ok,
        events_checked=report.events_checked,
        head_sequence=report.head_seq,
        problems=problems,
    )
    verification.verified_at.GetCurrentTime()
    return verification
