"""Alert RPCs through a real server: tenant isolation, paging, the review workflow, events."""

from __future__ import annotations

import time

import grpc
import pytest

from services._proto.tradeguard.aml.v1 import aml_pb2

from .conftest import Harness, screen


def _raise(harness: Harness, who: str, order_id: str) -> aml_pb2.Alert:
    response = harness.stub.ScreenTrade(
        screen(order_id, f"{who}-{order_id}", shipped=False), metadata=harness.md(who)
    )
    return response.alert


def _code(call: object) -> grpc.StatusCode:
    with pytest.raises(grpc.RpcError) as caught:
        call()  # type: ignore[operator]
    return caught.value.code()  # type: ignore[no-any-return]


def test_banks_see_only_their_own_alerts(harness: Harness) -> None:
    mine = _raise(harness, "bank-1", "O-1")
    theirs = _raise(harness, "bank-2", "O-1")
    assert mine.alert_id != theirs.alert_id
    listed = harness.stub.ListAlerts(aml_pb2.ListAlertsRequest(), metadata=harness.md("bank-1"))
    assert [a.alert_id for a in listed.alerts] == [mine.alert_id]
    # Asking for another tenant does not widen a bank's view.
    other = aml_pb2.ListAlertsRequest(tenant="bank-2")
    assert list(harness.stub.ListAlerts(other, metadata=harness.md("bank-1")).alerts) == []
    get_theirs = aml_pb2.GetAlertRequest(alert_id=theirs.alert_id)
    assert _code(lambda: harness.stub.GetAlert(get_theirs, metadata=harness.md("bank-1"))) is (
        grpc.StatusCode.NOT_FOUND
    )
    events = aml_pb2.ListAlertEventsRequest(alert_id=theirs.alert_id)
    assert _code(lambda: harness.stub.ListAlertEvents(events, metadata=harness.md("bank-1"))) is (
        grpc.StatusCode.NOT_FOUND
    )


def test_regulators_see_every_tenant_and_can_filter(harness: Harness) -> None:
    mine = _raise(harness, "bank-1", "O-1")
    theirs = _raise(harness, "bank-2", "O-2")
    regulator = harness.md("regulator-1")
    every = harness.stub.ListAlerts(aml_pb2.ListAlertsRequest(), metadata=regulator)
    assert {a.alert_id for a in every.alerts} == {mine.alert_id, theirs.alert_id}
    one = harness.stub.ListAlerts(aml_pb2.ListAlertsRequest(tenant="bank-2"), metadata=regulator)
    assert [a.alert_id for a in one.alerts] == [theirs.alert_id]
    got = harness.stub.GetAlert(aml_pb2.GetAlertRequest(alert_id=mine.alert_id), metadata=regulator)
    assert got.alert_id == mine.alert_id


def test_paging_and_its_errors(harness: Harness) -> None:
    ids = {_raise(harness, "bank-1", f"O-{i}").alert_id for i in range(5)}
    seen: list[str] = []
    token = ""
    while True:
        request = aml_pb2.ListAlertsRequest(page_size=2, page_token=token)
        page = harness.stub.ListAlerts(request, metadata=harness.md("bank-1"))
        seen += [a.alert_id for a in page.alerts]
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == 5 and set(seen) == ids
    negative = aml_pb2.ListAlertsRequest(page_size=-1)
    assert _code(lambda: harness.stub.ListAlerts(negative, metadata=harness.md("bank-1"))) is (
        grpc.StatusCode.INVALID_ARGUMENT
    )
    garbage = aml_pb2.ListAlertsRequest(page_token="garbage")
    assert _code(lambda: harness.stub.ListAlerts(garbage, metadata=harness.md("bank-1"))) is (
        grpc.StatusCode.INVALID_ARGUMENT
    )


def test_review_workflow_with_versions_and_events(harness: Harness) -> None:
    alert = _raise(harness, "bank-1", "O-1")
    regulator = harness.md("regulator-1")

    def decide(decision: int, version: int, note: str = "checked") -> aml_pb2.Alert:
        request = aml_pb2.ReviewAlertRequest(
            alert_id=alert.alert_id, decision=decision, note=note, expected_version=version
        )
        return harness.stub.ReviewAlert(request, metadata=regulator)  # type: ignore[no-any-return]

    started = decide(aml_pb2.START_REVIEW, 1)
    assert (started.status, started.version) == (aml_pb2.IN_REVIEW, 2)
    assert _code(lambda: decide(aml_pb2.CONFIRM, 1)) is grpc.StatusCode.ABORTED
    assert _code(lambda: decide(aml_pb2.REPORT, 2)) is grpc.StatusCode.FAILED_PRECONDITION
    assert _code(lambda: decide(aml_pb2.DISMISS, 2, note="")) is grpc.StatusCode.INVALID_ARGUMENT
    escalated = decide(aml_pb2.ESCALATE, 2, note="network of shells")
    reported = decide(aml_pb2.REPORT, 3, note="STR 2026-118")
    assert reported.status == aml_pb2.REPORTED
    assert (
        reported.last_reviewer == "regulator-1/REGULATOR" and reported.last_note == "STR 2026-118"
    )
    assert escalated.status == aml_pb2.ESCALATED
    events = harness.stub.ListAlertEvents(
        aml_pb2.ListAlertEventsRequest(alert_id=alert.alert_id), metadata=harness.md("bank-1")
    ).events
    assert [e.event_type for e in events] == ["CREATED", "REVIEWED", "REVIEWED", "REVIEWED"]
    assert [e.to_status for e in events] == [
        aml_pb2.NEW,
        aml_pb2.IN_REVIEW,
        aml_pb2.ESCALATED,
        aml_pb2.REPORTED,
    ]
    assert all(e.prev_hash == p.hash for p, e in zip(events, events[1:], strict=False))
    assert harness.sample("aml_reviews_total", {"decision": "REPORT"}) == 1
    assert harness.service.store.verify_audit().ok


def test_open_alert_gauge_follows_the_store(harness: Harness) -> None:
    alert = _raise(harness, "bank-1", "O-1")
    severity = aml_pb2.Severity.Name(alert.severity)
    deadline = time.monotonic() + 5
    while harness.sample("aml_alerts_open", {"severity": severity}) != 1:
        assert time.monotonic() < deadline, "gauge never refreshed"
        time.sleep(0.05)
    assert harness.sample("aml_store_up") == 1


def test_unknown_alert_and_missing_id(harness: Harness) -> None:
    regulator = harness.md("regulator-1")
    missing = aml_pb2.GetAlertRequest(alert_id="no-such-alert")
    assert _code(lambda: harness.stub.GetAlert(missing, metadata=regulator)) is (
        grpc.StatusCode.NOT_FOUND
    )
    empty = aml_pb2.GetAlertRequest()
    assert _code(lambda: harness.stub.GetAlert(empty, metadata=regulator)) is (
        grpc.StatusCode.INVALID_ARGUMENT
    )
