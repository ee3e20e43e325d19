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
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2
from google.protobuf.message import Message

from services._proto.tradeguard.aml.v1 import aml_pb2, aml_pb2_grpc
from services._proto.tradeguard.common.v1 import common_pb2
from services.aml import domain, network, review
from services.aml.alert_records import Actor, Alert, NewAlert, RaisedAlert
from services.aml.api.convert import (
    SEVERITY_RANK,
    alert_query,
    alert_summary_to_proto,
    alert_to_proto,
    entry_to_proto,
    enum_name,
    event_to_proto,
    hit_dict,
    hit_to_proto,
    to_datetime,
    trade_from_proto,
)
from services.aml.api.validation import Violations, check_trade, require_alert_id
from services.aml.detector import AlertCandidate, AmlDetector, ScreeningResult
from services.aml.metrics import AmlMetrics
from services.aml.screening_store import ScreeningStore, ScreeningWrite, ShadowRecord
from services.aml.store import AlertStore
from services.aml.watchlist_store import WatchlistStore
from services.common.auth import require_principal
from services.common.deadlines import check_deadline
from services.common.errors import (
    NotFoundError,
    PermissionDenied,
    TradeGuardError,
    ValidationError,
)
from services.common.status_mapping import describe

log = logging.getLogger("services.aml")

_DATASET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


# --- small conversions --------------------------------------------------------------------


def _actor() -> Actor:
    principal = require_principal()
    return Actor(principal.tenant, principal.role.value)


def _fingerprint(message: Message) -> str:
    return hashlib.sha256(message.SerializeToString(deterministic=True)).hexdigest()


# --- trade: proto -> domain ---------------------------------------------------------------


# --- domain -> proto ----------------------------------------------------------------------


def new_alert(candidate: AlertCandidate) -> NewAlert:
    """A detector's alert candidate as a row to store; its hits travel in the evidence."""
    evidence = {**candidate.evidence, "hits": [hit_dict(h) for h in candidate.hits]}
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
    return max(alerts, key=lambda a: (SEVERITY_RANK.get(a.severity, 0), a.risk_score), default=None)


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
    v = Violations()
    v.require_id(item.request.request_id, "request_id")
    v.require(item.request.HasField("trade"), "trade", "is required")
    check_trade(item.request.trade, v, "trade")
    try:
        v.raise_if_any("trade")
    except ValidationError as exc:
        item.outcome = exc
        return None
    item.fingerprint = _fingerprint(item.request.trade)
    return trade_from_proto(item.request.trade)


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
            hits=[hit_to_proto(hit_dict(h)) for h in result.hits],
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


class AmlServicer(aml_pb2_grpc.AmlMonitoringServicer):  # type: ignore[misc]
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
        self._screenings = ScreeningStore(store)
        self._watchlist = WatchlistStore(store)
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
        stored = self._screenings.find(tenant, [i.request.request_id for i in items])
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
            results = list(self._detector.screen_many([trade for _, trade in pending], tenant))
        except ValueError:
            # One bad trade must not sink its batch: screen them one by one to find it.
            results = [self._screen_one(item, trade, tenant) for item, trade in pending]
        for (item, trade), result in zip(pending, results, strict=True):
            if result is not None:
                item.rules = tuple(h.rule for h in result.hits)
                item.write = _write_for(item, trade, result)

    def _screen_one(self, item: _Item, trade: domain.Trade, tenant: str) -> ScreeningResult | None:
        try:
            return self._detector.screen(trade, tenant)
        except ValueError as exc:
            item.outcome = ValidationError.for_field("trade", str(exc))
            return None

    def _commit(self, items: Sequence[_Item], actor: Actor) -> None:
        pending = [item for item in items if item.write is not None and item.outcome is None]
        if not pending:
            return
        writes = [item.write for item in pending if item.write is not None]
        outcomes = self._screenings.commit(actor.tenant, writes, actor)
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
        earlier = self._screenings.find(tenant, [request.request_id]).get(request.request_id)
        if earlier is not None:
            return _scan_replay(earlier.fingerprint, fingerprint, earlier.response, request)
        candidates, flows = self._scan(request, path, tenant)
        write = ScreeningWrite(
            request_id=request.request_id,
            fingerprint=fingerprint,
            alerts=[new_alert(c) for c in candidates],
            render=_scan_renderer(request.request_id, candidates, flows),
        )
        [outcome] = self._screenings.commit(tenant, [write], actor)
        if not outcome.replayed:
            self._count((), [r.alert for r in outcome.raised if r.created])
        return _scan_replay(outcome.fingerprint, fingerprint, outcome.response, request)

    def _validated_scan(self, request: aml_pb2.ScanTradeDataRequest) -> Path:
        v = Violations()
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
        start = to_datetime(request.window_start) if request.HasField("window_start") else None
        end = to_datetime(request.window_end) if request.HasField("window_end") else None
        window = network.Window(start, end) if start or end else None
        report = self._detector.scan_report(path, window, tenant)
        wanted = set(request.typologies)
        kept = [c for c in report.candidates if not wanted or c.typology in wanted]
        return kept, report.flows_scanned

    def ScreenParty(
        self, request: aml_pb2.ScreenPartyRequest, context: grpc.ServicerContext
    ) -> aml_pb2.ScreenPartyResponse:
        v = Violations()
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
        v = Violations()
        v.require_id(request.entry_id, "entry_id")
        v.raise_if_any("request")
        self._watchlist.delete(request.entry_id, _actor())
        self.reload_watchlist()
        return empty_pb2.Empty()

    def ListWatchlistEntries(
        self, request: aml_pb2.ListWatchlistEntriesRequest, context: grpc.ServicerContext
    ) -> aml_pb2.ListWatchlistEntriesResponse:
        kind = enum_name(aml_pb2.WatchlistKind, request.list)
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
            alert_query(request), scope, request.page_size, request.page_token, request.order_by
        )
        return aml_pb2.ListAlertsResponse(
            alerts=[alert_to_proto(a) for a in page.items],
            next_page_token=page.next_page_token,
            total_size=page.total_size or 0,
        )

    def SummarizeAlerts(
        self, request: aml_pb2.SummarizeAlertsRequest, context: grpc.ServicerContext
    ) -> aml_pb2.AlertSummary:
        scope = review.tenant_scope(_actor())
        open_statuses = [s.value for s in review.OPEN_STATUSES]
        counted = self._store.count_alerts(alert_query(request.filter), scope, open_statuses)
        return alert_summary_to_proto(counted)

    def VerifyAuditChain(
        self, request: aml_pb2.VerifyAuditChainRequest, context: grpc.ServicerContext
    ) -> aml_pb2.AuditChainVerification:
        report = self._store.verify_audit()
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

    def GetAlert(
        self, request: aml_pb2.GetAlertRequest, context: grpc.ServicerContext
    ) -> aml_pb2.Alert:
        scope = review.tenant_scope(_actor())
        require_alert_id(request.alert_id)
        return alert_to_proto(self._store.get_alert(request.alert_id, scope))

    def ReviewAlert(
        self, request: aml_pb2.ReviewAlertRequest, context: grpc.ServicerContext
    ) -> aml_pb2.Alert:
        actor = _actor()
        if actor.role not in review.REVIEWER_ROLES:
            raise PermissionDenied("only regulators review alerts")
        require_alert_id(request.alert_id)
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
        require_alert_id(request.alert_id)
        page = self._store.list_events(
            request.alert_id, scope, request.page_size, request.page_token
        )
        return aml_pb2.ListAlertEventsResponse(
            events=[event_to_proto(e) for e in page.items], next_page_token=page.next_page_token
        )


def _entry_from_proto(entry: aml_pb2.WatchlistEntry) -> domain.WatchlistEntry:
    v = Violations()
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
