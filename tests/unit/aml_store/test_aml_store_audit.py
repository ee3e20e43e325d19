"""The audit verifier finds edited, deleted and truncated events by sequence number."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from services.aml.alert_records import NewAlert
from services.aml.migrations.schema import alert_events
from services.aml.review import Decision, review
from services.aml.store import AlertStore

from .conftest import BANK, REGULATOR

Build = Callable[..., NewAlert]


@contextmanager
def _tampering(store: AlertStore) -> Iterator[sa.Connection]:
    """A connection with the append-only triggers out of the way, as an intruder with DDL
    rights would have; the hash chain must still tell."""
    with store.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("ALTER TABLE alert_events DISABLE TRIGGER USER")
        else:
            connection.exec_driver_sql("DROP TRIGGER alert_events_no_update")
            connection.exec_driver_sql("DROP TRIGGER alert_events_no_delete")
        yield connection


def _history(store: AlertStore, new_alert: Build) -> None:
    """Six events: three CREATED, then three reviews of the first alert."""
    raised = store.raise_alerts([new_alert("a"), new_alert("b"), new_alert("c")], BANK)
    alert = raised[0].alert
    for decision, note in [
        (Decision.START_REVIEW, ""),
        (Decision.ESCALATE, "big"),
        (Decision.REPORT, "STR filed"),
    ]:
        alert = review(store, alert.alert_id, decision, note, alert.version, REGULATOR)


def test_untouched_chain_verifies(store: AlertStore, new_alert: Build) -> None:
    _history(store, new_alert)
    report = store.verify_audit()
    assert report.ok and report.events_checked == 6 and report.head_seq == 6
    assert report.first_bad_seq is None


def test_empty_chain_verifies(store: AlertStore) -> None:
    report = store.verify_audit()
    assert report.ok and report.events_checked == 0


@pytest.mark.parametrize(
    "change",
    [
        {"note": "nothing to see"},
        {"to_status": "DISMISSED"},
        {"actor_tenant": "someone-else"},
        {"payload": '{"decision":"DISMISS"}'},
        {"created_at": 1},
    ],
)
def test_edited_event_is_found(
    store: AlertStore, new_alert: Build, change: dict[str, object]
) -> None:
    _history(store, new_alert)
    with _tampering(store) as connection:
        connection.execute(alert_events.update().where(alert_events.c.seq == 5).values(**change))
    report = store.verify_audit()
    assert not report.ok and report.first_bad_seq == 5
    assert [(p.seq, p.kind) for p in report.problems] == [(5, "EDITED")]


def test_edit_with_a_hash_recomputed_without_the_key_is_found(
    store: AlertStore, new_alert: Build
) -> None:
    import hashlib

    from services.aml.audit import canonical_json

    _history(store, new_alert)
    with _tampering(store) as connection:
        row = dict(
            connection.execute(sa.select(alert_events).where(alert_events.c.seq == 4))
            .mappings()
            .one()
        )
        row["note"] = "rewritten"
        body = {k: row[k] for k in row if k != "hash"}
        forged = hashlib.sha256(canonical_json(body).encode()).hexdigest()
        connection.execute(
            alert_events.update()
            .where(alert_events.c.seq == 4)
            .values(note="rewritten", hash=forged)
        )
    report = store.verify_audit()
    assert report.first_bad_seq == 4
    assert [(p.seq, p.kind) for p in report.problems] == [(4, "EDITED"), (5, "BROKEN_LINK")]


def test_deleted_event_is_found(store: AlertStore, new_alert: Build) -> None:
    _history(store, new_alert)
    with _tampering(store) as connection:
        connection.execute(alert_events.delete().where(alert_events.c.seq == 3))
    report = store.verify_audit()
    assert report.first_bad_seq == 3
    assert report.problems[0].kind == "DELETED"
    assert report.events_checked == 5


def test_deleted_newest_events_are_found(store: AlertStore, new_alert: Build) -> None:
    _history(store, new_alert)
    with _tampering(store) as connection:
        connection.execute(alert_events.delete().where(alert_events.c.seq >= 5))
    report = store.verify_audit()
    # The reviewed alert's row still says REPORTED; its last surviving event says ESCALATED.
    assert [(p.seq, p.kind) for p in report.problems] == [(4, "ALERT_MISMATCH"), (5, "DELETED")]
