"""Client mistakes are client errors on the AML service: unknown enums, impossible times,
over-long strings; one bad stream item is that item's error, and committed work is always
answered before a refused message ends the stream."""

from __future__ import annotations

import grpc
import pytest

from services._proto.tradeguard.aml.v1 import aml_pb2

from .conftest import Harness, screen

STREAM = "/tradeguard.aml.v1.AmlMonitoring/StreamScreenTrades"


def _code(call) -> grpc.StatusCode:
    try:
        call()
    except grpc.RpcError as exc:
        return exc.code()  # type: ignore[no-any-return]
    return grpc.StatusCode.OK


def test_unknown_enum_values_are_invalid_argument(harness: Harness) -> None:
    bank, regulator = harness.md("bank-1"), harness.md("regulator-1")
    calls = {
        "ListAlerts status 7": lambda: harness.stub.ListAlerts(
            aml_pb2.ListAlertsRequest(status=7), metadata=bank
        ),
        "ReviewAlert decision 6": lambda: harness.stub.ReviewAlert(
            aml_pb2.ReviewAlertRequest(alert_id="a-1", decision=6), metadata=regulator
        ),
        "ScreenParty list 99": lambda: harness.stub.ScreenParty(
            aml_pb2.ScreenPartyRequest(name="x", lists=[99]), metadata=bank
        ),
    }
    codes = {name: _code(call) for name, call in calls.items()}
    assert codes == dict.fromkeys(calls, grpc.StatusCode.INVALID_ARGUMENT)


def test_impossible_times_are_invalid_argument(harness: Harness) -> None:
    request = aml_pb2.ScanTradeDataRequest(request_id="scan-1", dataset="d")
    request.window_start.seconds = 10**13
    code = _code(lambda: harness.stub.ScanTradeData(request, metadata=harness.md("bank-1")))
    assert code is grpc.StatusCode.INVALID_ARGUMENT


def test_a_bad_enum_in_one_streamed_trade_is_that_trades_error(harness: Harness) -> None:
    bad = screen("E-bad")
    bad.trade.order.incoterm = 99  # type: ignore[assignment]
    batches = [
        aml_pb2.StreamScreenTradesRequest(requests=[screen("E-1"), bad, screen("E-2")]),
        aml_pb2.StreamScreenTradesRequest(requests=[screen("E-3")]),
    ]
    first, second = harness.stub.StreamScreenTrades(iter(batches), metadata=harness.md("bank-1"))
    assert [r.WhichOneof("outcome") for r in first.results] == ["response", "error", "response"]
    fields = [v.field for v in first.results[1].error.field_violations]
    assert fields == ["requests[1].trade.order.incoterm"]
    assert second.results[0].WhichOneof("outcome") == "response"


def test_committed_batch_is_answered_before_a_refused_message_ends_the_stream(
    harness: Harness,
) -> None:
    good = aml_pb2.StreamScreenTradesRequest(requests=[screen("C-1", shipped=False)])
    raw = harness.channel.stream_stream(STREAM)
    replies = raw(iter([good.SerializeToString(), b"\x0b"]), metadata=harness.md("bank-1"))
    first = aml_pb2.StreamScreenTradesResponse.FromString(next(replies))
    assert first.results[0].response.alert.typology == "PHANTOM_SHIPMENT"
    with pytest.raises(grpc.RpcError) as err:
        next(replies)
    assert err.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    listed = harness.stub.ListAlerts(aml_pb2.ListAlertsRequest(), metadata=harness.md("bank-1"))
    assert [a.alert_id for a in listed.alerts] == [first.results[0].response.alert.alert_id]


def test_over_long_strings_are_refused_before_they_are_stored(harness: Harness) -> None:
    request = screen("L-1", shipped=False)
    request.trade.order.amount.currency_code = "U" * 1_000_000
    code = _code(lambda: harness.stub.ScreenTrade(request, metadata=harness.md("bank-1")))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    listed = harness.stub.ListAlerts(aml_pb2.ListAlertsRequest(), metadata=harness.md("bank-1"))
    assert list(listed.alerts) == []


def test_a_data_set_holding_a_symbolic_link_is_refused(harness: Harness, tmp_path) -> None:
    secret = tmp_path / "outside"
    secret.mkdir()
    (secret / "orders.csv").write_text("order_id\n1\n")
    bank_root = harness.service.settings.data_root / "bank-1"
    linked = bank_root / "linked"
    linked.mkdir(parents=True)
    (linked / "orders.csv").symlink_to(secret / "orders.csv")
    (bank_root / "whole").symlink_to(secret)
    for name in ("linked", "whole"):
        request = aml_pb2.ScanTradeDataRequest(request_id=f"scan-{name}", dataset=name)
        code = _code(lambda r=request: harness.stub.ScanTradeData(r, metadata=harness.md("bank-1")))
        assert code is grpc.StatusCode.PERMISSION_DENIED, name
