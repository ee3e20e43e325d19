"""Stored screening responses and shadow results: what makes a screening idempotent.

A screening's alerts, its response (kept for replays of the same request id) and its shadow
result commit in one transaction, so a crash never leaves an alert without the response that
announced it, nor a response without its alert.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from services.aml.alert_records import Actor, NewAlert, RaisedAlert
from services.aml.migrations.schema import screenings, shadow_results
from services.aml.persistence import dumps, guard, new_rows
from services.aml.rules.history import StagedEntries
from services.aml.store import AlertStore, Transaction, raise_alerts_in
from services.common.prepared import Prepared, any_of

_S = screenings.c
_STORED = Prepared(
    sa.select(_S.request_id, _S.fingerprint, _S.response).where(
        _S.tenant == sa.bindparam("tenant"), any_of(_S.request_id, "request_ids")
    ),
    lists=["request_ids"],
)


@dataclass(frozen=True, slots=True)
class ShadowRecord:
    """What the shadow ruleset would have alerted on for one screened trade."""

    ruleset_version: str
    live_version: str
    subject_key: str
    risk_score: float
    would_alert: Sequence[str]
    added: Sequence[str]
    removed: Sequence[str]


@dataclass(slots=True, unsafe_hash=True)
class ScreeningWrite:
    """One screened trade to commit: its alerts, and how to render the stored response.

    `render` receives the stored alerts (deduplicated, with their ids, and whether this
    commit created them) and returns the serialized response kept for replays of the same
    `request_id` ("" = no idempotency).
    """

    request_id: str
    fingerprint: str
    alerts: Sequence[NewAlert]
    render: Callable[[Sequence[RaisedAlert]], bytes]
    shadow: ShadowRecord | None = None


@dataclass(slots=True, unsafe_hash=True)
class ScreeningOutcome:
    """The committed (or replayed) response of one screening."""

    response: bytes
    fingerprint: str
    replayed: bool
    raised: tuple[RaisedAlert, ...] = ()


@dataclass(slots=True, unsafe_hash=True)
class StoredScreening:
    """A response already stored for a request id."""

    fingerprint: str
    response: bytes


@dataclass(frozen=True, slots=True)
class ShadowSummary:
    """How a shadow ruleset compares with the live one over the trades it has seen."""

    ruleset_version: str
    screened: int
    would_alert: int
    added: int
    removed: int


class ScreeningStore:
    """Screenings committed with their alerts, and the responses stored for replays."""

    def __init__(self, store: AlertStore) -> None:
        self._store = store

    def find(self, tenant: str, request_ids: Iterable[str]) -> dict[str, StoredScreening]:
        """Responses already stored for these request ids (to answer replays without work)."""
        wanted = sorted({rid for rid in request_ids if rid})
        if not wanted:
            return {}
        # One lone SELECT on a pooled connection, outside any transaction (no BEGIN, no
        # ROLLBACK): a unary batch runs it once per handful of calls.
        with guard():
            rows = _STORED.read(self._store.reader, tenant=tenant, request_ids=wanted)
        return {rid: StoredScreening(fingerprint, bytes(body)) for rid, fingerprint, body in rows}

    def commit(
        self,
        tenant: str,
        writes: Sequence[ScreeningWrite],
        actor: Actor,
        history: Sequence[StagedEntries] = (),
    ) -> list[ScreeningOutcome]:
        """Commit a batch of screened trades atomically: alerts, events, responses, shadows,
        and the history entries the trades add (`history`, written whatever is replayed:
        entries are idempotent per document).

        A request id seen before (earlier, or earlier in this batch) gets the stored response
        back and changes nothing.
        """
        return self._store.write(lambda tx: self._commit_in(tx, tenant, writes, actor, history))

    def _commit_in(
        self,
        tx: Transaction,
        tenant: str,
        writes: Sequence[ScreeningWrite],
        actor: Actor,
        history: Sequence[StagedEntries],
    ) -> list[ScreeningOutcome]:
        connection, chain = tx
        stored = _stored(connection, tenant, [w.request_id for w in writes])
        fresh = _first_of_each_request(writes, stored)
        new = [a for i in fresh for a in writes[i].alerts]
        raised = raise_alerts_in(connection, chain, new, actor)
        chosen = [writes[i] for i in fresh]
        done = self._save_fresh(connection, tenant, chosen, raised, chain.now_us)
        for entries in history:
            entries.write_in(tx)
        return _outcomes_in_order(writes, stored, dict(zip(fresh, done, strict=True)))

    def _save_fresh(
        self,
        connection: sa.Connection,
        tenant: str,
        fresh: Sequence[ScreeningWrite],
        raised: Mapping[tuple[str, str], RaisedAlert],
        now: int,
    ) -> list[ScreeningOutcome]:
        outcomes: list[ScreeningOutcome] = []
        rows: list[tuple[Any, ...]] = []
        shadows: list[tuple[Any, ...]] = []
        for write in fresh:
            alerts = write.alerts
            mine = tuple(raised[(a.tenant, a.dedup_key)] for a in alerts) if alerts else ()
            response = write.render(mine)
            outcomes.append(ScreeningOutcome(response, write.fingerprint, False, mine))
            if write.request_id:
                rows.append((tenant, write.request_id, write.fingerprint, response, now))
            if write.shadow is not None:
                shadows.append(_shadow_row(tenant, write.shadow, now))
        new_rows(connection, screenings).write_many(connection, rows)
        new_rows(connection, shadow_results).write_many(connection, shadows)
        return outcomes

    def shadow_summary(self, ruleset_version: str) -> ShadowSummary:
        """Counts over the shadow results recorded for `ruleset_version`."""
        s = shadow_results.c
        select = sa.select(s.would_alert, s.added, s.removed).where(
            s.ruleset_version == ruleset_version
        )
        screened = would = added = removed = 0
        with guard(), self._store.reader.connect() as connection:
            for row in connection.execute(select):
                screened += 1
                would += len(json.loads(row.would_alert))
                added += len(json.loads(row.added))
                removed += len(json.loads(row.removed))
        return ShadowSummary(ruleset_version, screened, would, added, removed)


def _stored(
    connection: sa.Connection, tenant: str, request_ids: Iterable[str]
) -> dict[str, StoredScreening]:
    wanted = sorted({rid for rid in request_ids if rid})
    if not wanted:
        return {}
    rows = _STORED.fetch(connection, tenant=tenant, request_ids=wanted)
    return {rid: StoredScreening(fingerprint, bytes(body)) for rid, fingerprint, body in rows}


def _first_of_each_request(
    writes: Sequence[ScreeningWrite], stored: Mapping[str, StoredScreening]
) -> list[int]:
    """Positions to perform: no stored response and not repeated earlier in the batch."""
    seen: set[str] = set(stored)
    fresh: list[int] = []
    for index, write in enumerate(writes):
        if write.request_id in seen:
            continue
        if write.request_id:
            seen.add(write.request_id)
        fresh.append(index)
    return fresh


def _outcomes_in_order(
    writes: Sequence[ScreeningWrite],
    stored: Mapping[str, StoredScreening],
    done: Mapping[int, ScreeningOutcome],
) -> list[ScreeningOutcome]:
    """One outcome per write; repeats replay what was stored before or earlier in the batch."""
    if len(done) == len(writes):  # nothing repeated (`done` is keyed by position)
        return [done[i] for i in range(len(writes))]
    replays = {k: ScreeningOutcome(v.response, v.fingerprint, True) for k, v in stored.items()}
    for index, outcome in done.items():
        request_id = writes[index].request_id
        if request_id:
            replays.setdefault(
                request_id, ScreeningOutcome(outcome.response, outcome.fingerprint, True)
            )
    return [done[i] if i in done else replays[w.request_id] for i, w in enumerate(writes)]


def _shadow_row(tenant: str, shadow: ShadowRecord, now: int) -> tuple[Any, ...]:
    """A `shadow_results` row, in the table's column order."""
    return (
        shadow.ruleset_version,
        tenant,
        shadow.subject_key,
        shadow.live_version,
        float(shadow.risk_score),
        dumps(list(shadow.would_alert)),
        dumps(list(shadow.added)),
        dumps(list(shadow.removed)),
        now,
    )
