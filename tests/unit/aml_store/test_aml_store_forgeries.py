"""Seven forgeries by someone who can write the database but holds neither the audit key nor
the checkpoint folder: `verify_audit` catches each one and says where history diverges."""

from __future__ import annotations

import hashlib
from typing import Any

import sqlalchemy as sa

from services.aml.audit import canonical_json
from services.aml.migrations.schema import GENESIS_HASH, alert_events, alerts, audit_head
from services.aml.store import AlertStore

from .test_aml_store_audit import Build, _history, _tampering


def _unkeyed_hash(row: dict[str, Any]) -> str:
    """The best an intruder without the key can do: the old, unkeyed SHA-256 of the event."""
    body = {k: v for k, v in row.items() if k != "hash"}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def _event(connection: sa.Connection, seq: int) -> dict[str, Any]:
    query = sa.select(alert_events).where(alert_events.c.seq == seq)
    return dict(connection.execute(query).mappings().one())


def _kinds(store: AlertStore) -> list[tuple[int, str]]:
    return [(p.seq, p.kind) for p in store.verify_audit().problems]


def _unreviewed(connection: sa.Connection, reviewed: str) -> tuple[int, str]:
    """The CREATED event and id of an alert that was never reviewed."""
    return next(
        (seq, str(_event(connection, seq)["alert_id"]))
        for seq in (1, 2, 3)
        if _event(connection, seq)["alert_id"] != reviewed
    )


def _checkpointed_history(store: AlertStore, new_alert: Build) -> str:
    """Six events (three alerts, three reviews of the first), the tip checkpointed; returns
    the reviewed alert's id."""
    _history(store, new_alert)
    store.checkpoint_audit()
    with store.reader.connect() as connection:
        return str(_event(connection, 4)["alert_id"])


def test_an_appended_dismiss_is_found(store: AlertStore, new_alert: Build) -> None:
    alert_id = _checkpointed_history(store, new_alert)
    with _tampering(store) as connection:
        last = _event(connection, 6)
        forged = {
            **last,
            "seq": 7,
            "event_type": "REVIEWED",
            "from_status": last["to_status"],
            "to_status": "DISMISSED",
            "note": "false positive",
            "prev_hash": last["hash"],
        }
        forged["hash"] = _unkeyed_hash(forged)
        connection.execute(alert_events.insert().values(**forged))
        connection.execute(audit_head.update().values(seq=7, hash=forged["hash"]))
        connection.execute(
            alerts.update().where(alerts.c.alert_id == alert_id).values(status="DISMISSED")
        )
    assert _kinds(store) == [(7, "EDITED")]
    assert store.verify_audit().first_bad_seq == 7


def test_a_rewritten_historic_event_is_found(store: AlertStore, new_alert: Build) -> None:
    _checkpointed_history(store, new_alert)
    with _tampering(store) as connection:
        row = _event(connection, 5)
        row["note"] = "nothing to report"
        connection.execute(
            alert_events.update()
            .where(alert_events.c.seq == 5)
            .values(note=row["note"], hash=_unkeyed_hash(row))
        )
    assert _kinds(store)[0] == (5, "EDITED")
    assert store.verify_audit().first_bad_seq == 5


def test_an_erased_review_history_is_found(store: AlertStore, new_alert: Build) -> None:
    alert_id = _checkpointed_history(store, new_alert)
    with _tampering(store) as connection:
        connection.execute(alert_events.delete().where(alert_events.c.seq.between(4, 6)))
        connection.execute(
            alerts.update().where(alerts.c.alert_id == alert_id).values(status="NEW", version=1)
        )
        head = _event(connection, 3)
        connection.execute(audit_head.update().values(seq=3, hash=head["hash"]))
    report = store.verify_audit()
    assert (4, "TRUNCATED") in [(p.seq, p.kind) for p in report.problems]
    assert report.first_bad_seq == 4


def test_a_deleted_alert_with_its_events_is_found(store: AlertStore, new_alert: Build) -> None:
    reviewed = _checkpointed_history(store, new_alert)
    with _tampering(store) as connection:
        seq, victim = _unreviewed(connection, reviewed)
        connection.execute(alert_events.delete().where(alert_events.c.alert_id == victim))
        connection.execute(alerts.delete().where(alerts.c.alert_id == victim))
    assert _kinds(store) == [(seq, "DELETED")]


def test_a_truncated_tail_is_found(store: AlertStore, new_alert: Build) -> None:
    _checkpointed_history(store, new_alert)
    with _tampering(store) as connection:
        connection.execute(alert_events.delete().where(alert_events.c.seq >= 5))
        head = _event(connection, 4)
        connection.execute(audit_head.update().values(seq=4, hash=head["hash"]))
    report = store.verify_audit()
    assert (5, "TRUNCATED") in [(p.seq, p.kind) for p in report.problems]
    assert report.first_bad_seq == 4  # the reviewed alert no longer matches event 4


def test_a_status_changed_without_an_event_is_found(store: AlertStore, new_alert: Build) -> None:
    reviewed = _checkpointed_history(store, new_alert)
    with store.engine.begin() as connection:  # an ordinary UPDATE: no trigger stands in the way
        seq, victim = _unreviewed(connection, reviewed)
        connection.execute(
            alerts.update().where(alerts.c.alert_id == victim).values(status="DISMISSED")
        )
    assert _kinds(store) == [(seq, "ALERT_MISMATCH")]


def test_a_wiped_log_with_the_head_reset_to_genesis_is_found(
    store: AlertStore, new_alert: Build
) -> None:
    _checkpointed_history(store, new_alert)
    with _tampering(store) as connection:
        connection.execute(alert_events.delete())
        connection.execute(alerts.delete())
        connection.execute(audit_head.update().values(seq=0, hash=GENESIS_HASH))
    report = store.verify_audit()
    assert [(p.seq, p.kind) for p in report.problems] == [(1, "TRUNCATED")]
    assert "events 1..6 were removed" in report.problems[0].detail


def test_a_forged_checkpoint_file_is_reported(store: AlertStore, new_alert: Build) -> None:
    _checkpointed_history(store, new_alert)
    assert store.trail.checkpoints is not None
    [written] = list(store.trail.checkpoints.folder.glob("checkpoint-*.json"))
    written.write_text(written.read_text().replace('"seq": 6', '"seq": 2'))
    assert [p.kind for p in store.verify_audit().problems] == ["CHECKPOINT_FORGED"]
