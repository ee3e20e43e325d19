"""QuotePolicyFinancing naming a premium quote: it must be the same tenant's and exporter's,
live and not declined, and the financing may not assume more cover than the quote gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest

from services._proto.tradeguard.finance.v1 import finance_pb2, finance_pb2_grpc

from .conftest import (
    Stack,
    field_violations,
    financing_request,
    short_term_request,
    start_finance,
)

#: insurer-1's lending arm: same tenant as the insurer, BANK role.
SAME_TENANT_BANK = "insurer-1/bank"


def _premium(stack: Stack, request_id: str, **overrides: object) -> finance_pb2.PremiumQuote:
    quote: finance_pb2.PremiumQuote = stack.stub.QuotePremium(
        short_term_request(request_id, **overrides), metadata=stack.md(), timeout=10
    )
    return quote


def _finance(
    stack: Stack, request_id: str, who: str = SAME_TENANT_BANK, **overrides: object
) -> finance_pb2.PolicyFinancingQuote:
    quote: finance_pb2.PolicyFinancingQuote = stack.stub.QuotePolicyFinancing(
        financing_request(request_id, **overrides), metadata=stack.md(who), timeout=10
    )
    return quote


def _code(call: object) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as error:
        call()  # type: ignore[operator]
    return error.value


def test_financing_under_the_tenants_own_premium_quote(stack: Stack) -> None:
    premium = _premium(stack, "ref-ok")
    assert premium.outcome == finance_pb2.QUOTED
    same = _finance(stack, "ref-ok-pf", premium_quote_id=premium.quote_id)
    lower = _finance(
        stack, "ref-ok-lower", premium_quote_id=premium.quote_id,
        commercial_cover=0.5, political_cover=0.5,
    )  # fmt: skip
    assert same.outcome == finance_pb2.QUOTED and lower.outcome == finance_pb2.QUOTED
    assert lower.advance_rate < same.advance_rate  # less cover, less advanced


def test_unknown_premium_quote_is_not_found(stack: Stack) -> None:
    error = _code(lambda: _finance(stack, "ref-unknown", premium_quote_id="no-such-quote"))
    assert error.code() == grpc.StatusCode.NOT_FOUND


def test_another_tenants_premium_quote_is_not_found(stack: Stack) -> None:
    premium = _premium(stack, "ref-tenant")
    error = _code(
        lambda: _finance(stack, "ref-tenant-pf", "bank-1", premium_quote_id=premium.quote_id)
    )
    assert error.code() == grpc.StatusCode.NOT_FOUND


def test_another_exporters_premium_quote_is_not_found(stack: Stack) -> None:
    premium = _premium(stack, "ref-exporter", exporter_id="E-OTHER")
    assert premium.outcome == finance_pb2.QUOTED
    error = _code(lambda: _finance(stack, "ref-exporter-pf", premium_quote_id=premium.quote_id))
    assert error.code() == grpc.StatusCode.NOT_FOUND
    assert "E-OTHER" not in (error.details() or "")


def test_a_financing_quote_is_not_a_premium_quote(stack: Stack) -> None:
    financing = _finance(stack, "ref-kind")
    error = _code(lambda: _finance(stack, "ref-kind-pf", premium_quote_id=financing.quote_id))
    assert error.code() == grpc.StatusCode.NOT_FOUND


def test_declined_premium_quote_fails_the_precondition(stack: Stack) -> None:
    buyer = finance_pb2.Buyer(name="Golden Crescent Holdings", country_code="AE", grade=3)
    premium = _premium(stack, "ref-declined", buyer=buyer)
    assert premium.outcome == finance_pb2.DECLINED
    error = _code(lambda: _finance(stack, "ref-declined-pf", premium_quote_id=premium.quote_id))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "declined" in (error.details() or "")


@pytest.mark.parametrize(
    ("covers", "fields"),
    [
        ({"commercial_cover": 0.85}, {"commercial_cover"}),
        ({"political_cover": 0.95}, {"political_cover"}),
        (
            {"commercial_cover": 0.9, "political_cover": 1.0},
            {"commercial_cover", "political_cover"},
        ),
    ],
)
def test_covers_beyond_the_premium_quote_are_invalid(
    stack: Stack, covers: dict[str, float], fields: set[str]
) -> None:
    # The premium quote covers 80 % commercial and 90 % political loss.
    key = "-".join(sorted(fields))
    premium = _premium(stack, f"ref-cover-{key}", commercial_cover=0.8, political_cover=0.9)
    overrides: dict[str, Any] = {"commercial_cover": 0.8, "political_cover": 0.9, **covers}
    error = _code(
        lambda: _finance(
            stack, f"ref-cover-{key}-pf", premium_quote_id=premium.quote_id, **overrides
        )
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(error) == fields


def test_expired_premium_quote_is_not_found(stack: Stack, tmp_path: Path) -> None:
    now = [datetime(2026, 6, 1, tzinfo=UTC)]
    timed = start_finance(
        tmp_path, stack.tokens, stack.risk.server.port, stack.aml.port,
        clock=lambda: now[0], quote_validity_seconds=3600,
    )  # fmt: skip
    channel = grpc.insecure_channel(f"127.0.0.1:{timed.server.port}")
    stub = finance_pb2_grpc.CreditInsuranceStub(channel)
    try:
        premium = stub.QuotePremium(
            short_term_request("ref-expiry"), metadata=stack.md(), timeout=10
        )
        now[0] += timedelta(minutes=59)
        live = stub.QuotePolicyFinancing(
            financing_request("ref-expiry-live", premium_quote_id=premium.quote_id),
            metadata=stack.md(SAME_TENANT_BANK),
            timeout=10,
        )
        assert live.outcome == finance_pb2.QUOTED
        now[0] += timedelta(minutes=1)
        with pytest.raises(grpc.RpcError) as error:
            stub.QuotePolicyFinancing(
                financing_request("ref-expiry-late", premium_quote_id=premium.quote_id),
                metadata=stack.md(SAME_TENANT_BANK),
                timeout=10,
            )
        assert error.value.code() == grpc.StatusCode.NOT_FOUND
    finally:
        channel.close()
        timed.stop(0)
