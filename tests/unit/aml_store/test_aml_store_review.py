"""The review workflow: the transition table, optimistic concurrency, roles, audit events."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from services.aml.alert_records import Actor, Alert, AlertStatus, NewAlert
from services.aml.review import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    TRANSITIONS,
    Decision,
    allowed_decisions,
    next_status,
    review,
    tenant_scope,
    transition_table_markdown,
)
from services.aml.store import AlertStore
from services.common.errors import (
    ConflictError,
    FailedPrecondition,
    NotFoundError,
    PermissionDenied,
    ValidationError,
)

from .conftest import BANK, REGULATOR

Build = Callable[..., NewAlert]
PATHS = [
    [Decision.START_REVIEW, Decision.CONFIRM, Decision.REPORT],
    [Decision.START_REVIEW, Decision.ESCALATE, Decision.REPORT],
    [Decision.START_REVIEW, Decision.DISMISS],
]


def _alert(store: AlertStore, new_alert: Build) -> Alert:
    return store.raise_alerts([new_alert()], BANK)[0].alert


def test_table_matches_the_documented_workflow() -> None:
    S = AlertStatus
    assert allowed_decisions(S.NEW) == [Decision.START_REVIEW]
    assert allowed_decisions(S.IN_REVIEW) == [Decision.CONFIRM, Decision.DISMISS, Decision.ESCALATE]
    assert next_status(S.CONFIRMED, Decision.REPORT) is S.REPORTED
    assert next_status(S.ESCALATED, Decision.REPORT) is S.REPORTED
    assert OPEN_STATUSES == {S.NEW, S.IN_REVIEW, S.CONFIRMED, S.ESCALATED}
    assert FINAL_STATUSES == {S.DISMISSED, S.REPORTED}
    assert transition_table_markdown().count("\n") == len(TRANSITIONS) + 1


@pytest.mark.parametrize("path", PATHS, ids=lambda p: "-".join(d.value for d in p))
def test_each_path_through_the_workflow(
    store: AlertStore, new_alert: Build, path: list[Decision]
) -> None:
    alert = _alert(store, new_alert)
    for decision in path:
        before = alert
        alert = review(store, alert.alert_id, decision, f"why {decision}", alert.version, REGULATOR)
        assert alert.status is TRANSITIONS[(before.status, decision)]
        assert alert.version == before.version + 1
        assert alert.last_reviewer == "regulator-1/REGULATOR"
    events = store.list_events(alert.alert_id, None, 0, "").items
    assert [e.event_type for e in events] == ["CREATED"] + ["REVIEWED"] * len(path)
    assert [e.payload.get("decision") for e in events[1:]] == [d.value for d in path]
    assert [e.note for e in events[1:]] == [f"why {d}" for d in path]
    assert all(e.actor_role == "REGULATOR" for e in events[1:])
    assert store.verify_audit().ok


@pytest.mark.parametrize(
    "decision", [Decision.CONFIRM, Decision.DISMISS, Decision.ESCALATE, Decision.REPORT]
)
def test_decisions_outside_the_table_are_refused(
    store: AlertStore, new_alert: Build, decision: Decision
) -> None:
    alert = _alert(store, new_alert)
    with pytest.raises(FailedPrecondition) as caught:
        review(store, alert.alert_id, decision, "note", 1, REGULATOR)
    assert caught.value.reason == "ILLEGAL_TRANSITION"
    assert store.get_alert(alert.alert_id, None).version == 1


def test_final_statuses_accept_nothing(store: AlertStore, new_alert: Build) -> None:
    alert = _alert(store, new_alert)
    alert = review(store, alert.alert_id, Decision.START_REVIEW, "", 1, REGULATOR)
    alert = review(store, alert.alert_id, Decision.DISMISS, "false positive", 2, REGULATOR)
    for decision in Decision:
        with pytest.raises(FailedPrecondition):
            review(store, alert.alert_id, decision, "again", alert.version, REGULATOR)


def test_stale_version_is_a_conflict(store: AlertStore, new_alert: Build) -> None:
    alert = _alert(store, new_alert)
    review(store, alert.alert_id, Decision.START_REVIEW, "", 1, REGULATOR)
    with pytest.raises(ConflictError) as caught:
        review(store, alert.alert_id, Decision.CONFIRM, "late", 1, REGULATOR)
    assert caught.value.metadata == {"current_version": "2"}


def test_concurrent_reviews_of_one_version_let_exactly_one_win(
    store: AlertStore, new_alert: Build
) -> None:
    alert = _alert(store, new_alert)
    reviewers = [Actor(f"regulator-{i}", "REGULATOR") for i in range(8)]

    def attempt(actor: Actor) -> str:
        try:
            review(store, alert.alert_id, Decision.START_REVIEW, "", 1, actor)
        except ConflictError:
            return "conflict"
        return "ok"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, reviewers))
    assert sorted(outcomes) == ["conflict"] * 7 + ["ok"]
    assert store.get_alert(alert.alert_id, None).version == 2
    assert len(store.list_events(alert.alert_id, None, 0, "").items) == 2


@pytest.mark.parametrize("role", ["BANK", "INSURER", "ADMIN"])
def test_only_regulators_review(store: AlertStore, new_alert: Build, role: str) -> None:
    alert = _alert(store, new_alert)
    with pytest.raises(PermissionDenied):
        review(store, alert.alert_id, Decision.START_REVIEW, "", 1, Actor("bank-1", role))


def test_permission_is_checked_before_existence(store: AlertStore) -> None:
    with pytest.raises(PermissionDenied):
        review(store, "missing", Decision.START_REVIEW, "", 1, BANK)
    with pytest.raises(NotFoundError):
        review(store, "missing", Decision.START_REVIEW, "", 1, REGULATOR)


@pytest.mark.parametrize(
    ("decision", "note", "version", "field"),
    [
        (Decision.START_REVIEW, "", 0, "expected_version"),
        (Decision.START_REVIEW, "x" * 4001, 1, "note"),
        (Decision.DISMISS, "  ", 1, "note"),
        (Decision.REPORT, "", 1, "note"),
    ],
)
def test_invalid_review_requests(
    store: AlertStore, new_alert: Build, decision: Decision, note: str, version: int, field: str
) -> None:
    alert = _alert(store, new_alert)
    with pytest.raises(ValidationError) as caught:
        review(store, alert.alert_id, decision, note, version, REGULATOR)
    assert [v.field for v in caught.value.field_violations] == [field]


def test_tenant_scope_by_role() -> None:
    assert tenant_scope(REGULATOR) is None
    assert tenant_scope(BANK) == "bank-1"
    for role in ("INSURER", "ADMIN"):
        with pytest.raises(PermissionDenied):
            tenant_scope(Actor("x", role))
