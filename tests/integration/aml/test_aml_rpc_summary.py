"""Queue support RPCs through a real server: totals, sort orders, counts, chain verification."""

from __future__ import annotations

import grpc
import pytest

from services._proto.tradeguard.aml.v1 import aml_pb2

from .conftest import Harness, screen


def _raise(harness: Harness, who: str, order_id: str) -> aml_pb2.Alert:
    response = harness.stub.ScreenTrade(
        screen(order_id, f"{who}-{order_id}", shipped=False), metadata=harness.md(who)
    )
    return response.alert


def _review(harness: Harness, alert: aml_pb2.Alert, decision: int, note: str) -> aml_pb2.Alert:
    request = aml_pb2.ReviewAlertRequest(
        alert_id=alert.alert_id, decision=decision, note=note, expected_version=alert.version
    )
    return harness.stub.ReviewAlert(request, metadata=harness.md("regulator-1"))


def test_list_reports_the_total_over_all_pages(harness: Harness) -> None:
    for i in range(5):
        _raise(harness, "bank-1", f"O-{i}")
    _raise(harness, "bank-2", "O-9")
    request = aml_pb2.ListAlertsRequest(page_size=2)
    page = harness.stub.ListAlerts(request, metadata=harness.md("bank-1"))
    assert len(page.alerts) == 2 and page.total_size == 5
    every = harness.stub.ListAlerts(request, metadata=harness.md("regulator-1"))
    assert every.total_size == 6


def test_oldest_first_walks_every_alert_once_in_order(harness: Harness) -> None:
    raised = [_raise(harness, "bank-1", f"O-{i}").alert_id for i in range(5)]
    seen: list[str] = []
    token = ""
    while True:
        request = aml_pb2.ListAlertsRequest(page_size=2, order_by="created_at", page_token=token)
        page = harness.stub.ListAlerts(request, metadata=harness.md("bank-1"))
        seen += [a.alert_id for a in page.alerts]
        token = page.next_page_token
        if not token:
            break
    assert seen == raised


def test_unknown_sort_order_is_invalid(harness: Harness) -> None:
    request = aml_pb2.ListAlertsRequest(order_by="tenant")
    with pytest.raises(grpc.RpcError) as caught:
        harness.stub.ListAlerts(request, metadata=harness.md("regulator-1"))
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT


def test_summary_counts_statuses_and_the_oldest_open_alert(harness: Harness) -> None:
    first = _raise(harness, "bank-1", "O-1")
    second = _raise(harness, "bank-1", "O-2")
    _raise(harness, "bank-2", "O-3")
    taken = _review(harness, second, aml_pb2.START_REVIEW, "")
    _review(harness, taken, aml_pb2.DISMISS, "documents explained by the carrier")
    mine = harness.stub.SummarizeAlerts(
        aml_pb2.SummarizeAlertsRequest(), metadata=harness.md("bank-1")
    )
    assert mine.total == 2
    assert dict(mine.count_by_status) == {"NEW": 1, "DISMISSED": 1}
    assert mine.oldest_open_created_at == first.created_at
    assert sum(c.count for c in mine.counts) == 2
    assert {c.month for c in mine.counts} == {first.created_at.ToDatetime().strftime("%Y-%m")}
    every = harness.stub.SummarizeAlerts(
        aml_pb2.SummarizeAlertsRequest(), metadata=harness.md("regulator-1")
    )
    assert every.total == 3


def test_alert_lists_the_decisions_its_status_allows(harness: Harness) -> None:
    alert = _raise(harness, "bank-1", "O-1")
    assert list(alert.allowed_decisions) == [aml_pb2.START_REVIEW]
    taken = _review(harness, alert, aml_pb2.START_REVIEW, "")
    assert list(taken.allowed_decisions) == [aml_pb2.CONFIRM, aml_pb2.DISMISS, aml_pb2.ESCALATE]


def test_chain_verification_is_for_regulators(harness: Harness) -> None:
    _raise(harness, "bank-1", "O-1")
    request = aml_pb2.VerifyAuditChainRequest()
    result = harness.stub.VerifyAuditChain(request, metadata=harness.md("regulator-1"))
    assert result.ok and result.events_checked >= 1 and not result.problems
    with pytest.raises(grpc.RpcError) as caught:
        harness.stub.VerifyAuditChain(request, metadata=harness.md("bank-1"))
    assert caught.value.code() is grpc.StatusCode.PERMISSION_DENIED
