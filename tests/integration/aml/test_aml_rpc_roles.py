"""Every RPC x every role: who is let in (the answer is anything but PERMISSION_DENIED) and who
is refused; without a token every RPC is UNAUTHENTICATED."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
import pytest

from services._proto.tradeguard.aml.v1 import aml_pb2

from .conftest import Harness

CALLERS = ("bank-1", "insurer-1", "regulator-1", "admin-1", "service-1")
REQUESTS: dict[str, Callable[[], Any]] = {
    "ScreenTrade": aml_pb2.ScreenTradeRequest,
    "ScanTradeData": aml_pb2.ScanTradeDataRequest,
    "ScreenParty": lambda: aml_pb2.ScreenPartyRequest(name="Golden Crescent"),
    "ScreenParties": lambda: aml_pb2.ScreenPartiesRequest(
        parties=[aml_pb2.ScreenPartyRequest(name="Golden Crescent")]
    ),
    "UpsertWatchlistEntry": aml_pb2.UpsertWatchlistEntryRequest,
    "DeleteWatchlistEntry": aml_pb2.DeleteWatchlistEntryRequest,
    "ListWatchlistEntries": aml_pb2.ListWatchlistEntriesRequest,
    "ListAlerts": aml_pb2.ListAlertsRequest,
    "GetAlert": aml_pb2.GetAlertRequest,
    "ReviewAlert": aml_pb2.ReviewAlertRequest,
    "ListAlertEvents": aml_pb2.ListAlertEventsRequest,
}
ALLOWED = {
    "ScreenTrade": {"bank-1"},
    "StreamScreenTrades": {"bank-1"},
    "ScanTradeData": {"bank-1", "regulator-1"},
    "ScreenParty": set(CALLERS),
    "ScreenParties": set(CALLERS),
    "UpsertWatchlistEntry": {"regulator-1", "admin-1"},
    "DeleteWatchlistEntry": {"regulator-1", "admin-1"},
    "ListWatchlistEntries": {"regulator-1", "admin-1"},
    "ListAlerts": {"bank-1", "regulator-1"},
    "GetAlert": {"bank-1", "regulator-1"},
    "ReviewAlert": {"regulator-1"},
    "ListAlertEvents": {"bank-1", "regulator-1"},
}


def _outcome(harness: Harness, method: str, metadata: Any) -> grpc.StatusCode:
    try:
        if method == "StreamScreenTrades":
            batch = aml_pb2.StreamScreenTradesRequest(requests=[aml_pb2.ScreenTradeRequest()])
            list(harness.stub.StreamScreenTrades(iter([batch]), metadata=metadata, timeout=10))
        else:
            getattr(harness.stub, method)(REQUESTS[method](), metadata=metadata, timeout=10)
    except grpc.RpcError as exc:
        return exc.code()  # type: ignore[no-any-return]
    return grpc.StatusCode.OK


@pytest.mark.parametrize("method", sorted(ALLOWED))
def test_role_matrix(harness: Harness, method: str) -> None:
    for who in CALLERS:
        code = _outcome(harness, method, harness.md(who))
        if who in ALLOWED[method]:
            assert code is not grpc.StatusCode.PERMISSION_DENIED, (method, who)
            assert code not in (grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL), (method, who)
        else:
            assert code is grpc.StatusCode.PERMISSION_DENIED, (method, who)
    assert _outcome(harness, method, ()) is grpc.StatusCode.UNAUTHENTICATED
