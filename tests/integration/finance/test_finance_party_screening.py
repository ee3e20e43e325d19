"""Exporter and buyer are both screened by aml (one ScreenParties call); a hit on either declines
the quote with a reason naming the party."""

from __future__ import annotations

import socket
from concurrent import futures
from pathlib import Path

import grpc
import pytest

from services._proto.tradeguard.aml.v1 import aml_pb2
from services._proto.tradeguard.finance.v1 import finance_pb2, finance_pb2_grpc

from .conftest import (
    Stack,
    field_violations,
    financing_request,
    short_term_request,
    start_finance,
)

SANCTIONED = "Golden Crescent Holdings"  # W-1, SANCTIONS
NEGATIVE = "Ivan Petrov Trading"  # W-2, NEGATIVE_LIST
AML_SERVICE = "tradeguard.aml.v1.AmlMonitoring"


def test_sanctioned_exporter_declines_the_premium_quote(stack: Stack) -> None:
    labels = {"policy_type": "SHORT_TERM", "outcome": "DECLINED"}
    before = stack.sample("finance_quotes_total", labels)
    quote = stack.stub.QuotePremium(
        short_term_request("scr-exporter", exporter_name=SANCTIONED),
        metadata=stack.md(),
        timeout=10,
    )
    assert quote.outcome == finance_pb2.DECLINED
    assert quote.premium_rate == 0.0
    assert list(quote.decline_reasons) == [
        "exporter matches SANCTIONS entry W-1 'Golden Crescent Holdings' (score 1.00)"
    ]
    assert stack.sample("finance_quotes_total", labels) == before + 1


def test_negative_listed_exporter_declines_financing_before_risk_is_asked(stack: Stack) -> None:
    quote = stack.stub.QuotePolicyFinancing(
        financing_request("scr-pf-exporter", exporter_name=NEGATIVE),
        metadata=stack.md("bank-1"),
        timeout=10,
    )
    assert quote.outcome == finance_pb2.DECLINED
    assert len(quote.decline_reasons) == 1
    reason = quote.decline_reasons[0]
    assert reason.startswith("exporter matches NEGATIVE_LIST entry W-2")
    assert quote.advance_rate == 0.0 and quote.exporter_default_probability == 0.0


def test_hits_on_both_parties_give_one_reason_each(stack: Stack) -> None:
    buyer = finance_pb2.Buyer(name=NEGATIVE, country_code="RU", grade=4)
    quote = stack.stub.QuotePremium(
        short_term_request("scr-both", exporter_name=SANCTIONED, buyer=buyer),
        metadata=stack.md(),
        timeout=10,
    )
    assert quote.outcome == finance_pb2.DECLINED
    parties = sorted(reason.split(" matches ")[0] for reason in quote.decline_reasons)
    assert parties == ["buyer", "exporter"]
    assert any("W-1" in r for r in quote.decline_reasons if r.startswith("exporter"))
    assert any("W-2" in r for r in quote.decline_reasons if r.startswith("buyer"))


def test_clean_exporter_and_buyer_are_quoted(stack: Stack) -> None:
    quote = stack.stub.QuotePremium(
        short_term_request("scr-clean"), metadata=stack.md(), timeout=10
    )
    assert quote.outcome == finance_pb2.QUOTED and not quote.decline_reasons


def test_financing_without_exporter_name_is_invalid(stack: Stack) -> None:
    with pytest.raises(grpc.RpcError) as error:
        stack.stub.QuotePolicyFinancing(
            financing_request("scr-no-name", exporter_name=""),
            metadata=stack.md("bank-1"),
            timeout=10,
        )
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(error.value) == {"exporter_name"}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_aml_fallback_flags_both_parties_as_not_screened(stack: Stack, tmp_path: Path) -> None:
    fallback = start_finance(
        tmp_path, stack.tokens, stack.risk.server.port, _closed_port(), aml_fallback=True
    )
    channel = grpc.insecure_channel(f"127.0.0.1:{fallback.server.port}")
    try:
        stub = finance_pb2_grpc.CreditInsuranceStub(channel)
        quote = stub.QuotePremium(
            short_term_request("scr-aml-down", exporter_name=SANCTIONED),
            metadata=stack.md(),
            timeout=10,
        )
    finally:
        channel.close()
        fallback.stop(0)
    assert quote.outcome == finance_pb2.QUOTED
    assert sorted(quote.fallbacks) == [
        "aml: unavailable, buyer not screened; screen before binding",
        "aml: unavailable, exporter not screened; screen before binding",
    ]


def test_an_aml_without_screen_parties_is_asked_one_party_at_a_time(
    stack: Stack, tmp_path: Path
) -> None:
    # During a rolling upgrade finance may meet an aml that predates ScreenParties: the real
    # AML screening served without that method.
    servicer = stack.aml.servicer
    older = grpc.server(futures.ThreadPoolExecutor(4))
    handler = grpc.unary_unary_rpc_method_handler(
        servicer.ScreenParty,
        request_deserializer=aml_pb2.ScreenPartyRequest.FromString,
        response_serializer=aml_pb2.ScreenPartyResponse.SerializeToString,
    )
    older.add_generic_rpc_handlers(
        [grpc.method_handlers_generic_handler(AML_SERVICE, {"ScreenParty": handler})]
    )
    port = older.add_insecure_port("127.0.0.1:0")
    older.start()
    finance = start_finance(tmp_path, stack.tokens, stack.risk.server.port, port)
    channel = grpc.insecure_channel(f"127.0.0.1:{finance.server.port}")
    try:
        stub = finance_pb2_grpc.CreditInsuranceStub(channel)
        buyer = finance_pb2.Buyer(name=NEGATIVE, country_code="RU", grade=4)
        for attempt in ("old-1", "old-2"):  # the second goes one by one at once
            quote = stub.QuotePremium(
                short_term_request(attempt, exporter_name=SANCTIONED, buyer=buyer),
                metadata=stack.md(),
                timeout=10,
            )
            assert quote.outcome == finance_pb2.DECLINED and not quote.fallbacks
            assert [r.split()[0] for r in quote.decline_reasons] == ["exporter", "buyer"]
    finally:
        channel.close()
        finance.stop(0)
        older.stop(0)
