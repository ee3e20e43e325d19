"""Dependencies going down: UNAVAILABLE inside the caller's deadline, recovery, flagged fallbacks,
and quote expiry."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest

from services._proto.tradeguard.finance.v1 import finance_pb2, finance_pb2_grpc

from .conftest import (
    Stack,
    financing_request,
    open_stack,
    short_term_request,
    start_finance,
    start_risk,
)

#: The client's deadline: far above the finance service's 0.5 s dependency deadline, so an
#: UNAVAILABLE answer (not DEADLINE_EXCEEDED) proves finance answered inside it.
CLIENT_DEADLINE = 5.0


@pytest.fixture
def own_stack(tmp_path: Path) -> Iterator[Stack]:
    running = open_stack(tmp_path)
    yield running
    running.close()


def _wait_quoted(call: object, attempts: int = 100) -> object:
    """Retry until the dependency is reachable again (channel reconnect backs off)."""
    last: grpc.RpcError | None = None
    for _ in range(attempts):
        try:
            return call()  # type: ignore[operator]
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.UNAVAILABLE:
                raise
            last = error
            time.sleep(0.2)
    raise AssertionError(f"never recovered: {last}")


def test_risk_down_answers_unavailable_then_recovers(own_stack: Stack, tmp_path: Path) -> None:
    port = own_stack.risk.server.port
    own_stack.risk.stop(0)
    request = financing_request("pf-down")
    with pytest.raises(grpc.RpcError) as error:
        own_stack.stub.QuotePolicyFinancing(
            request, metadata=own_stack.md("bank-1"), timeout=CLIENT_DEADLINE
        )
    assert error.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "risk" in (error.value.details() or "")
    assert own_stack.sample("finance_dependency_errors_total", {"dependency": "risk"}) >= 1
    own_stack.risk = start_risk(tmp_path, own_stack.tokens, port=port)
    quote = _wait_quoted(
        lambda: own_stack.stub.QuotePolicyFinancing(
            request, metadata=own_stack.md("bank-1"), timeout=CLIENT_DEADLINE
        )
    )
    assert isinstance(quote, finance_pb2.PolicyFinancingQuote)
    assert quote.outcome == finance_pb2.QUOTED and not quote.fallbacks


def test_aml_down_answers_unavailable_without_pricing(own_stack: Stack) -> None:
    own_stack.aml.stop(0)
    with pytest.raises(grpc.RpcError) as error:
        own_stack.stub.QuotePremium(
            short_term_request("st-aml-down"), metadata=own_stack.md(), timeout=CLIENT_DEADLINE
        )
    assert error.value.code() == grpc.StatusCode.UNAVAILABLE
    assert own_stack.sample("finance_dependency_errors_total", {"dependency": "aml"}) >= 1
    assert (
        own_stack.sample("finance_quotes_total", {"policy_type": "SHORT_TERM", "outcome": "QUOTED"})
        == 0
    )


def test_configured_risk_fallback_is_flagged_in_the_quote(own_stack: Stack, tmp_path: Path) -> None:
    fallback = start_finance(
        tmp_path / "fallback", own_stack.tokens, own_stack.risk.server.port, own_stack.aml.port,
        risk_fallback=True,
    )  # fmt: skip
    own_stack.risk.stop(0)
    channel = grpc.insecure_channel(f"127.0.0.1:{fallback.server.port}")
    stub = finance_pb2_grpc.CreditInsuranceStub(channel)
    try:
        # Premiums never ask risk (buyers are priced by grade, rating or the buyer model).
        quote = stub.QuotePremium(
            short_term_request("st-fallback"), metadata=own_stack.md(), timeout=CLIENT_DEADLINE
        )
        assert quote.outcome == finance_pb2.QUOTED and not quote.fallbacks
        financing = stub.QuotePolicyFinancing(
            financing_request("pf-fallback"), metadata=own_stack.md("bank-1"), timeout=5
        )
        assert financing.outcome == finance_pb2.QUOTED
        assert len(financing.fallbacks) == 1 and "exporter PD" in financing.fallbacks[0]
    finally:
        channel.close()
        fallback.stop(0)


def test_quote_is_not_found_once_expired(own_stack: Stack, tmp_path: Path) -> None:
    now = [datetime(2026, 6, 1, tzinfo=UTC)]
    timed = start_finance(
        tmp_path / "clock", own_stack.tokens, own_stack.risk.server.port, own_stack.aml.port,
        clock=lambda: now[0], quote_validity_seconds=3600,
    )  # fmt: skip
    channel = grpc.insecure_channel(f"127.0.0.1:{timed.server.port}")
    stub = finance_pb2_grpc.CreditInsuranceStub(channel)
    try:
        quote = stub.QuotePremium(short_term_request("st-expiry"), metadata=own_stack.md())
        get = finance_pb2.GetQuoteRequest(quote_id=quote.quote_id)
        now[0] += timedelta(minutes=59)
        assert stub.GetQuote(get, metadata=own_stack.md()).premium_quote.quote_id == quote.quote_id
        now[0] += timedelta(minutes=1)
        with pytest.raises(grpc.RpcError) as error:
            stub.GetQuote(get, metadata=own_stack.md())
        assert error.value.code() == grpc.StatusCode.NOT_FOUND
    finally:
        channel.close()
        timed.stop(0)


def _serving(stack: Stack, dependency: str) -> float:
    return stack.sample("finance_dependency_serving", {"dependency": dependency})


def _until(check: object, attempts: int = 150) -> None:
    """Poll until ``check()`` holds (the health stream reports within moments)."""
    for _ in range(attempts):
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError("never happened")


def test_finance_watches_each_dependency_serving_and_going_away(own_stack: Stack) -> None:
    _until(lambda: _serving(own_stack, "aml") == 1 and _serving(own_stack, "risk") == 1)
    own_stack.aml.stop(0)
    _until(lambda: _serving(own_stack, "aml") == 0)
    assert _serving(own_stack, "risk") == 1
