"""CreditInsurance over gRPC with the real risk and aml services behind it."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from decimal import Decimal

import grpc
import polars as pl
import pytest

from services._proto.tradeguard.common.v1 import common_pb2
from services._proto.tradeguard.finance.v1 import finance_pb2
from services.common import money as proto_money

from .conftest import (
    KNOWN_ENTERPRISE,
    Stack,
    field_violations,
    financing_request,
    money,
    short_term_request,
)


def test_short_term_quote_shows_every_part_and_is_retrievable(stack: Stack) -> None:
    quote = stack.stub.QuotePremium(short_term_request("st-1"), metadata=stack.md(), timeout=10)
    assert quote.outcome == finance_pb2.QUOTED
    assert quote.premium_rate == pytest.approx(0.0028661, abs=1e-7)  # the unit worked example
    assert proto_money.to_decimal(quote.premium) == Decimal("286.61")
    breakdown = quote.breakdown
    assert breakdown.country_risk_category == 4
    assert breakdown.buyer_default_probability_source == "buyer_grade"
    assert breakdown.technical_rate == pytest.approx(quote.premium_rate)
    assert breakdown.commercial_expected_loss > 0 and breakdown.country_expected_loss > 0
    assert breakdown.market_priced and not breakdown.HasField("minimum_premium_rate")
    valid_until = quote.valid_until.ToDatetime(tzinfo=UTC)
    assert valid_until - quote.created_at.ToDatetime(tzinfo=UTC) == timedelta(days=30)
    stored = stack.stub.GetQuote(
        finance_pb2.GetQuoteRequest(quote_id=quote.quote_id), metadata=stack.md(), timeout=10
    )
    assert stored.premium_quote == quote


def test_repeated_request_id_returns_the_same_quote_once(stack: Stack) -> None:
    labels = {"policy_type": "SHORT_TERM", "outcome": "QUOTED"}
    before = stack.sample("finance_quotes_total", labels)
    first = stack.stub.QuotePremium(short_term_request("st-2"), metadata=stack.md(), timeout=10)
    again = stack.stub.QuotePremium(short_term_request("st-2"), metadata=stack.md(), timeout=10)
    assert again == first
    assert stack.sample("finance_quotes_total", labels) == before + 1


def test_request_id_reused_for_another_request_is_refused(stack: Stack) -> None:
    stack.stub.QuotePremium(short_term_request("st-3"), metadata=stack.md(), timeout=10)
    with pytest.raises(grpc.RpcError) as error:
        stack.stub.QuotePremium(
            short_term_request("st-3", credit_days=120), metadata=stack.md(), timeout=10
        )
    assert error.value.code() == grpc.StatusCode.ALREADY_EXISTS


def test_sanctioned_buyer_is_declined_with_the_reason(stack: Stack) -> None:
    labels = {"policy_type": "SHORT_TERM", "outcome": "DECLINED"}
    before = stack.sample("finance_quotes_total", labels)
    buyer = finance_pb2.Buyer(name="Golden Crescent Holdings LLC", country_code="AE", grade=3)
    quote = stack.stub.QuotePremium(
        short_term_request("st-sanctioned", buyer=buyer), metadata=stack.md(), timeout=10
    )
    assert quote.outcome == finance_pb2.DECLINED
    assert quote.premium_rate == 0.0
    assert len(quote.decline_reasons) == 1
    reason = quote.decline_reasons[0]
    assert reason.startswith("buyer matches") and "SANCTIONS" in reason and "W-1" in reason
    assert stack.sample("finance_quotes_total", labels) == before + 1


def test_clean_buyer_in_a_sanctioned_country_is_quoted(stack: Stack) -> None:
    buyer = finance_pb2.Buyer(name="Emirates Fresh Produce", country_code="AE", grade=3)
    quote = stack.stub.QuotePremium(
        short_term_request("st-clean-ae", buyer=buyer), metadata=stack.md(), timeout=10
    )
    assert quote.outcome == finance_pb2.QUOTED
    assert not quote.decline_reasons


def test_buyer_with_a_payment_record_is_priced_with_the_buyer_model(stack: Stack) -> None:
    scored = stack.finance.settings.buyer_model_dir
    assert scored is not None
    buyer_id = pl.read_parquet(scored / "buyer_features.parquet")["buyer_id"][0]
    buyer = finance_pb2.Buyer(buyer_id=buyer_id, name="Known Buyer Co", country_code="BR")
    labels = {
        "grpc_service": "tradeguard.risk.v1.RiskScoring",
        "grpc_method": "ScoreFinancing",
        "grpc_type": "UNARY",
    }
    risk_calls = stack.risk.server.registry.get_sample_value("grpc_server_started_total", labels)
    quote = stack.stub.QuotePremium(
        short_term_request("st-known", buyer=buyer), metadata=stack.md(), timeout=10
    )
    assert quote.breakdown.buyer_default_probability_source == "buyer_model"
    assert 0 < quote.breakdown.buyer_default_probability < 1
    # The exporter financing model is never asked about a buyer.
    after = stack.risk.server.registry.get_sample_value("grpc_server_started_total", labels)
    assert after == risk_calls


def test_unknown_buyer_without_grade_is_invalid(stack: Stack) -> None:
    buyer = finance_pb2.Buyer(buyer_id="NOBODY", name="Unknown Buyer Co", country_code="BR")
    with pytest.raises(grpc.RpcError) as error:
        stack.stub.QuotePremium(
            short_term_request("st-unknown", buyer=buyer), metadata=stack.md(), timeout=10
        )
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(error.value) == {"buyer.grade"}


def test_medium_long_term_quote_respects_and_shows_the_mpr(stack: Stack) -> None:
    request = short_term_request(
        "mlt-1",
        policy_type=finance_pb2.MEDIUM_LONG_TERM,
        buyer=finance_pb2.Buyer(name="Anatolia Rail AS", country_code="TR"),
        insured_amount=money(10_000_000, "EUR"),
        payment_terms=common_pb2.PAYMENT_TERMS_UNSPECIFIED,
        credit_days=0,
        commercial_cover=0.95,
        political_cover=0.95,
        disbursement_months=6,
        repayment_years=10,
        buyer_category=finance_pb2.CC1,
    )
    quote = stack.stub.QuotePremium(request, metadata=stack.md(), timeout=10)
    mpr = quote.breakdown.minimum_premium_rate
    assert mpr.rate == pytest.approx(0.0931788)  # the published example, 9.3179 %
    assert mpr.horizon_of_risk_years == 10.25 and mpr.term_adjustment == pytest.approx(0.0045)
    assert mpr.country_part == pytest.approx(0.08335) and mpr.buyer_part == pytest.approx(0.01025)
    assert quote.minimum_premium_rate == mpr.rate
    assert quote.premium_rate >= mpr.rate and quote.breakdown.floored_by_mpr
    assert proto_money.to_decimal(quote.premium) == Decimal("931788.00")


def test_policy_financing_uses_the_exporter_pd_from_risk(stack: Stack) -> None:
    quote = stack.stub.QuotePolicyFinancing(
        financing_request("pf-1"), metadata=stack.md("bank-1"), timeout=10
    )
    assert quote.outcome == finance_pb2.QUOTED
    assert 0 < quote.exporter_default_probability < 1
    assert 0 < quote.advance_rate <= 0.9
    expected = (Decimal(200_000) * Decimal(repr(quote.advance_rate))).quantize(Decimal("0.01"))
    assert abs(proto_money.to_decimal(quote.advance_amount) - expected) <= Decimal("0.01")
    assert quote.interest_margin == pytest.approx(
        quote.funding_spread + quote.uninsured_expected_loss + quote.capital_charge
    )


def test_policy_financing_for_an_unknown_exporter_is_invalid(stack: Stack) -> None:
    with pytest.raises(grpc.RpcError) as error:
        stack.stub.QuotePolicyFinancing(
            financing_request("pf-unknown", exporter_id="NOBODY"),
            metadata=stack.md("bank-1"),
            timeout=10,
        )
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(error.value) == {"exporter_id"}


def test_quotes_are_visible_to_their_tenant_and_admins_only(stack: Stack) -> None:
    quote = stack.stub.QuotePremium(short_term_request("st-own"), metadata=stack.md(), timeout=10)
    get = finance_pb2.GetQuoteRequest(quote_id=quote.quote_id)
    with pytest.raises(grpc.RpcError) as error:
        stack.stub.GetQuote(get, metadata=stack.md("insurer-2"), timeout=10)
    assert error.value.code() == grpc.StatusCode.NOT_FOUND
    seen = stack.stub.GetQuote(get, metadata=stack.md("admin-1"), timeout=10)
    assert seen.premium_quote.quote_id == quote.quote_id


def test_same_request_id_from_two_tenants_gives_two_quotes(stack: Stack) -> None:
    first = stack.stub.QuotePremium(
        short_term_request("st-tenants"), metadata=stack.md(), timeout=10
    )
    second = stack.stub.QuotePremium(
        short_term_request("st-tenants"), metadata=stack.md("insurer-2"), timeout=10
    )
    assert first.quote_id != second.quote_id


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("bank-1", grpc.StatusCode.PERMISSION_DENIED),
        ("regulator-1", grpc.StatusCode.PERMISSION_DENIED),
        (None, grpc.StatusCode.UNAUTHENTICATED),
    ],
)
def test_quote_premium_is_for_insurers(
    stack: Stack, who: str | None, code: grpc.StatusCode
) -> None:
    metadata = stack.md(who) if who else ()
    with pytest.raises(grpc.RpcError) as error:
        stack.stub.QuotePremium(short_term_request("st-roles"), metadata=metadata, timeout=10)
    assert error.value.code() == code


def test_get_quote_of_an_unknown_id_is_not_found(stack: Stack) -> None:
    with pytest.raises(grpc.RpcError) as error:
        stack.stub.GetQuote(
            finance_pb2.GetQuoteRequest(quote_id="nope"), metadata=stack.md(), timeout=10
        )
    assert error.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"commercial_cover": 0.0}, {"commercial_cover"}),
        ({"political_cover": 1.2}, {"political_cover"}),
        ({"credit_days": 800}, {"credit_days"}),
        ({"insured_amount": money(0)}, {"insured_amount"}),
        ({"insured_amount": money(-5)}, {"insured_amount"}),
        ({"insured_amount": money(1000, "XYZ")}, {"insured_amount.currency_code"}),
        (
            {"buyer": finance_pb2.Buyer(name="Some Buyer", country_code="XX", grade=5)},
            {"buyer.country_code"},
        ),
        ({"policy_type": finance_pb2.POLICY_TYPE_UNSPECIFIED}, {"policy_type"}),
        ({"request_id": ""}, {"request_id"}),
        ({"exporter_name": " "}, {"exporter_name"}),
        (
            {"policy_type": finance_pb2.MEDIUM_LONG_TERM, "repayment_years": 1.0},
            {"repayment_years"},
        ),
        (
            {"commercial_cover": 1.5, "credit_days": -1, "insured_amount": money(-1)},
            {"commercial_cover", "credit_days", "insured_amount"},
        ),
    ],
)
def test_invalid_premium_request_names_the_fields(
    stack: Stack, overrides: dict[str, object], fields: set[str]
) -> None:
    request_id = str(overrides.pop("request_id", f"bad-{sorted(fields)}-{len(overrides)}"))
    request = short_term_request(request_id, **overrides)
    with pytest.raises(grpc.RpcError) as error:
        stack.stub.QuotePremium(request, metadata=stack.md(), timeout=10)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(error.value) == fields


def test_invalid_financing_request_names_the_fields(stack: Stack) -> None:
    request = financing_request("pf-bad", tenor_days=0, commercial_cover=0.0)
    with pytest.raises(grpc.RpcError) as error:
        stack.stub.QuotePolicyFinancing(request, metadata=stack.md("bank-1"), timeout=10)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(error.value) == {"tenor_days", "commercial_cover"}


def test_premium_rate_histogram_counts_quoted_policies(stack: Stack) -> None:
    labels = {"policy_type": "SHORT_TERM"}
    before = stack.sample("finance_premium_rate_count", labels)
    stack.stub.QuotePremium(short_term_request("st-hist"), metadata=stack.md(), timeout=10)
    assert stack.sample("finance_premium_rate_count", labels) == before + 1


def test_quote_command_prints_the_quote(stack: Stack, capsys: pytest.CaptureFixture[str]) -> None:
    from services.cli import main

    target = f"127.0.0.1:{stack.finance.server.port}"
    code = main(
        [
            "quote", "premium", "--target", target, "--token", stack.tokens.clear["insurer-1"],
            "--exporter-id", KNOWN_ENTERPRISE, "--exporter-name", "Ningbo Precision Tools Co",
            "--buyer-name", "Acme Imports Ltda",
            "--buyer-country", "BR", "--grade", "5", "--amount", "100000", "--terms", "OA",
            "--credit-days", "90", "--request-id", "cli-1", "--json",
        ]
    )  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["outcome"] == "QUOTED"
    assert out["premium"] == {"currency_code": "USD", "amount": "286.61"}
    assert out["breakdown"]["country_risk_category"] == 4


def test_quote_command_shows_the_fields_the_service_refused(
    stack: Stack, capsys: pytest.CaptureFixture[str]
) -> None:
    from services.cli import main

    target = f"127.0.0.1:{stack.finance.server.port}"
    code = main(
        [
            "quote", "premium", "--target", target, "--token", stack.tokens.clear["insurer-1"],
            "--exporter-id", KNOWN_ENTERPRISE, "--exporter-name", "Ningbo Precision Tools Co",
            "--buyer-name", "Acme Imports Ltda", "--buyer-country", "BR", "--grade", "42",
            "--amount", "100,000", "--terms", "OA", "--credit-days", "90",
        ]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 1 and captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith("error: INVALID_ARGUMENT: ") and "buyer.grade: " in line, line
