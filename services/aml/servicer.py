"""aml.v1.AmlMonitoring over gRPC: proto <-> domain conversion, validation, and delegation.

Screening, scanning and party matching are the detector's; alerts, reviews and the watchlist
are the store's. A screening is acknowledged only after its alerts and its response are
committed, so a crash never loses an acknowledged alert, and a request id seen before gets
the stored response back instead of new work.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, struct_pb2, timestamp_pb2
from google.protobuf.message import Message

from services._proto.tradeguard.aml.v1 import aml_pb2, aml_pb2_grpc
from services._proto.tradeguard.common.v1 import common_pb2
from services.aml import domain, network, review
from services.aml.detector import AlertCandidate, AmlDetector, Hit, ScreeningResult
from services.aml.metrics import SEVERITIES, AmlMetrics
from services.aml.party_rpcs import PartyRpcs
from services.aml.party_store import PartyStore
from services.aml.store import (
    Actor,
    Alert,
    AlertEvent,
    AlertQuery,
    AlertStore,
    NewAlert,
    RaisedAlert,
    ScreeningWrite,
    ShadowRecord,
)
from services.aml.watchlist_store import StoredEntry, WatchlistStore
from services.common.auth import require_principal
from services.common.deadlines import check_deadline
from services.common.errors import (
    FieldViolation,
    NotFoundError,
    PermissionDenied,
    TradeGuardError,
    ValidationError,
)
from services.common.money import from_float, to_float
from services.common.status_mapping import describe

log = logging.getLogger("services.aml")

MAX_ID_CHARS = 128
_DATASET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES, start=1)}


# --- small conversions --------------------------------------------------------------------


def _time(value: timestamp_pb2.Timestamp) -> datetime:
    # Plain arithmetic: several times faster than Timestamp.ToDatetime on the hot path.
    return _EPOCH + timedelta(seconds=value.seconds, microseconds=value.nanos // 1000)


def _timestamp(moment: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def _enum_name(enum: Any, value: int) -> str:
    """Contract value name of a proto enum, "" for the _UNSPECIFIED zero."""
    return "" if value == 0 else str(enum.Name(value))


def _enum_names(enum: Any) -> Callable[[int], str]:
    """`_enum_name` for one enum from a table built once (the lookup runs per document)."""
    table = {number: _enum_name(enum, number) for number in enum.values()}

    def name(value: int) -> str:
        found = table.get(value)
        return _enum_name(enum, value) if found is None else found

    return name


_INCOTERM = _enum_names(common_pb2.Incoterm)
_PAYMENT_TERMS = _enum_names(common_pb2.PaymentTerms)
_CHANNEL = _enum_names(common_pb2.PaymentChannel)
_WAYBILL_STATUS = _enum_names(common_pb2.WaybillStatus)
_CUSTOMS_STATUS = _enum_names(common_pb2.CustomsStatus)


def _actor() -> Actor:
    principal = require_principal()
    return Actor(principal.tenant, principal.role.value)


def _fingerprint(message: Message) -> str:
    return hashlib.sha256(message.SerializeToString(deterministic=True)).hexdigest()


class _Violations:
    """Collects every invalid field of a request, so the client can fix them all at once."""

    def __init__(self) -> None:
        self.items: list[FieldViolation] = []

    def add(self, field: str, description: str) -> None:
        self.items.append(FieldViolation(field, description))

    def require(self, ok: bool, field: str, description: str) -> None:
        if not ok:
            self.add(field, description)

    def require_id(self, value: str, field: str) -> None:
        if not value.strip():
            self.add(field, "is required")
        if len(value) > MAX_ID_CHARS:
            self.add(field, f"must be at most {MAX_ID_CHARS} chars")

    def require_time(self, message: Message, name: str, field: str) -> None:
        self.require(message.HasField(name), field, "is required")

    def raise_if_any(self, what: str) -> None:
        if self.items:
            raise ValidationError(f"invalid {what}", self.items)


# --- trade: proto -> domain ---------------------------------------------------------------


# Document dates outside these bounds are typing errors, and window arithmetic on them would
# overflow Python's datetime: 1970-01-01 .. 2199-12-31 (epoch seconds).
_EARLIEST_SECONDS = 0
_LATEST_SECONDS = 7_258_118_399


def _moment_problem(message: Message, name: str, required: bool) -> str | None:
    """What is wrong with a timestamp field, if anything (the caller formats the path only
    then: this runs for every document of every streamed trade)."""
    if not message.HasField(name):
        return "is required" if required else None
    seconds = getattr(message, name).seconds
    if _EARLIEST_SECONDS <= seconds <= _LATEST_SECONDS:
        return None
    return "must be between 1970-01-01 and 2199-12-31"


def _check_documents(trade: common_pb2.Trade, v: _Violations, at: str) -> None:
    for i, payment in enumerate(trade.payments):
        if problem := _moment_problem(payment, "paid_at", True):
            v.add(f"{at}.payments[{i}].paid_at", problem)
        if to_float(payment.amount) < 0:
            v.add(f"{at}.payments[{i}].amount", "is negative")
    for i, waybill in enumerate(trade.waybills):
        if problem := _moment_problem(waybill, "shipped_at", True):
            v.add(f"{at}.waybills[{i}].shipped_at", problem)
        if problem := _moment_problem(waybill, "delivered_at", False):
            v.add(f"{at}.waybills[{i}].delivered_at", problem)
    if trade.HasField("declaration"):
        if problem := _moment_problem(trade.declaration, "declared_at", True):
            v.add(f"{at}.declaration.declared_at", problem)
    for i, declaration in enumerate(trade.declarations):
        if problem := _moment_problem(declaration, "declared_at", True):
            v.add(f"{at}.declarations[{i}].declared_at", problem)
        if to_float(declaration.declared_value) < 0:
            v.add(f"{at}.declarations[{i}].declared_value", "is negative")
        if declaration.quantity < 0:
            v.add(f"{at}.declarations[{i}].quantity", "is negative")
    for i, waybill in enumerate(trade.waybills):
        if waybill.quantity < 0:
            v.add(f"{at}.waybills[{i}].quantity", "is negative")


def _check_trade(trade: common_pb2.Trade, v: _Violations, at: str) -> None:
    # Field paths are formatted only for a violation: this runs for every streamed trade.
    order = trade.order
    if not trade.HasField("order"):
        v.add(f"{at}.order", "is required")
    for name in ("order_id", "enterprise_id", "buyer_id"):
        value = getattr(order, name)
        if not value.strip() or len(value) > MAX_ID_CHARS:
            v.require_id(value, f"{at}.order.{name}")
    if problem := _moment_problem(order, "ordered_at", True):
        v.add(f"{at}.order.ordered_at", problem)
    if not order.HasField("amount"):
        v.add(f"{at}.order.amount", "is required")
    if to_float(order.amount) < 0:
        v.add(f"{at}.order.amount", "must not be negative")
    _check_documents(trade, v, at)


def _order(order: common_pb2.Order) -> domain.Order:
    return domain.Order(
        order_id=order.order_id,
        enterprise_id=order.enterprise_id,
        buyer_id=order.buyer_id,
        ordered_at=_time(order.ordered_at),
        hs_code=order.hs_code,
        quantity=order.quantity,
        unit_price=to_float(order.unit_price),
        amount=to_float(order.amount),
        currency=order.amount.currency_code,
        platform=order.platform,
        unit=order.unit,
        incoterm=_INCOTERM(order.incoterm),
        payment_terms=_PAYMENT_TERMS(order.payment_terms),
        credit_days=order.credit_days,
    )


def _payment(payment: common_pb2.Payment) -> domain.Payment:
    return domain.Payment(
        payment_id=payment.payment_id,
        order_id=payment.order_id,
        payer_name=payment.payer_name,
        payer_country=payment.payer_country,
        paid_at=_time(payment.paid_at),
        amount=to_float(payment.amount),
        currency=payment.amount.currency_code,
        payer_account=payment.payer_account,
        channel=_CHANNEL(payment.channel),
    )


def _waybill(waybill: common_pb2.Waybill) -> domain.Waybill:
    delivered = _time(waybill.delivered_at) if waybill.HasField("delivered_at") else None
    return domain.Waybill(
        waybill_id=waybill.waybill_id,
        order_id=waybill.order_id,
        shipped_at=_time(waybill.shipped_at),
        destination_country=waybill.destination_country,
        gross_weight_kg=waybill.gross_weight_kg,
        carrier=waybill.carrier,
        delivered_at=delivered,
        origin=waybill.origin,
        packages=waybill.packages,
        status=_WAYBILL_STATUS(waybill.status),
        quantity=waybill.quantity,
    )


def _declaration(declaration: common_pb2.Declaration) -> domain.Declaration:
    return domain.Declaration(
        declaration_id=declaration.declaration_id,
        order_id=declaration.order_id,
        declared_at=_time(declaration.declared_at),
        hs_code=declaration.hs_code,
        declared_value=to_float(declaration.declared_value),
        currency=declaration.declared_value.currency_code,
        quantity=declaration.quantity,
        customs_status=_CUSTOMS_STATUS(declaration.customs_status),
    )


def _party(trade: common_pb2.Trade, name: str) -> domain.Party | None:
    if not trade.HasField(name):
        return None
    party = getattr(trade, name)
    return domain.Party(party.party_id, party.name, party.country_code)


def trade_from_proto(trade: common_pb2.Trade) -> domain.Trade:
    """A validated trade message as the detector's plain documents."""
    single = (trade.declaration,) if trade.HasField("declaration") else ()
    return domain.Trade(
        order=_order(trade.order),
        payments=tuple(_payment(p) for p in trade.payments),
        waybills=tuple(_waybill(w) for w in trade.waybills),
        declarations=tuple(_declaration(d) for d in (*single, *trade.declarations)),
        exporter=_party(trade, "exporter"),
        buyer=_party(trade, "buyer"),
    )


# --- domain -> proto ----------------------------------------------------------------------


def _struct(values: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(values)
    return struct


def _evidence(evidence: dict[str, Any]) -> aml_pb2.Evidence:
    details = {k: v for k, v in evidence.items() if k not in ("summary", "documents", "hits")}
    documents = [
        aml_pb2.DocumentRef(document_type=d["document_type"], document_id=d["document_id"])
        for d in evidence.get("documents", [])
    ]
    return aml_pb2.Evidence(
        summary=str(evidence.get("summary", "")), documents=documents, details=_struct(details)
    )


def _hit_dict(hit: Hit) -> dict[str, Any]:
    return {
        "rule": hit.rule,
        "typology": hit.typology,
        "severity": str(hit.severity),
        "score": float(hit.score),
        "evidence": hit.evidence.to_dict(),
    }


def _hit_proto(hit: dict[str, Any]) -> aml_pb2.RuleHit:
    return aml_pb2.RuleHit(
        rule=hit["rule"],
        typology=hit["typology"],
        severity=hit["severity"],
        score=hit["score"],
        evidence=_evidence(hit["evidence"]),
    )


def _flow_proto(flow: dict[str, Any]) -> aml_pb2.Flow:
    message = aml_pb2.Flow(
        from_party_id=str(flow.get("from_party_id", "")),
        to_party_id=str(flow.get("to_party_id", "")),
        amount=from_float(float(flow.get("amount", 0.0)), str(flow.get("currency", ""))),
        document_id=str(flow.get("document_id", "")),
    )
    if flow.get("at"):
        message.at.CopyFrom(_timestamp(datetime.fromisoformat(str(flow["at"]))))
    return message


def alert_to_proto(alert: Alert) -> aml_pb2.Alert:
    """A stored alert as the API shows it."""
    return aml_pb2.Alert(
        alert_id=alert.alert_id,
        tenant=alert.tenant,
        enterprise_id=alert.enterprise_id,
        typology=alert.typology,
        severity=alert.severity,
        risk_score=alert.risk_score,
        status=alert.status.value,
        evidence=_evidence(alert.evidence),
        created_at=_timestamp(alert.created_at),
        updated_at=_timestamp(alert.updated_at),
        version=alert.version,
        hits=[_hit_proto(h) for h in alert.evidence.get("hits", [])],
        members=alert.members,
        flows=[_flow_proto(f) for f in alert.flows],
        dedup_key=alert.dedup_key,
        source=alert.source,
        ruleset_version=alert.ruleset_version,
        last_reviewer=alert.last_reviewer,
        last_note=alert.last_note,
    )


def event_to_proto(event: AlertEvent) -> aml_pb2.AlertEvent:
    return aml_pb2.AlertEvent(
        sequence=event.seq,
        alert_id=event.alert_id or "",
        event_type=event.event_type,
        from_status=event.from_status,
        to_status=event.to_status,
        actor=f"{event.actor_tenant}/{event.actor_role}",
        note=event.note,
        created_at=_timestamp(event.created_at),
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
        updated_at=_timestamp(stored.updated_at),
    )


def new_alert(candidate: AlertCandidate) -> NewAlert:
    """A detector's alert candidate as a row to store; its hits travel in the evidence."""
    evidence = {**candidate.evidence, "hits": [_hit_dict(h) for h in candidate.hits]}
    return NewAlert(
        tenant=candidate.tenant,
        dedup_key=candidate.dedup_key,
        enterprise_id=candidate.enterprise_id,
        typology=candidate.typology,
        severity=str(candidate.severity),
        risk_score=float(candidate.risk_score),
        source=candidate.source,
        ruleset_version=candidate.ruleset_version,
        evidence=evidence,
        members=tuple(candidate.members),
        flows=tuple(candidate.flows),
        order_ids=tuple(candidate.order_ids),
    )


def _most_severe(alerts: Sequence[Alert]) -> Alert | None:
    return max(
        alerts, key=lambda a: (_SEVERITY_RANK.get(a.severity, 0), a.risk_score), default=None
    )


# --- screening ----------------------------------------------------------------------------


_Outcome = aml_pb2.ScreenTradeResponse | TradeGuardError


@dataclass
class _Item:
    """One trade of a batch on its way through validation, replay, detection and commit."""

    index: int
    request: aml_pb2.ScreenTradeRequest
    fingerprint: str = ""
    outcome: _Outcome | None = None
    write: ScreeningWrite | None = None
    rules: tuple[str, ...] = ()
    rendered: aml_pb2.ScreenTradeResponse | None = None


def _validated(item: _Item) -> domain.Trade | None:
    """The item's trade, or None with the item's outcome set to the validation error."""
    v = _Violations()
    v.require_id(item.request.request_id, "request_id")
    v.require(item.request.HasField("trade"), "trade", "is required")
    _check_trade(item.request.trade, v, "trade")
    if problem := _as_of_problem(item.request):
        v.add("as_of", problem)
    try:
        v.raise_if_any("trade")
    except ValidationError as exc:
        item.outcome = exc
        return None
    item.fingerprint = _fingerprint(item.request.trade)
    return trade_from_proto(item.request.trade)


# Screening "as of" a moment ahead would judge deadlines that have not passed; a day covers
# clocks and time zones of the sender.
_AS_OF_AHEAD = timedelta(days=1)


def _as_of_problem(request: aml_pb2.ScreenTradeRequest) -> str | None:
    if problem := _moment_problem(request, "as_of", False):
        return problem
    if request.HasField("as_of") and _time(request.as_of) > datetime.now(UTC) + _AS_OF_AHEAD:
        return "must not be more than a day in the future"
    return None


def _as_of(request: aml_pb2.ScreenTradeRequest) -> datetime | None:
    return _time(request.as_of) if request.HasField("as_of") else None


def _reused(request_id: str) -> ValidationError:
    return ValidationError.for_field(
        "request_id", f"{request_id!r} was already used for a different trade"
    )


def _shadow_record(result: ScreeningResult, order_id: str) -> ShadowRecord | None:
    shadow = result.shadow
    if shadow is None:
        return None
    return ShadowRecord(
        ruleset_version=shadow.ruleset_version,
        live_version=result.ruleset_version,
        subject_key=order_id,
        risk_score=float(shadow.risk_score),
        would_alert=[c.dedup_key for c in shadow.would_alert],
        added=list(shadow.added),
        removed=list(shadow.removed),
    )


def _write_for(item: _Item, trade: domain.Trade, result: ScreeningResult) -> ScreeningWrite:
    request_id = item.request.request_id
    return ScreeningWrite(
        request_id=request_id,
        fingerprint=item.fingerprint,
        alerts=[new_alert(c) for c in result.alerts],
        render=_renderer(item, result),
        shadow=_shadow_record(result, trade.order.order_id),
    )


def _renderer(item: _Item, result: ScreeningResult) -> Callable[[Sequence[RaisedAlert]], bytes]:
    """Builds the response once the stored alerts (with ids) are known, inside the commit;
    the message is kept on the item so that it need not be parsed back from the bytes."""

    def render(raised: Sequence[RaisedAlert]) -> bytes:
        stored = [r.alert for r in raised]
        response = aml_pb2.ScreenTradeResponse(
            request_id=item.request.request_id,
            risk_score=float(result.risk_score),
            hits=[_hit_proto(_hit_dict(h)) for h in result.hits],
            alerts=[alert_to_proto(a) for a in stored],
            ruleset_version=result.ruleset_version,
        )
        worst = _most_severe(stored)
        if worst is not None:
            response.alert.CopyFrom(response.alerts[stored.index(worst)])
        if result.shadow is not None:
            response.shadow.append(
                aml_pb2.ShadowResult(
                    ruleset_version=result.shadow.ruleset_version,
                    risk_score=float(result.shadow.risk_score),
                    would_alert_typologies=sorted({c.typology for c in result.shadow.would_alert}),
                )
            )
        item.rendered = response
        return bytes(response.SerializeToString(deterministic=True))

    return render


def _item_error(error: TradeGuardError | BaseException) -> common_pb2.ItemError:
    described = describe(error)
    return common_pb2.ItemError(
        code=described.code.value[0],
        message=described.message,
        reason=described.reason,
        field_violations=[
            common_pb2.FieldViolation(field=v.field, description=v.description)
            for v in described.field_violations
        ],
    )


class AmlServicer(PartyRpcs, aml_pb2_grpc.AmlMonitoringServicer):  # type: ignore[misc]
    """The AmlMonitoring RPCs; roles are enforced by the server's auth stage and again here
    where the answer depends on the caller (tenant scope, reviewer)."""

    def __init__(
        self,
        store: AlertStore,
        detector: AmlDetector,
        metrics: AmlMetrics,
        *,
        data_root: Path,
        max_batch: int,
    ) -> None:
        self._store = store
        self._watchlist = WatchlistStore(store)
        self._parties = PartyStore(store)
        self._detector = detector
        self._metrics = metrics
        self._data_root = data_root
        self._max_batch = max_batch
        self._entries: dict[str, domain.WatchlistEntry] = {}

    # --- screening ------------------------------------------------------------------------

    def ScreenTrade(
        self, request: aml_pb2.ScreenTradeRequest, context: grpc.ServicerContext
    ) -> aml_pb2.ScreenTradeResponse:
        [outcome] = self._screen_batch([request], _actor())
        if isinstance(outcome, TradeGuardError):
            raise outcome
        return outcome

    def StreamScreenTrades(
        self,
        request_iterator: Iterable[aml_pb2.StreamScreenTradesRequest],
        context: grpc.ServicerContext,
    ) -> Iterator[aml_pb2.StreamScreenTradesResponse]:
        actor = _actor()
        # Batch N commits (disk sync, GIL released) while batch N+1 is validated and
        # screened; N's answer is sent only once its commit is durable.
        with ThreadPoolExecutor(1, thread_name_prefix="aml-commit") as committer:
            previous: Future[list[_Outcome]] | None = None
            for message in request_iterator:
                check_deadline()
                self._check_batch(message)
                items = self._prepare(message.requests, actor)
                if previous is not None:
                    yield _stream_reply(previous.result())
                previous = committer.submit(self._finish, items, actor)
            if previous is not None:
                yield _stream_reply(previous.result())

    def _check_batch(self, message: aml_pb2.StreamScreenTradesRequest) -> None:
        if not 1 <= len(message.requests) <= self._max_batch:
            raise ValidationError.for_field(
                "requests", f"a message carries 1..{self._max_batch} trades"
            )

    def _screen_batch(
        self, requests: Sequence[aml_pb2.ScreenTradeRequest], actor: Actor
    ) -> list[_Outcome]:
        return self._finish(self._prepare(requests, actor), actor)

    def _prepare(self, requests: Sequence[aml_pb2.ScreenTradeRequest], actor: Actor) -> list[_Item]:
        """Validate, answer known request ids from the store, and screen the rest."""
        items = [_Item(i, r) for i, r in enumerate(requests)]
        trades = {item.index: t for item in items if (t := _validated(item)) is not None}
        valid = [item for item in items if item.index in trades]
        self._replay_stored(valid, actor.tenant)
        fresh = [(item, trades[item.index]) for item in valid if item.outcome is None]
        self._detect(fresh, actor.tenant)
        return items

    def _finish(self, items: Sequence[_Item], actor: Actor) -> list[_Outcome]:
        """Commit the screened items in one transaction; one outcome per item, in order."""
        self._commit(items, actor)
        return [_final(item) for item in items]

    def _replay_stored(self, items: Sequence[_Item], tenant: str) -> None:
        stored = self._store.find_screenings(tenant, [i.request.request_id for i in items])
        for item in items:
            earlier = stored.get(item.request.request_id)
            if earlier is None:
                continue
            if earlier.fingerprint != item.fingerprint:
                item.outcome = _reused(item.request.request_id)
            else:
                item.outcome = aml_pb2.ScreenTradeResponse.FromString(earlier.response)
                self._metrics.trades_screened.labels("REPLAYED").inc()

    def _detect(self, pending: Sequence[tuple[_Item, domain.Trade]], tenant: str) -> None:
        """Screen the batch in one detector call (the model runs once over all of them)."""
        if not pending:
            return
        results: list[ScreeningResult | None]
        try:
            results = list(
                self._detector.screen_many(
                    [trade for _, trade in pending],
                    tenant,
                    as_of=[_as_of(item.request) for item, _ in pending],
                )
            )
        except ValueError:
            # One bad trade must not sink its batch: screen them one by one to find it.
            results = [self._screen_one(item, trade, tenant) for item, trade in pending]
        for (item, trade), result in zip(pending, results, strict=True):
            if result is not None:
                item.rules = tuple(h.rule for h in result.hits)
                item.write = _write_for(item, trade, result)

    def _screen_one(self, item: _Item, trade: domain.Trade, tenant: str) -> ScreeningResult | None:
        try:
            return self._detector.screen(trade, tenant, as_of=_as_of(item.request))
        except ValueError as exc:
            item.outcome = ValidationError.for_field("trade", str(exc))
            return None

    def _commit(self, items: Sequence[_Item], actor: Actor) -> None:
        pending = [item for item in items if item.write is not None and item.outcome is None]
        if not pending:
            return
        writes = [item.write for item in pending if item.write is not None]
        outcomes = self._store.commit_screenings(actor.tenant, writes, actor)
        for item, outcome in zip(pending, outcomes, strict=True):
            if outcome.replayed and outcome.fingerprint != item.fingerprint:
                item.outcome = _reused(item.request.request_id)
                continue
            if outcome.replayed or item.rendered is None:
                item.outcome = aml_pb2.ScreenTradeResponse.FromString(outcome.response)
            else:
                item.outcome = item.rendered
            if not outcome.replayed:
                self._count(item.rules, [r.alert for r in outcome.raised if r.created])
            self._metrics.trades_screened.labels(
                "REPLAYED" if outcome.replayed else "SCREENED"
            ).inc()

    def _count(self, rules: Iterable[str], created: Iterable[Alert]) -> None:
        self._metrics.count_hits(rules)
        for alert in created:
            self._metrics.alerts_raised.labels(alert.typology, alert.severity).inc()

    # --- scans and parties ----------------------------------------------------------------

    def ScanTradeData(
        self, request: aml_pb2.ScanTradeDataRequest, context: grpc.ServicerContext
    ) -> aml_pb2.ScanTradeDataResponse:
        actor = _actor()
        path = self._validated_scan(request)
        tenant = "" if actor.role in review.ALL_TENANTS_ROLES else actor.tenant
        fingerprint = _fingerprint(request)
        earlier = self._store.find_screenings(tenant, [request.request_id]).get(request.request_id)
        if earlier is not None:
            return _scan_replay(earlier.fingerprint, fingerprint, earlier.response, request)
        candidates, flows = self._scan(request, path, tenant)
        write = ScreeningWrite(
            request_id=request.request_id,
            fingerprint=fingerprint,
            alerts=[new_alert(c) for c in candidates],
            render=_scan_renderer(request.request_id, candidates, flows),
        )
        [outcome] = self._store.commit_screenings(tenant, [write], actor)
        if not outcome.replayed:
            self._count((), [r.alert for r in outcome.raised if r.created])
        return _scan_replay(outcome.fingerprint, fingerprint, outcome.response, request)

    def _validated_scan(self, request: aml_pb2.ScanTradeDataRequest) -> Path:
        v = _Violations()
        v.require_id(request.request_id, "request_id")
        v.require(
            bool(_DATASET_NAME.match(request.dataset)) and ".." not in request.dataset,
            "dataset",
            "must be the name of a data set folder (letters, digits, '.', '_', '-')",
        )
        v.raise_if_any("scan request")
        path = self._data_root / request.dataset
        if not path.is_dir():
            raise NotFoundError(f"data set {request.dataset!r} not found")
        return path

    def _scan(
        self, request: aml_pb2.ScanTradeDataRequest, path: Path, tenant: str
    ) -> tuple[list[Any], int]:
        start = _time(request.window_start) if request.HasField("window_start") else None
        end = _time(request.window_end) if request.HasField("window_end") else None
        window = network.Window(start, end) if start or end else None
        report = self._detector.scan_report(path, window, tenant)
        wanted = set(request.typologies)
        kept = [c for c in report.candidates if not wanted or c.typology in wanted]
        return kept, report.flows_scanned

    def ScreenParty(
        self, request: aml_pb2.ScreenPartyRequest, context: grpc.ServicerContext
    ) -> aml_pb2.ScreenPartyResponse:
        v = _Violations()
        v.require(bool(request.name.strip()), "name", "is required")
        v.require(len(request.name) <= 512, "name", "must be at most 512 characters")
        v.require(0.0 <= request.min_score <= 1.0, "min_score", "must be within [0, 1]")
        v.raise_if_any("party screening request")
        lists = {aml_pb2.WatchlistKind.Name(k) for k in request.lists}
        matches = self._detector.screen_party(request.name, request.country_code, limit=50)
        kept = [
            m for m in matches if m.score >= request.min_score and (not lists or m.list in lists)
        ]
        return aml_pb2.ScreenPartyResponse(matches=[self._match(m) for m in kept[:10]])

    def _match(self, match: Any) -> aml_pb2.PartyMatch:
        entry = self._entries.get(match.entry_id)
        return aml_pb2.PartyMatch(
            entry_id=match.entry_id,
            name=match.name,
            list=match.list,
            score=float(match.score),
            matched_name=match.matched_name,
            country_code=entry.country if entry else "",
            reason=entry.reason if entry else "",
        )

    # --- watchlist ------------------------------------------------------------------------

    def reload_watchlist(self) -> None:
        """Hand the stored watchlist to the detector (after a change here or elsewhere)."""
        entries = self._watchlist.all_entries()
        self._detector.set_watchlist(entries)
        self._entries = {e.entry_id: e for e in entries}

    def UpsertWatchlistEntry(
        self, request: aml_pb2.UpsertWatchlistEntryRequest, context: grpc.ServicerContext
    ) -> aml_pb2.WatchlistEntry:
        entry = _entry_from_proto(request.entry)
        stored = self._watchlist.upsert(entry, _actor())
        self.reload_watchlist()
        return entry_to_proto(stored)

    def DeleteWatchlistEntry(
        self, request: aml_pb2.DeleteWatchlistEntryRequest, context: grpc.ServicerContext
    ) -> empty_pb2.Empty:
        v = _Violations()
        v.require_id(request.entry_id, "entry_id")
        v.raise_if_any("request")
        self._watchlist.delete(request.entry_id, _actor())
        self.reload_watchlist()
        return empty_pb2.Empty()

    def ListWatchlistEntries(
        self, request: aml_pb2.ListWatchlistEntriesRequest, context: grpc.ServicerContext
    ) -> aml_pb2.ListWatchlistEntriesResponse:
        kind = _enum_name(aml_pb2.WatchlistKind, request.list)
        page = self._watchlist.list_entries(request.page_size, request.page_token, kind)
        return aml_pb2.ListWatchlistEntriesResponse(
            entries=[entry_to_proto(e) for e in page.items], next_page_token=page.next_page_token
        )

    # --- alerts ---------------------------------------------------------------------------

    def ListAlerts(
        self, request: aml_pb2.ListAlertsRequest, context: grpc.ServicerContext
    ) -> aml_pb2.ListAlertsResponse:
        scope = review.tenant_scope(_actor())
        page = self._store.list_alerts(
            _alert_query(request), scope, request.page_size, request.page_token
        )
        return aml_pb2.ListAlertsResponse(
            alerts=[alert_to_proto(a) for a in page.items], next_page_token=page.next_page_token
        )

    def GetAlert(
        self, request: aml_pb2.GetAlertRequest, context: grpc.ServicerContext
    ) -> aml_pb2.Alert:
        scope = review.tenant_scope(_actor())
        _require_alert_id(request.alert_id)
        return alert_to_proto(self._store.get_alert(request.alert_id, scope))

    def ReviewAlert(
        self, request: aml_pb2.ReviewAlertRequest, context: grpc.ServicerContext
    ) -> aml_pb2.Alert:
        actor = _actor()
        if actor.role not in review.REVIEWER_ROLES:
            raise PermissionDenied("only regulators review alerts")
        _require_alert_id(request.alert_id)
        if request.decision == aml_pb2.REVIEW_DECISION_UNSPECIFIED:
            raise ValidationError.for_field("decision", "is required")
        decision = review.Decision(aml_pb2.ReviewDecision.Name(request.decision))
        alert = review.review(
            self._store, request.alert_id, decision, request.note, request.expected_version, actor
        )
        self._metrics.reviews.labels(decision.value).inc()
        return alert_to_proto(alert)

    def ListAlertEvents(
        self, request: aml_pb2.ListAlertEventsRequest, context: grpc.ServicerContext
    ) -> aml_pb2.ListAlertEventsResponse:
        scope = review.tenant_scope(_actor())
        _require_alert_id(request.alert_id)
        page = self._store.list_events(
            request.alert_id, scope, request.page_size, request.page_token
        )
        return aml_pb2.ListAlertEventsResponse(
            events=[event_to_proto(e) for e in page.items], next_page_token=page.next_page_token
        )


def _require_alert_id(alert_id: str) -> None:
    v = _Violations()
    v.require_id(alert_id, "alert_id")
    v.raise_if_any("request")


def _alert_query(request: aml_pb2.ListAlertsRequest) -> AlertQuery:
    minimum = request.min_severity
    severities = frozenset(
        name for name, rank in _SEVERITY_RANK.items() if minimum and rank >= minimum
    )
    return AlertQuery(
        status=_enum_name(aml_pb2.AlertStatus, request.status),
        typology=request.typology,
        severities=severities,
        enterprise_id=request.enterprise_id,
        tenant=request.tenant,
        created_after=_time(request.created_after) if request.HasField("created_after") else None,
        created_before=(
            _time(request.created_before) if request.HasField("created_before") else None
        ),
    )


def _entry_from_proto(entry: aml_pb2.WatchlistEntry) -> domain.WatchlistEntry:
    v = _Violations()
    v.require_id(entry.entry_id, "entry.entry_id")
    v.require(bool(entry.name.strip()), "entry.name", "is required")
    v.require(entry.list != 0, "entry.list", "is required")
    v.require(
        not entry.country_code or bool(re.fullmatch(r"[A-Z]{2}", entry.country_code)),
        "entry.country_code",
        "must be an ISO 3166-1 alpha-2 code",
    )
    v.raise_if_any("watchlist entry")
    return domain.WatchlistEntry(
        entry_id=entry.entry_id,
        name=entry.name,
        country=entry.country_code,
        list=aml_pb2.WatchlistKind.Name(entry.list),
        aliases=tuple(a for a in entry.aliases if a.strip()),
        reason=entry.reason,
    )


def _stream_reply(outcomes: Sequence[_Outcome]) -> aml_pb2.StreamScreenTradesResponse:
    return aml_pb2.StreamScreenTradesResponse(results=_results(outcomes))


def _final(item: _Item) -> _Outcome:
    if item.outcome is None:
        raise RuntimeError(f"screening item {item.index} has no outcome")
    return item.outcome


def _results(outcomes: Sequence[_Outcome]) -> list[aml_pb2.ScreenTradeResult]:
    results = []
    for index, outcome in enumerate(outcomes):
        if isinstance(outcome, TradeGuardError):
            results.append(aml_pb2.ScreenTradeResult(index=index, error=_item_error(outcome)))
        else:
            results.append(aml_pb2.ScreenTradeResult(index=index, response=outcome))
    return results


def _scan_renderer(
    request_id: str, candidates: Sequence[Any], flows_scanned: int
) -> Callable[[Sequence[RaisedAlert]], bytes]:
    def render(raised: Sequence[RaisedAlert]) -> bytes:
        by_typology: dict[str, int] = {}
        for candidate in candidates:
            by_typology[candidate.typology] = by_typology.get(candidate.typology, 0) + 1
        ids = {r.alert.alert_id for r in raised}
        fresh = {r.alert.alert_id for r in raised if r.created}
        response = aml_pb2.ScanTradeDataResponse(
            request_id=request_id,
            structures_by_typology=by_typology,
            alerts_raised=len(fresh),
            alerts_existing=len(ids - fresh),
            flows_scanned=flows_scanned,
            alert_ids=sorted(ids),
        )
        return bytes(response.SerializeToString(deterministic=True))

    return render


def _scan_replay(
    stored_fingerprint: str,
    fingerprint: str,
    response: bytes,
    request: aml_pb2.ScanTradeDataRequest,
) -> aml_pb2.ScanTradeDataResponse:
    if stored_fingerprint != fingerprint:
        raise ValidationError.for_field(
            "request_id", f"{request.request_id!r} was already used for a different scan"
        )
    return aml_pb2.ScanTradeDataResponse.FromString(response)
