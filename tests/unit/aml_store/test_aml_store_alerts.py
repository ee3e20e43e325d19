"""Raising, deduplicating, reading and paging alerts - on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
import sqlalchemy as sa

from services.aml import store as store_module
from services.aml.alert_records import Alert, AlertQuery, AlertStatus, NewAlert, RaisedAlert
from services.aml.migrations.schema import alert_events, alerts
from services.aml.page_tokens import MAX_PAGE_SIZE
from services.aml.store import AlertStore
from services.common.errors import NotFoundError, ValidationError

from .conftest import BANK, OTHER_BANK

Build = Callable[..., NewAlert]
Stored = dict[tuple[str, str], RaisedAlert]


def _count(store: AlertStore, table: sa.Table) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _ticking_store(store: AlertStore) -> AlertStore:
    """The same database with a clock that moves 1 ms per reading, so ordering is known."""
    ticks = count(1_700_000_000_000_000, 1000)
    return AlertStore(store.engine, store.trail, clock=lambda: next(ticks))


def test_raised_alert_is_new_with_a_created_event(store: AlertStore, new_alert: Build) -> None:
    [raised] = store.raise_alerts([new_alert()], BANK)
    alert = raised.alert
    assert raised.created
    assert (alert.status, alert.version, alert.tenant) == (AlertStatus.NEW, 1, "bank-1")
    assert alert.evidence == {"summary": "paid, never shipped", "order_id": "O1"}
    assert alert.flows == [{"from": "B1", "to": "E1", "amount": 1000.5}]
    assert alert.members == ["E1", "B1"] and alert.order_ids == ["O1"]
    events = store.list_events(alert.alert_id, None, 0, "").items
    assert [(e.seq, e.event_type, e.to_status, e.actor_tenant) for e in events] == [
        (1, "CREATED", "NEW", "bank-1")
    ]
    assert events[0].payload["dedup_key"] == "k1"


def test_same_dedup_key_returns_the_stored_alert(store: AlertStore, new_alert: Build) -> None:
    [first] = store.raise_alerts([new_alert(risk_score=0.9)], BANK)
    for _ in range(3):
        [again] = store.raise_alerts([new_alert(risk_score=0.5)], BANK)
        assert not again.created
        assert again.alert == first.alert
    assert _count(store, alerts) == 1
    assert _count(store, alert_events) == 1


def test_duplicates_inside_one_batch_make_one_alert(store: AlertStore, new_alert: Build) -> None:
    results = store.raise_alerts([new_alert("a"), new_alert("b"), new_alert("a")], BANK)
    assert results[0].alert.alert_id == results[2].alert.alert_id
    assert results[0].alert.alert_id != results[1].alert.alert_id
    assert _count(store, alerts) == 2


def test_dedup_is_per_tenant(store: AlertStore, new_alert: Build) -> None:
    [mine] = store.raise_alerts([new_alert("same")], BANK)
    [theirs] = store.raise_alerts([new_alert("same", tenant="bank-2")], OTHER_BANK)
    assert theirs.created and mine.alert.alert_id != theirs.alert.alert_id


def test_one_raise_mixes_stored_new_and_other_tenants_alerts(
    store: AlertStore, new_alert: Build
) -> None:
    [stored] = store.raise_alerts([new_alert("old")], BANK)
    [theirs] = store.raise_alerts([new_alert("new", tenant="bank-2")], OTHER_BANK)
    wanted = [new_alert("new"), new_alert("old"), new_alert("new", tenant="bank-2")]
    fresh, old, other = store.raise_alerts(wanted, BANK)
    assert fresh.created and not old.created and not other.created
    assert old.alert == stored.alert and other.alert == theirs.alert
    assert fresh.alert == store.get_alert(fresh.alert.alert_id, None)
    assert _count(store, alerts) == 3 and _count(store, alert_events) == 3
    assert store.verify_audit().ok


def test_a_key_taken_after_the_lookup_returns_what_is_stored(
    store: AlertStore, new_alert: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should an insert find its key taken after all, the stored alert wins, without event."""
    [stored] = store.raise_alerts([new_alert("taken")], BANK)
    lookups: list[int] = []
    real = store_module._stored_alerts

    def missing_first(connection: sa.Connection, wanted: set[tuple[str, str]]) -> Stored:
        lookups.append(len(wanted))
        return {} if len(lookups) == 1 else real(connection, wanted)

    monkeypatch.setattr(store_module, "_stored_alerts", missing_first)
    taken, fresh = store.raise_alerts([new_alert("taken"), new_alert("fresh")], BANK)
    assert lookups == [2, 2]
    assert not taken.created and taken.alert == stored.alert
    assert fresh.created and fresh.alert == store.get_alert(fresh.alert.alert_id, None)
    assert _count(store, alerts) == 2 and _count(store, alert_events) == 2
    assert store.verify_audit().ok


def test_concurrent_raises_create_each_alert_once(store: AlertStore, new_alert: Build) -> None:
    batch = [new_alert(f"key-{i}") for i in range(10)]

    def raise_batch(shift: int) -> list[str]:
        rotated = batch[shift:] + batch[:shift]
        return sorted(r.alert.alert_id for r in store.raise_alerts(rotated, BANK))

    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = list(pool.map(raise_batch, range(12)))
    assert all(each == ids[0] for each in ids)
    assert _count(store, alerts) == 10
    assert _count(store, alert_events) == 10
    assert store.verify_audit().ok


def test_get_alert_hides_other_tenants(store: AlertStore, new_alert: Build) -> None:
    [raised] = store.raise_alerts([new_alert()], BANK)
    alert_id = raised.alert.alert_id
    assert store.get_alert(alert_id, "bank-1").alert_id == alert_id
    assert store.get_alert(alert_id, None).alert_id == alert_id
    with pytest.raises(NotFoundError):
        store.get_alert(alert_id, "bank-2")
    with pytest.raises(NotFoundError):
        store.list_events(alert_id, "bank-2", 0, "")
    with pytest.raises(NotFoundError):
        store.get_alert("no-such-alert", None)


def _seed(store: AlertStore, new_alert: Build) -> list[Alert]:
    specs = [
        ("bank-1", "E1", "PHANTOM_SHIPMENT", "HIGH"),
        ("bank-1", "E2", "OVER_INVOICING", "LOW"),
        ("bank-2", "E1", "PHANTOM_SHIPMENT", "CRITICAL"),
        ("bank-2", "E3", "STRUCTURING", "MEDIUM"),
    ]
    made = []
    for i, (tenant, enterprise, typology, severity) in enumerate(specs):
        fields = {"tenant": tenant, "enterprise_id": enterprise, "typology": typology}
        made += store.raise_alerts([new_alert(f"s{i}", severity=severity, **fields)], BANK)
    return [r.alert for r in made]


@pytest.mark.parametrize(
    ("query", "scope", "expected"),
    [
        (AlertQuery(), None, [3, 2, 1, 0]),
        (AlertQuery(), "bank-1", [1, 0]),
        (AlertQuery(tenant="bank-2"), "bank-1", []),
        (AlertQuery(tenant="bank-2"), None, [3, 2]),
        (AlertQuery(typology="PHANTOM_SHIPMENT"), None, [2, 0]),
        (AlertQuery(enterprise_id="E1"), "bank-2", [2]),
        (AlertQuery(severities=frozenset({"HIGH", "CRITICAL"})), None, [2, 0]),
        (AlertQuery(status="NEW"), None, [3, 2, 1, 0]),
        (AlertQuery(status="DISMISSED"), None, []),
    ],
)
def test_list_filters_and_tenant_scope(
    store: AlertStore,
    new_alert: Build,
    query: AlertQuery,
    scope: str | None,
    expected: list[int],
) -> None:
    seeded = _seed(_ticking_store(store), new_alert)
    page = store.list_alerts(query, scope, 0, "")
    assert [a.alert_id for a in page.items] == [seeded[i].alert_id for i in expected]
    assert page.next_page_token == ""


def test_list_filters_by_creation_time(store: AlertStore, new_alert: Build) -> None:
    seeded = _seed(_ticking_store(store), new_alert)
    middle = seeded[1].created_at
    after = store.list_alerts(AlertQuery(created_after=middle), None, 0, "").items
    before = store.list_alerts(AlertQuery(created_before=middle), None, 0, "").items
    assert [a.alert_id for a in after] == [
        seeded[3].alert_id,
        seeded[2].alert_id,
        seeded[1].alert_id,
    ]
    assert [a.alert_id for a in before] == [seeded[0].alert_id]
    assert seeded[1].created_at - seeded[0].created_at == timedelta(milliseconds=1)
    assert seeded[0].created_at.utcoffset() == timedelta(0)


def test_paging_walks_every_alert_once_newest_first(store: AlertStore, new_alert: Build) -> None:
    # Same timestamp for all: the alert_id half of the keyset has to break the ties.
    frozen = AlertStore(store.engine, store.trail, clock=lambda: 1_700_000_000_000_000)
    frozen.raise_alerts([new_alert(f"p{i}") for i in range(23)], BANK)
    seen: list[str] = []
    token = ""
    for _ in range(10):
        page = store.list_alerts(AlertQuery(), "bank-1", 5, token)
        seen += [a.alert_id for a in page.items]
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == 23 and len(set(seen)) == 23
    assert seen == sorted(seen, reverse=True)


def test_page_size_zero_means_fifty_and_large_is_capped(
    store: AlertStore, new_alert: Build
) -> None:
    store.raise_alerts([new_alert(f"d{i}") for i in range(MAX_PAGE_SIZE + 2)], BANK)
    default = store.list_alerts(AlertQuery(), None, 0, "")
    capped = store.list_alerts(AlertQuery(), None, 10_000, "")
    assert len(default.items) == 50 and default.next_page_token
    assert len(capped.items) == MAX_PAGE_SIZE and capped.next_page_token
    rest = store.list_alerts(AlertQuery(), None, 10_000, capped.next_page_token)
    assert len(rest.items) == 2 and rest.next_page_token == ""


def test_negative_page_size_is_invalid(store: AlertStore) -> None:
    with pytest.raises(ValidationError) as caught:
        store.list_alerts(AlertQuery(), None, -1, "")
    assert [v.field for v in caught.value.field_violations] == ["page_size"]


@pytest.mark.parametrize("token", ["not-a-token", "eyJ4IjoxfQ", "!!!"])
def test_garbage_page_token_is_invalid(store: AlertStore, token: str) -> None:
    with pytest.raises(ValidationError) as caught:
        store.list_alerts(AlertQuery(), None, 5, token)
    assert [v.field for v in caught.value.field_violations] == ["page_token"]


def test_page_token_only_fits_its_own_query(store: AlertStore, new_alert: Build) -> None:
    store.raise_alerts([new_alert(f"q{i}") for i in range(4)], BANK)
    token = store.list_alerts(AlertQuery(), "bank-1", 2, "").next_page_token
    assert token
    with pytest.raises(ValidationError):
        store.list_alerts(AlertQuery(typology="STRUCTURING"), "bank-1", 2, token)
    with pytest.raises(ValidationError):
        store.list_alerts(AlertQuery(), None, 2, token)


def test_backlog_by_severity(store: AlertStore, new_alert: Build) -> None:
    _seed(_ticking_store(store), new_alert)
    backlog = store.backlog_by_severity(["NEW"])
    assert {k: v.count for k, v in backlog.items()} == {
        "HIGH": 1,
        "LOW": 1,
        "CRITICAL": 1,
        "MEDIUM": 1,
    }
    start = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert backlog["HIGH"].oldest == start
    assert backlog["MEDIUM"].oldest == start + timedelta(milliseconds=3)
    assert store.backlog_by_severity(["REPORTED"]) == {}


def test_a_page_of_alerts_resumes_after_any_of_its_alerts(
    store: AlertStore, new_alert: Callable[..., NewAlert]
) -> None:
    # The wire layer keeps as many alerts as fit in a response and resumes after the last one.
    store.raise_alerts([new_alert(f"r{i}") for i in range(7)], BANK)
    whole = store.list_alerts(AlertQuery(), BANK.tenant, 50, "")
    assert len(whole.items) == 7 and whole.next_page_token == ""
    seen: list[str] = []
    token = ""
    while True:
        page = store.list_alerts(AlertQuery(), BANK.tenant, 50, token).first(2)
        seen += [a.alert_id for a in page.items]
        token = page.next_page_token
        if not token:
            break
    assert seen == [a.alert_id for a in whole.items]
