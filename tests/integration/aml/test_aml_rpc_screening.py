"""ScreenTrade and StreamScreenTrades through a real server: alerts, idempotency, errors."""

from __future__ import annotations

import gc

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from services._proto.tradeguard.aml.v1 import aml_pb2
from services.aml import trade_screening

from .conftest import Harness, screen


def _violations(error: grpc.RpcError) -> list[str]:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None
    fields: list[str] = []
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields += [v.field for v in bad.field_violations]
    return fields


def test_phantom_shipment_raises_one_new_alert(harness: Harness) -> None:
    response = harness.stub.ScreenTrade(screen("O-1", shipped=False), metadata=harness.md("bank-1"))
    assert response.request_id == "req-O-1"
    assert response.HasField("alert")
    alert = response.alert
    assert alert.typology == "PHANTOM_SHIPMENT"
    assert (alert.status, alert.version, alert.tenant) == (aml_pb2.NEW, 1, "bank-1")
    assert alert.source == aml_pb2.SCREENING and alert.dedup_key
    assert any(h.rule == "phantom_shipment" for h in response.hits)
    assert any(h.rule == "phantom_shipment" for h in alert.hits)
    labels = {"typology": "PHANTOM_SHIPMENT", "severity": aml_pb2.Severity.Name(alert.severity)}
    assert harness.sample("aml_alerts_raised_total", labels) == 1
    assert harness.sample("aml_rule_hits_total", {"rule": "phantom_shipment"}) == 1


def test_consistent_trade_raises_nothing(harness: Harness) -> None:
    response = harness.stub.ScreenTrade(screen("O-2"), metadata=harness.md("bank-1"))
    assert not response.HasField("alert") and list(response.alerts) == []
    assert response.ruleset_version


def test_repeated_request_returns_the_stored_response(harness: Harness) -> None:
    request = screen("O-3", shipped=False)
    first = harness.stub.ScreenTrade(request, metadata=harness.md("bank-1"))
    again = harness.stub.ScreenTrade(request, metadata=harness.md("bank-1"))
    assert again == first
    assert harness.sample("aml_trades_screened_total", {"outcome": "REPLAYED"}) == 1
    assert harness.sample("aml_rule_hits_total", {"rule": "phantom_shipment"}) == 1


def test_rescreening_a_trade_under_a_new_request_id_reuses_its_alert(harness: Harness) -> None:
    first = harness.stub.ScreenTrade(
        screen("O-4", "a", shipped=False), metadata=harness.md("bank-1")
    )
    second = harness.stub.ScreenTrade(
        screen("O-4", "b", shipped=False), metadata=harness.md("bank-1")
    )
    assert second.alert.alert_id == first.alert.alert_id
    listed = harness.stub.ListAlerts(aml_pb2.ListAlertsRequest(), metadata=harness.md("bank-1"))
    assert len(listed.alerts) == 1


def test_request_id_reused_for_another_trade_is_already_exists(harness: Harness) -> None:
    harness.stub.ScreenTrade(screen("O-5", "same"), metadata=harness.md("bank-1"))
    with pytest.raises(grpc.RpcError) as caught:
        harness.stub.ScreenTrade(screen("O-6", "same"), metadata=harness.md("bank-1"))
    assert caught.value.code() is grpc.StatusCode.ALREADY_EXISTS
    assert "request_id 'same'" in (caught.value.details() or "")


def test_invalid_trade_lists_every_bad_field(harness: Harness) -> None:
    request = screen("O-7")
    request.request_id = ""
    request.trade.order.buyer_id = ""
    request.trade.payments[0].ClearField("paid_at")
    with pytest.raises(grpc.RpcError) as caught:
        harness.stub.ScreenTrade(request, metadata=harness.md("bank-1"))
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert _violations(caught.value) == [
        "request_id",
        "trade.order.buyer_id",
        "trade.payments[0].paid_at",
    ]


def test_concurrent_calls_screened_together_each_get_their_own_answer(harness: Harness) -> None:
    # Calls in flight at once are read and screened in one batch: an invalid trade among them
    # is refused alone, with its own fields, and every other call gets its own trade's answer.
    requests = [screen(f"O-C{i}", shipped=i % 3 != 0) for i in range(24)]
    for bad in requests[5::6]:
        bad.trade.order.buyer_id = ""
    md = harness.md("bank-1")
    calls = [harness.stub.ScreenTrade.future(r, metadata=md) for r in requests]
    for i, (request, call) in enumerate(zip(requests, calls, strict=True)):
        if not request.trade.order.buyer_id:
            with pytest.raises(grpc.RpcError) as caught:
                call.result()
            assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
            assert _violations(caught.value) == ["trade.order.buyer_id"]
            continue
        response = call.result()
        assert response.request_id == request.request_id
        phantom = [a.typology for a in response.alerts] == ["PHANTOM_SHIPMENT"]
        assert phantom is (i % 3 == 0)
    screened = harness.sample("aml_trades_screened_total", {"outcome": "SCREENED"})
    assert screened == 20


def test_stream_answers_each_batch_item_by_item(harness: Harness) -> None:
    broken = screen("S-bad")
    broken.trade.order.order_id = ""
    batches = [
        aml_pb2.StreamScreenTradesRequest(requests=[screen("S-1", shipped=False), broken]),
        aml_pb2.StreamScreenTradesRequest(requests=[screen("S-2"), screen("S-1", shipped=False)]),
    ]
    replies = list(harness.stub.StreamScreenTrades(iter(batches), metadata=harness.md("bank-1")))
    assert len(replies) == 2
    first, second = replies
    assert [r.index for r in first.results] == [0, 1]
    assert first.results[0].response.alert.typology == "PHANTOM_SHIPMENT"
    assert first.results[1].WhichOneof("outcome") == "error"
    assert first.results[1].error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert [v.field for v in first.results[1].error.field_violations] == [
        "requests[1].trade.order.order_id"
    ]
    assert not second.results[0].response.HasField("alert")
    assert second.results[1].response == first.results[0].response


def test_stream_refuses_an_oversized_batch(harness: Harness) -> None:
    batch = aml_pb2.StreamScreenTradesRequest(requests=[screen(f"X-{i}") for i in range(51)])
    with pytest.raises(grpc.RpcError) as caught:
        list(harness.stub.StreamScreenTrades(iter([batch]), metadata=harness.md("bank-1")))
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT


def test_a_screened_trade_leaves_no_reference_cycle_behind(harness: Harness) -> None:
    """A screening's items, with their trades, results and alerts, are freed as soon as the
    call is answered, not left in a cycle for the garbage collector to find (unary and
    stream alike); the collector's time was a twentieth of the server's CPU per trade."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        harness.stub.ScreenTrade(screen("O-1", shipped=False), metadata=harness.md("bank-1"))
        message = aml_pb2.StreamScreenTradesRequest(requests=[screen("O-2"), screen("O-3")])
        replies = list(
            harness.stub.StreamScreenTrades(iter([message]), metadata=harness.md("bank-1"))
        )
        assert len(replies[0].results) == 2
        gc.collect()
        left = [o for o in gc.garbage if isinstance(o, trade_screening._Item)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert left == []
