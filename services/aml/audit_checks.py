"""Checks of the audit log beyond its own links: the checkpoints kept outside the database, and
every alert row against the last event that set its status."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from services.aml.audit_trail import Checkpoint
from services.aml.migrations.schema import alert_events, alerts


@dataclass(frozen=True, slots=True)
class AuditProblem:
    """One broken link: the sequence number where the chain stops being trustworthy."""

    seq: int
    kind: str
    detail: str


def against_checkpoints(
    checkpoints: Iterable[Checkpoint], seen: Mapping[int, str], last_seq: int
) -> list[AuditProblem]:
    """A checkpointed tip must still be in the log, with the same MAC.

    The earliest checkpoint that no longer holds is where history diverges: the log was cut
    back (events after ``last_seq`` gone, the tip reset) or rewritten from there on.
    """
    for checkpoint in sorted(checkpoints, key=lambda c: c.seq):
        when = datetime.fromtimestamp(checkpoint.written_at, UTC).isoformat(timespec="seconds")
        if checkpoint.seq > last_seq:
            detail = (
                f"the log ends at event {last_seq}, but event {checkpoint.seq} was its tip at "
                f"{when}: events {last_seq + 1}..{checkpoint.seq} were removed"
            )
            return [AuditProblem(last_seq + 1, "TRUNCATED", detail)]
        if seen.get(checkpoint.seq) != checkpoint.hash:
            detail = f"event {checkpoint.seq} differs from the checkpoint written at {when}"
            return [AuditProblem(checkpoint.seq, "REWRITTEN", detail)]
    return []


def alert_rows(connection: sa.Connection) -> list[AuditProblem]:
    """Every alert's status must be the one its last status event set."""
    events = alert_events.alias("status_events")
    last = (
        sa.select(sa.func.max(events.c.seq))
        .where(events.c.alert_id == alerts.c.alert_id, events.c.to_status.is_not(None))
        .correlate(alerts)
        .scalar_subquery()
    )
    query = (
        sa.select(alerts.c.alert_id, alerts.c.status, alert_events.c.seq, alert_events.c.to_status)
        .select_from(alerts.outerjoin(alert_events, alert_events.c.seq == last))
        .order_by(alert_events.c.seq)
    )
    problems = []
    for alert_id, status, seq, to_status in connection.execute(query):
        if seq is None:
            detail = f"alert {alert_id} has no event in the log"
            problems.append(AuditProblem(0, "ALERT_WITHOUT_HISTORY", detail))
        elif status != to_status:
            detail = f"alert {alert_id} is {status}, but its last event (seq {seq}) set {to_status}"
            problems.append(AuditProblem(seq, "ALERT_MISMATCH", detail))
    return problems
