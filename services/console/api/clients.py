"""Calls to the AML service, each with the signed-in user's own bearer token.

One channel is shared by every user; the token travels per call in the metadata, so the AML
service applies each user's own tenant scope and role. gRPC failures come back as the
project's domain errors, which the web layer turns into pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import grpc

from services._proto.tradeguard.aml.v1 import aml_pb2, aml_pb2_grpc
from services.common import errors
from services.common.client import ChannelConfig, call_metadata, connect
from services.console import domain
from services.console.api import convert

R = TypeVar("R")
#: How many audit events one alert's trail shows at most (a trail is a handful in practice).
MAX_TRAIL_EVENTS = 500

_ERRORS: dict[grpc.StatusCode, type[errors.TradeGuardError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: errors.ValidationError,
    grpc.StatusCode.NOT_FOUND: errors.NotFoundError,
    grpc.StatusCode.PERMISSION_DENIED: errors.PermissionDenied,
    grpc.StatusCode.UNAUTHENTICATED: errors.UnauthenticatedError,
    grpc.StatusCode.ABORTED: errors.ConflictError,
    grpc.StatusCode.FAILED_PRECONDITION: errors.FailedPrecondition,
    grpc.StatusCode.RESOURCE_EXHAUSTED: errors.ResourceExhausted,
    grpc.StatusCode.DEADLINE_EXCEEDED: errors.UnavailableError,
    grpc.StatusCode.UNAVAILABLE: errors.UnavailableError,
}


def _domain_error(error: grpc.RpcError) -> errors.TradeGuardError:
    code = error.code() if isinstance(error, grpc.Call) else grpc.StatusCode.UNKNOWN
    details = (error.details() if isinstance(error, grpc.Call) else "") or "the AML service failed"
    kind = _ERRORS.get(code, errors.UnavailableError)
    if code not in _ERRORS:
        details = "the AML service answered with an error; try again"
    return kind(details)


class AmlGateway:
    """The AML calls the console makes; every method takes the caller's token first."""

    def __init__(self, target: str, timeout_seconds: float, ca_file: Any = None) -> None:
        config = ChannelConfig(target, tls=ca_file is not None, ca_file=ca_file)
        self._channel = connect(config)
        self._stub = aml_pb2_grpc.AmlMonitoringStub(self._channel)
        self._timeout = timeout_seconds

    def close(self) -> None:
        self._channel.close()

    def _call(self, method: Callable[..., R], request: Any, token: str) -> R:
        try:
            return method(request, metadata=call_metadata(token), timeout=self._timeout)
        except grpc.RpcError as error:
            raise _domain_error(error) from None

    def list_alerts(
        self, token: str, query: domain.QueueQuery, page_size: int, page_token: str
    ) -> domain.AlertPage:
        request = convert.list_request(query, page_size, page_token)
        response = self._call(self._stub.ListAlerts, request, token)
        alerts = tuple(convert.alert(a) for a in response.alerts)
        return domain.AlertPage(alerts, response.next_page_token, response.total_size)

    def summarize(self, token: str, query: domain.QueueQuery) -> domain.AlertSummary:
        request = aml_pb2.SummarizeAlertsRequest(filter=convert.list_request(query))
        return convert.summary(self._call(self._stub.SummarizeAlerts, request, token))

    def get_alert(self, token: str, alert_id: str) -> domain.Alert:
        request = aml_pb2.GetAlertRequest(alert_id=alert_id)
        return convert.alert(self._call(self._stub.GetAlert, request, token))

    def audit_trail(self, token: str, alert_id: str) -> list[domain.AuditEntry]:
        entries: list[domain.AuditEntry] = []
        page_token = ""
        while len(entries) < MAX_TRAIL_EVENTS:
            request = aml_pb2.ListAlertEventsRequest(
                alert_id=alert_id, page_size=100, page_token=page_token
            )
            response = self._call(self._stub.ListAlertEvents, request, token)
            entries += [convert.audit_entry(e) for e in response.events]
            page_token = response.next_page_token
            if not page_token:
                break
        return entries

    def review(
        self, token: str, alert_id: str, decision: str, note: str, expected_version: int
    ) -> domain.Alert:
        request = aml_pb2.ReviewAlertRequest(
            alert_id=alert_id,
            decision=decision,
            note=note,
            expected_version=expected_version,
        )
        return convert.alert(self._call(self._stub.ReviewAlert, request, token))

    def verify_chain(self, token: str) -> domain.ChainCheck:
        request = aml_pb2.VerifyAuditChainRequest()
        try:
            return convert.chain_check(self._call(self._stub.VerifyAuditChain, request, token))
        except errors.PermissionDenied:
            return domain.ChainCheck(ok=False, unavailable="verified by regulators only")
