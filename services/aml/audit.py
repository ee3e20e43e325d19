"""The append-only, MAC-chained audit log of alert and watchlist changes.

Every event stores ``hash = HMAC-SHA256(key, canonical JSON of the event's fields, prev_hash
included)`` and ``prev_hash`` = the previous event's hash, with sequence numbers 1, 2, 3, ...
without gaps. The key is not in the database (see ``audit_trail``), so a database writer can
neither forge a new event nor rewrite an old one. Deleting one leaves a gap; deleting the newest
ones or wiping the log falls behind the checkpoints kept outside the database; an alert row
changed without an event no longer matches its last event.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from services.aml import audit_checks
from services.aml.audit_checks import AuditProblem
from services.aml.audit_trail import AuditKey, AuditTrail
from services.aml.migrations.schema import GENESIS_HASH, HEAD_ROW_ID, alert_events, audit_head
from services.common.prepared import Prepared

_HASHED_FIELDS = (
    "seq",
    "alert_id",
    "event_type",
    "from_status",
    "to_status",
    "actor_tenant",
    "actor_role",
    "note",
    "payload",
    "created_at",
    "prev_hash",
)
_VERIFY_BATCH = 1000


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no spaces, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(row: Mapping[Any, Any], key: AuditKey) -> str:
    """The MAC an event row must carry, computed from its other fields."""
    body = {name: row[name] for name in _HASHED_FIELDS}
    return key.mac(canonical_json(body))


@dataclass(frozen=True, slots=True)
class EventDraft:
    """An event about to be appended; the chain assigns seq, time and hashes."""

    event_type: str
    actor_tenant: str
    actor_role: str
    alert_id: str | None = None
    from_status: str | None = None
    to_status: str | None = None
    note: str = ""
    payload: Mapping[str, Any] = field(default_factory=dict)


_HEAD = audit_head.c
# Every write transaction runs these: prepared once (see services.common.prepared).
_LOCK_HEAD = Prepared(
    sa.select(_HEAD.seq, _HEAD.hash).where(_HEAD.id == sa.bindparam("id")).with_for_update()
)
_APPEND = Prepared(alert_events.insert())
_MOVE_HEAD = Prepared(
    audit_head.update()
    .where(_HEAD.id == sa.bindparam("id"))
    .values(seq=sa.bindparam("seq"), hash=sa.bindparam("hash"))
)


class AuditChain:
    """The chain tip, locked for one write transaction; appends are buffered until `flush`.

    Taking the lock first in every write transaction orders all appends and avoids deadlocks
    between writers that would otherwise lock alert rows and the tip in different orders.
    """

    def __init__(self, connection: sa.Connection, now_us: int, key: AuditKey) -> None:
        self._connection = connection
        self._now_us = now_us
        self._key = key
        self._seq: int
        self._hash: str
        [(self._seq, self._hash)] = _LOCK_HEAD.fetch(connection, id=HEAD_ROW_ID)
        self._pending: list[dict[str, Any]] = []

    @property
    def now_us(self) -> int:
        """The transaction's timestamp, shared by its events and the rows they describe."""
        return self._now_us

    def append(self, draft: EventDraft) -> dict[str, Any]:
        """Chain one event after the current tip and return its full row."""
        row: dict[str, Any] = {
            "seq": self._seq + 1,
            "alert_id": draft.alert_id,
            "event_type": draft.event_type,
            "from_status": draft.from_status,
            "to_status": draft.to_status,
            "actor_tenant": draft.actor_tenant,
            "actor_role": draft.actor_role,
            "note": draft.note,
            "payload": canonical_json(dict(draft.payload)),
            "created_at": self._now_us,
            "prev_hash": self._hash,
        }
        row["hash"] = event_hash(row, self._key)
        self._seq, self._hash = row["seq"], row["hash"]
        self._pending.append(row)
        return row

    def flush(self) -> None:
        """Write the buffered events and move the tip, inside the caller's transaction."""
        if not self._pending:
            return
        names = _APPEND.names(self._connection.dialect)
        rows = [tuple(row[name] for name in names) for row in self._pending]
        _APPEND.write_many(self._connection, rows)
        _MOVE_HEAD.run(self._connection, id=HEAD_ROW_ID, seq=self._seq, hash=self._hash)
        self._pending = []


@dataclass(frozen=True, slots=True)
class AuditReport:
    """The verifier's verdict over the whole log."""

    events_checked: int
    head_seq: int
    problems: tuple[AuditProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_seq(self) -> int | None:
        """Where history first diverges; 0 when only rows outside the chain are wrong."""
        if not self.problems:
            return None
        return min((p.seq for p in self.problems if p.seq > 0), default=0)


def _rows(connection: sa.Connection, last_seq: int) -> Iterator[Mapping[Any, Any]]:
    """Events 1..last_seq in order, read in keyset batches so memory stays flat."""
    after = 0
    while True:
        query = (
            sa.select(alert_events)
            .where(alert_events.c.seq > after, alert_events.c.seq <= last_seq)
            .order_by(alert_events.c.seq)
            .limit(_VERIFY_BATCH)
        )
        batch = connection.execute(query).mappings().all()
        if not batch:
            return
        yield from batch
        after = batch[-1]["seq"]


def _check_row(row: Mapping[Any, Any], seq: int, prev: str, key: AuditKey) -> list[AuditProblem]:
    problems: list[AuditProblem] = []
    if row["seq"] != seq:
        detail = f"events {seq}..{row['seq'] - 1} are missing"
        problems.append(AuditProblem(seq, "DELETED", detail))
    elif row["prev_hash"] != prev:
        problems.append(AuditProblem(seq, "BROKEN_LINK", "prev_hash does not match event before"))
    if event_hash(row, key) != row["hash"]:
        problems.append(AuditProblem(row["seq"], "EDITED", "content does not match its hash"))
    return problems


def _check_tip(head_seq: int, head_hash: str, last_seq: int, last_hash: str) -> list[AuditProblem]:
    if head_seq > last_seq:
        detail = f"events {last_seq + 1}..{head_seq} are missing at the end"
        return [AuditProblem(last_seq + 1, "DELETED", detail)]
    if head_hash != last_hash:
        return [AuditProblem(last_seq, "HEAD_MISMATCH", "chain tip does not match last event")]
    return []


def verify(reader: sa.Engine, trail: AuditTrail) -> AuditReport:
    """Walk the chain up to its tip once and report every broken link by sequence number,
    then hold the chain against the checkpoints and the alert rows against their events.

    The tip is read first: events appended while the walk runs lie beyond it and are left for
    the next run, so a busy store is never reported as truncated. `reader` should be a
    read-only engine (see `AlertStore.reader`) so that the walk takes no write lock.
    """
    checkpoints, forged = trail.checkpoints.read() if trail.checkpoints else ([], [])
    wanted = {c.seq for c in checkpoints}
    problems: list[AuditProblem] = []
    seen: dict[int, str] = {}
    expected_seq, prev, count = 1, GENESIS_HASH, 0
    with reader.connect() as connection:
        head = connection.execute(sa.select(audit_head).where(audit_head.c.id == HEAD_ROW_ID)).one()
        for row in _rows(connection, head.seq):
            problems.extend(_check_row(row, expected_seq, prev, trail.key))
            if row["seq"] in wanted:
                seen[row["seq"]] = row["hash"]
            expected_seq, prev, count = row["seq"] + 1, row["hash"], count + 1
        problems.extend(audit_checks.alert_rows(connection))
    problems.extend(_check_tip(head.seq, head.hash, expected_seq - 1, prev))
    problems.extend(audit_checks.against_checkpoints(checkpoints, seen, expected_seq - 1))
    problems.extend(AuditProblem(0, "CHECKPOINT_FORGED", name) for name in forged)
    return AuditReport(events_checked=count, head_seq=head.seq, problems=tuple(problems))
