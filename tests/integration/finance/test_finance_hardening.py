"""A dependency's client error is finance's caller's client error (never UNAVAILABLE), and the
AML fallback never quotes a party whose own input aml would refuse."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

import grpc
import pytest
from prometheus_client import CollectorRegistry

from services._proto.tradeguard.aml.v1 import aml_pb2, aml_pb2_grpc
from services._proto.tradeguard.finance.v1 import finance_pb2, finance_pb2_grpc
from services.common.errors import UnavailableError, ValidationError
from services.finance.api.clients import AmlClient, dependency_channel
from services.finance.api.dependency_errors import dependency_error
from services.finance.api.screening_calls import ScreeningCalls
from services.finance.domain import Party
from services.finance.metrics import FinanceMetrics

from .conftest import Stack, field_violations, short_term_request, start_finance

SANCTIONED_PADDED = "Golden Crescent Holdings" + " " * 600
NEGATIVE = "Ivan Petrov Trading"  # W-2, NEGATIVE_LIST


def _aml_refusal(stack: Stack) -> grpc.RpcError:
    channel = grpc.insecure_channel(f"127.0.0.1:{stack.aml.port}")
    stub = aml_pb2_grpc.AmlMonitoringStub(channel)
    try:
        with pytest.raises(grpc.RpcError) as err:
            stub.ScreenParty(
                aml_pb2.ScreenPartyRequest(name=SANCTIONED_PADDED),
                metadata=stack.md("finance-svc"),
                timeout=10,
            )
    finally:
        channel.close()
    return err.value


def test_aml_refusing_the_callers_input_is_the_callers_invalid_argument(stack: Stack) -> None:
    refusal = _aml_refusal(stack)
    assert refusal.code() is grpc.StatusCode.INVALID_ARGUMENT
    mapped = dependency_error("aml", refusal, {"name": "buyer.name"})
    assert isinstance(mapped, ValidationError)
    assert [v.field for v in mapped.field_violations] == ["buyer.name"]
    assert not isinstance(mapped, UnavailableError)


def test_padded_sanctioned_buyer_is_refused_not_quoted_unscreened(
    stack: Stack, tmp_path: Path
) -> None:
    finance = start_finance(
        tmp_path, stack.tokens, stack.risk.server.port, stack.aml.port, aml_fallback=True
    )
    channel = grpc.insecure_channel(f"127.0.0.1:{finance.server.port}")
    try:
        buyer = finance_pb2.Buyer(
            buyer_id="B-100", name=SANCTIONED_PADDED, country_code="BR", grade=5
        )
        with pytest.raises(grpc.RpcError) as err:
            finance_pb2_grpc.CreditInsuranceStub(channel).QuotePremium(
                short_term_request("pad-1", buyer=buyer), metadata=stack.md(), timeout=10
            )
    finally:
        channel.close()
        finance.stop(0)
    assert err.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "buyer.name" in field_violations(err.value)


def test_a_name_aml_refuses_fails_only_its_own_quote_of_a_shared_call(stack: Stack) -> None:
    # Screenings queued behind a call still out share the next call; aml refuses that call for
    # one quote's padded name, so each quote asks again alone: only that quote fails.
    channel = dependency_channel(f"127.0.0.1:{stack.aml.port}", stack.tokens.clear["finance-svc"])
    client = AmlClient(channel, 10.0, FinanceMetrics(CollectorRegistry()))
    held: Future[aml_pb2.ScreenPartiesResponse] = Future()
    sent: list[int] = []

    def send(request: aml_pb2.ScreenPartiesRequest, timeout: float) -> object:
        sent.append(len(request.parties))
        return held if len(sent) == 1 else client._send(request, timeout)

    client._calls = ScreeningCalls(send, max_in_flight=1, clock=lambda: 0.0)  # never stalls
    exporter = Party("exporter", "Ningbo Precision Tools Co", "")
    try:
        client.ask_screening([exporter], 0.9)
        clean = client.ask_screening([exporter, Party("buyer", NEGATIVE, "RU")], 0.9)
        padded = client.ask_screening([exporter, Party("buyer", SANCTIONED_PADDED, "AE")], 0.9)
        held.set_result(aml_pb2.ScreenPartiesResponse(results=[aml_pb2.ScreenPartyResponse()]))
        screenings = clean()
        with pytest.raises(ValidationError) as refused:
            padded()
    finally:
        client.close()
    assert sent == [1, 3]  # held; then shared, the exporter once (retries go out alone)
    assert [s.error for s in screenings] == [None, None]
    assert [hit.entry_id for s in screenings for hit in s.hits] == ["W-2"]
    assert [v.field for v in refused.value.field_violations] == ["buyer.name"]
