"""The published API keeps the names clients and DESIGN.md rely on."""

from google.protobuf.descriptor import FileDescriptor

from services._proto.tradeguard.aml.v1 import aml_pb2
from services._proto.tradeguard.common.v1 import common_pb2
from services._proto.tradeguard.finance.v1 import finance_pb2
from services._proto.tradeguard.risk.v1 import risk_pb2

FILES: list[FileDescriptor] = [
    common_pb2.DESCRIPTOR,
    risk_pb2.DESCRIPTOR,
    aml_pb2.DESCRIPTOR,
    finance_pb2.DESCRIPTOR,
]


def _methods(file: FileDescriptor, service: str) -> set[str]:
    return {m.name for m in file.services_by_name[service].methods}


def test_every_enum_starts_with_unspecified_zero() -> None:
    for file in FILES:
        enums = list(file.enum_types_by_name.values())
        for message in file.message_types_by_name.values():
            enums.extend(message.enum_types)
        for enum in enums:
            zero = enum.values_by_number[0]
            assert zero.name.endswith("_UNSPECIFIED"), f"{enum.full_name}: {zero.name}"


def test_risk_service_methods() -> None:
    assert _methods(risk_pb2.DESCRIPTOR, "RiskScoring") == {
        "ScoreFinancing",
        "StreamScoreFinancing",
        "GetModel",
        "ListModels",
        "PromoteModel",
        "RollbackModel",
    }


def test_aml_service_methods() -> None:
    assert _methods(aml_pb2.DESCRIPTOR, "AmlMonitoring") == {
        "ScreenTrade",
        "StreamScreenTrades",
        "ScanTradeData",
        "ScreenParty",
        "ScreenParties",
        "UpsertWatchlistEntry",
        "DeleteWatchlistEntry",
        "ListWatchlistEntries",
        "ListAlerts",
        "GetAlert",
        "ReviewAlert",
        "ListAlertEvents",
        "UpsertCustomer",
        "UpsertBuyer",
        "UpsertPartyRelation",
        "SummarizeAlerts",
        "VerifyAuditChain",
    }


def test_finance_service_methods() -> None:
    assert _methods(finance_pb2.DESCRIPTOR, "CreditInsurance") == {
        "QuotePremium",
        "QuotePolicyFinancing",
        "GetQuote",
        "RequestCreditLimit",
        "GetCreditLimit",
        "ListCreditLimits",
        "CancelCreditLimit",
        "BindPolicy",
        "GetPolicy",
        "AssignPolicy",
        "ReportOverdue",
        "FileClaim",
        "CancelPolicy",
        "ListPolicyEvents",
    }


def test_streaming_rpcs_are_bidirectional() -> None:
    for file, service, method in [
        (risk_pb2.DESCRIPTOR, "RiskScoring", "StreamScoreFinancing"),
        (aml_pb2.DESCRIPTOR, "AmlMonitoring", "StreamScreenTrades"),
    ]:
        descriptor = file.services_by_name[service].methods_by_name[method]
        assert descriptor.client_streaming and descriptor.server_streaming


def test_core_fields_named_as_in_the_contract() -> None:
    expected = {
        common_pb2.Money: {"currency_code", "units", "nanos"},
        common_pb2.Trade: {"order", "payments", "waybills", "declaration"},
        risk_pb2.ScoreFinancingRequest: {
            "request_id",
            "enterprise_id",
            "product",
            "amount",
            "tenor_days",
            "order_ids",
        },
        risk_pb2.FinancingScore: {
            "probability_of_default",
            "score",
            "grade",
            "decision",
            "recommended_limit",
            "reasons",
            "model_version",
        },
        aml_pb2.ReviewAlertRequest: {"alert_id", "decision", "note", "expected_version"},
        aml_pb2.ListAlertsRequest: {"page_size", "page_token"},
        finance_pb2.PremiumQuote: {
            "quote_id",
            "premium_rate",
            "premium",
            "breakdown",
            "minimum_premium_rate",
            "valid_until",
            "outcome",
            "decline_reasons",
        },
    }
    for message, fields in expected.items():
        names = set(message.DESCRIPTOR.fields_by_name)
        assert fields <= names, f"{message.DESCRIPTOR.full_name} misses {fields - names}"


def test_payment_terms_order_matches_the_contract() -> None:
    names = [common_pb2.PaymentTerms.Name(n) for n in range(1, 6)]
    assert names == ["PREPAID", "LC", "DP", "DA", "OA"]
