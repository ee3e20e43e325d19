"""A dependency's client error is finance's caller's client error (never UNAVAILABLE), and the
AML fallback never quotes a party whose own input aml would refuse."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest

from services._proto.tradeguard.aml.v1 import aml_pb2, aml_pb2_grpc
from services._proto.tradeguard.finance.v1 import finance_pb2, finance_pb2_grpc
from services.common.errors import UnavailableError, ValidationError
from services.finance.api.dependency_errors import dependency_error

from .conftest import Stack, field_violations, short_term_request, start_finance

SANCTIONED_PADDED = "Golden Crescent Holdings" + " " * 600


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
