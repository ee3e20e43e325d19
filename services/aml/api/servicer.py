"""aml.v1.AmlMonitoring over gRPC: each handler reads its request into domain values, calls the
domain, and writes the answer back; the flows themselves live outside this package. ScreenTrade
hands its reading to the batch its call joins (see `TradeScreening.screen_one`).

Roles are enforced by the server's auth stage and again in the domain where the answer
depends on the caller (tenant scope, reviewer).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import TypeAlias

import grpc
from google.protobuf import empty_pb2

from services._proto.tradeguard.aml.v1 import aml_pb2, aml_pb2_grpc
from services.aml import review
from services.aml.api.convert import (
    alert_query,
    alert_summary_to_proto,
    alert_to_proto,
    audit_report_to_proto,
    entry_to_proto,
    enum_name,
    event_to_proto,
    party_match_to_proto,
)
from services.aml.api.party_rpcs import PartyRpcs
from services.aml.api.renderers import (
    EncodedScreenTradeRenderer,
    ScanRenderer,
    ScreenTradeRenderer,
    stream_reply,
)
from services.aml.api.requests import (
    actor,
    check_parties_screening,
    check_party_screening,
    review_decision,
    scan_request,
    screening_request,
    watchlist_entry,
)
from services.aml.api.validation import require_id
from services.aml.data_scans import DataScans
from services.aml.party_registry import PartyRegistry
from services.aml.review import Reviews
from services.aml.store import AlertStore
from services.aml.trade_screening import Outcome, TradeScreening
from services.aml.watchlist import Watchlist
from services.common.deadlines import check_deadline
from services.common.errors import TradeGuardError, ValidationError
from services.common.page_fit import fit_page

_TRADES = ScreenTradeRenderer()
_ENCODED_TRADES = EncodedScreenTradeRenderer(_TRADES)
_SCANS = ScanRenderer()

_Screened: TypeAlias = Outcome[aml_pb2.ScreenTradeResponse]


class AmlServicer(PartyRpcs, aml_pb2_grpc.AmlMonitoringServicer):  # type: ignore[misc]
    """The AmlMonitoring RPCs over the screening, scan, watchlist and review domain."""

    def __init__(
        self,
        store: AlertStore,
        screening: TradeScreening,
        scans: DataScans,
        watchlist: Watchlist,
        reviews: Reviews,
        parties: PartyRegistry,
        *,
        max_batch: int,
        page_bytes: int,
    ) -> None:
        self._store = store
        self._parties = parties
        self._screening = screening
        self._scans = scans
        self._watchlist = watchlist
        self._reviews = reviews
        self._max_batch = max_batch
        self._page_bytes = page_bytes

    # --- screening ------------------------------------------------------------------------

    # The answer is the ScreenTradeResponse's bytes as stored; the pipeline sends them as they
    # are (services.common.pipeline), hence the override of the generated return type.
    def ScreenTrade(  # type: ignore[override]
        self, request: aml_pb2.ScreenTradeRequest, context: grpc.ServicerContext
    ) -> bytes:
        read = partial(screening_request, request, bounds_checked=True)
        outcome = self._screening.screen_one(read, actor(), _ENCODED_TRADES)
        if isinstance(outcome, TradeGuardError):
            raise outcome
        return outcome

    def StreamScreenTrades(
        self,
        request_iterator: Iterable[aml_pb2.StreamScreenTradesRequest],
        context: grpc.ServicerContext,
    ) -> Iterator[aml_pb2.StreamScreenTradesResponse]:
        caller = actor()
        # Message N commits (disk sync, GIL released) while message N+1 is read and
        # screened; N's answer is sent only once its commit is durable.
        with ThreadPoolExecutor(1, thread_name_prefix="aml-commit") as committer:
            previous: Future[list[_Screened]] | None = None
            try:
                for message in request_iterator:
                    check_deadline()
                    self._check_batch(message)
                    requests = [screening_request(r) for r in message.requests]
                    batch = self._screening.prepare(requests, caller, _TRADES)
                    try:
                        if previous is not None:
                            yield stream_reply(previous.result())
                    except BaseException:  # the stream ends here: this batch is never answered
                        self._screening.abandon(batch)
                        raise
                    previous = committer.submit(self._screening.finish, batch)
            except TradeGuardError:
                # The client's next message was refused: what was committed is still answered
                # before the stream ends with that error.
                if previous is not None:
                    yield stream_reply(previous.result())
                raise
            if previous is not None:
                yield stream_reply(previous.result())

    def _check_batch(self, message: aml_pb2.StreamScreenTradesRequest) -> None:
        if not 1 <= len(message.requests) <= self._max_batch:
            raise ValidationError.for_field(
                "requests", f"a message carries 1..{self._max_batch} trades"
            )

    # --- scans and parties ----------------------------------------------------------------

    def ScanTradeData(
        self, request: aml_pb2.ScanTradeDataRequest, context: grpc.ServicerContext
    ) -> aml_pb2.ScanTradeDataResponse:
        caller = actor()
        return self._scans.scan(scan_request(request), caller, _SCANS)

    def ScreenParty(
        self, request: aml_pb2.ScreenPartyRequest, context: grpc.ServicerContext
    ) -> aml_pb2.ScreenPartyResponse:
        check_party_screening(request)
        return self._screen_party(request)

    def ScreenParties(
        self, request: aml_pb2.ScreenPartiesRequest, context: grpc.ServicerContext
    ) -> aml_pb2.ScreenPartiesResponse:
        check_parties_screening(request)
        return aml_pb2.ScreenPartiesResponse(
            results=[self._screen_party(party) for party in request.parties]
        )

    def _screen_party(self, request: aml_pb2.ScreenPartyRequest) -> aml_pb2.ScreenPartyResponse:
        lists = {aml_pb2.WatchlistKind.Name(k) for k in request.lists}
        found = self._watchlist.screen_party(
            request.name, request.country_code, request.min_score, lists
        )
        return aml_pb2.ScreenPartyResponse(matches=[party_match_to_proto(m) for m in found])

    # --- watchlist ------------------------------------------------------------------------

    def UpsertWatchlistEntry(
        self, request: aml_pb2.UpsertWatchlistEntryRequest, context: grpc.ServicerContext
    ) -> aml_pb2.WatchlistEntry:
        entry = watchlist_entry(request.entry)
        return entry_to_proto(self._watchlist.upsert(entry, actor()))

    def DeleteWatchlistEntry(
        self, request: aml_pb2.DeleteWatchlistEntryRequest, context: grpc.ServicerContext
    ) -> empty_pb2.Empty:
        require_id(request.entry_id, "entry_id")
        self._watchlist.delete(request.entry_id, actor())
        return empty_pb2.Empty()

    def ListWatchlistEntries(
        self, request: aml_pb2.ListWatchlistEntriesRequest, context: grpc.ServicerContext
    ) -> aml_pb2.ListWatchlistEntriesResponse:
        kind = enum_name(aml_pb2.WatchlistKind, request.list)
        page = self._watchlist.list_entries(request.page_size, request.page_token, kind)
        entries, token = fit_page(page, entry_to_proto, self._page_bytes)
        return aml_pb2.ListWatchlistEntriesResponse(entries=entries, next_page_token=token)

    # --- alerts ---------------------------------------------------------------------------

    def ListAlerts(
        self, request: aml_pb2.ListAlertsRequest, context: grpc.ServicerContext
    ) -> aml_pb2.ListAlertsResponse:
        scope = review.tenant_scope(actor())
        page = self._store.list_alerts(
            alert_query(request), scope, request.page_size, request.page_token, request.order_by
        )
        alerts, token = fit_page(page, alert_to_proto, self._page_bytes)
        return aml_pb2.ListAlertsResponse(
            alerts=alerts, next_page_token=token, total_size=page.total_size or 0
        )

    def SummarizeAlerts(
        self, request: aml_pb2.SummarizeAlertsRequest, context: grpc.ServicerContext
    ) -> aml_pb2.AlertSummary:
        scope = review.tenant_scope(actor())
        open_statuses = [s.value for s in review.OPEN_STATUSES]
        counted = self._store.count_alerts(alert_query(request.filter), scope, open_statuses)
        return alert_summary_to_proto(counted)

    def VerifyAuditChain(
        self, request: aml_pb2.VerifyAuditChainRequest, context: grpc.ServicerContext
    ) -> aml_pb2.AuditChainVerification:
        return audit_report_to_proto(self._store.verify_audit())

    def GetAlert(
        self, request: aml_pb2.GetAlertRequest, context: grpc.ServicerContext
    ) -> aml_pb2.Alert:
        scope = review.tenant_scope(actor())
        require_id(request.alert_id, "alert_id")
        return alert_to_proto(self._store.get_alert(request.alert_id, scope))

    def ReviewAlert(
        self, request: aml_pb2.ReviewAlertRequest, context: grpc.ServicerContext
    ) -> aml_pb2.Alert:
        caller = actor()
        review.require_reviewer(caller)
        decision = review_decision(request)
        alert = self._reviews.decide(
            request.alert_id, decision, request.note, request.expected_version, caller
        )
        return alert_to_proto(alert)

    def ListAlertEvents(
        self, request: aml_pb2.ListAlertEventsRequest, context: grpc.ServicerContext
    ) -> aml_pb2.ListAlertEventsResponse:
        scope = review.tenant_scope(actor())
        require_id(request.alert_id, "alert_id")
        page = self._store.list_events(
            request.alert_id, scope, request.page_size, request.page_token
        )
        events, token = fit_page(page, event_to_proto, self._page_bytes)
        return aml_pb2.ListAlertEventsResponse(events=events, next_page_token=token)
