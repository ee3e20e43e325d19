"""The alert store (SQLAlchemy Core): the database handle, and alerts with their review.

Every write transaction first locks the audit chain tip, which orders appends and, on SQLite,
is what BEGIN IMMEDIATE does anyway. Any failure to reach the database surfaces as
`UnavailableError`. The other jobs on the same database have their own modules: stored
screening responses (`screening_store`), the watchlist (`watchlist_store`), the audit chain
(`audit`), retention (`retention`) and paging (`page_tokens`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, TypeVar

import sqlalchemy as sa

from services.aml import audit
from services.aml.alert_queries import (
    alert_filters,
    count_by_group,
    oldest_created,
    query_key,
    sort_key_select,
    sort_order,
)
from services.aml.alert_records import (
    Actor,
    Alert,
    AlertCounts,
    AlertEvent,
    AlertQuery,
    AlertStatus,
    Backlog,
    NewAlert,
    RaisedAlert,
    alert_from_row,
    alert_row,
    created_event,
    event_from_row,
    unique_by_key,
)
from services.aml.audit import AuditChain, EventDraft
from services.aml.audit_trail import AuditTrail
from services.aml.migrations import upgrade
from services.aml.migrations.schema import alert_events, alerts, audit_head
from services.aml.page_tokens import page_size_or_default
from services.aml.persistence import (
    EPOCH,
    create_store_engine,
    guard,
    new_rows,
    now_us,
    to_datetime,
)
from services.common.database import READ_ONLY
from services.common.errors import (
    ConflictError,
    NotFoundError,
    TradeGuardError,
    UnavailableError,
)
from services.common.group_commit import GroupCommit
from services.common.paging import Page, PageTokens, query_scope
from services.common.prepared import Prepared, any_of

#: What a unit of work writes with: the connection and the audit chain of its transaction.
Transaction = tuple[sa.Connection, AuditChain]
R = TypeVar("R")


class AlertStore:
    """The AML database: write transactions with the audit chain locked, and the alerts."""

    def __init__(
        self, engine: sa.Engine, trail: AuditTrail, clock: Callable[[], int] = now_us
    ) -> None:
        self.engine = engine
        self.reader = engine.execution_options(**{READ_ONLY: True})
        self.trail = trail
        self.page_tokens = PageTokens(trail.key.derive("page-tokens"))
        self._clock = clock
        self._group = GroupCommit(
            self.writing, isolated=(TradeGuardError,), shared_failures=(UnavailableError,)
        )

    @classmethod
    def open(cls, url: str, trail: AuditTrail, *, migrate: bool = True) -> AlertStore:
        """Connect to `url` and (by default) bring the schema up to date; `trail` holds the
        audit key and checkpoint folder, which live outside the database."""
        engine = create_store_engine(url)
        if migrate:
            with guard():
                upgrade(engine)
        return cls(engine, trail)

    def close(self) -> None:
        self.engine.dispose()

    def ping(self) -> bool:
        """True when the database answers; used by the health check."""
        try:
            with self.reader.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except sa.exc.SQLAlchemyError:
            return False
        return True

    def write(self, work: Callable[[Transaction], R]) -> R:
        """`work` inside a write transaction shared with concurrent writers (one commit, one
        flush for all of them); returns once that transaction is durable. `work` may raise a
        `TradeGuardError` only before it writes anything."""
        return self._group.run(work)

    @contextmanager
    def writing(self) -> Iterator[Transaction]:
        """One write transaction with the audit chain locked; events are flushed on success."""
        with guard(), self.engine.begin() as connection:
            chain = AuditChain(connection, self._clock(), self.trail.key)
            yield connection, chain
            chain.flush()

    # --- alerts -----------------------------------------------------------------------------

    def raise_alerts(self, new: Sequence[NewAlert], actor: Actor) -> list[RaisedAlert]:
        """Store alerts with their CREATED events in one transaction; duplicates return the
        alert already stored under the same (tenant, dedup_key)."""
        stored = self.write(lambda tx: raise_alerts_in(*tx, new, actor))
        return [stored[(alert.tenant, alert.dedup_key)] for alert in new]

    def get_alert(self, alert_id: str, tenant_scope: str | None) -> Alert:
        """The alert, if it exists and `tenant_scope` (None = every tenant) may see it.

        An alert of another tenant is reported as not found, so its existence does not leak.
        """
        query = sa.select(alerts).where(alerts.c.alert_id == alert_id)
        if tenant_scope is not None:
            query = query.where(alerts.c.tenant == tenant_scope)
        with guard(), self.reader.connect() as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            raise NotFoundError(f"alert {alert_id!r} not found")
        return alert_from_row(row)

    def list_alerts(
        self,
        query: AlertQuery,
        tenant_scope: str | None,
        page_size: int,
        page_token: str,
        order_by: str = "",
    ) -> Page[Alert]:
        """Alerts in `order_by` order (newest first by default), filtered, paged by keyset on
        (sort key, alert_id), with the total over all pages; the page can resume after any of
        its alerts."""
        size = page_size_or_default(page_size)
        order = sort_order(order_by)
        scope = query_scope(*query_key(query), tenant_scope, order.name)
        position = self.page_tokens.decode(page_token, scope)
        filters = alert_filters(query, tenant_scope)
        total = sa.select(sa.func.count()).select_from(alerts).where(*filters)
        if position is not None:
            filters.append(order.after(position))
        select = (
            sa.select(alerts, sort_key_select(order))
            .where(*filters)
            .order_by(*order.columns())
            .limit(size + 1)
        )
        with guard(), self.reader.connect() as connection:
            rows = connection.execute(select).mappings().all()
            total_size = int(connection.execute(total).scalar_one())
        items = [alert_from_row(r) for r in rows[:size]]

        def token_after(index: int) -> str:
            row = rows[index]
            return self.page_tokens.encode([row["sort_key"], row["alert_id"]], scope)

        return Page(items, len(rows) > size, token_after, total_size)

    def count_alerts(
        self, query: AlertQuery, tenant_scope: str | None, open_statuses: Iterable[str]
    ) -> AlertCounts:
        """Counts by typology, month and status, and the oldest open alert, for `query`."""
        filters = alert_filters(query, tenant_scope)
        open_only = [*filters, alerts.c.status.in_(sorted(open_statuses))]
        counts: dict[tuple[str, str, str], int] = {}
        with guard(), self.reader.connect() as connection:
            for typology, day, status, count in connection.execute(count_by_group(filters)):
                month = (EPOCH + timedelta(days=int(day))).strftime("%Y-%m")
                key = (typology, month, status)
                counts[key] = counts.get(key, 0) + int(count)
            oldest = connection.execute(oldest_created(open_only)).scalar_one()
        return AlertCounts(counts, None if oldest is None else to_datetime(int(oldest)))

    def list_events(
        self, alert_id: str, tenant_scope: str | None, page_size: int, page_token: str
    ) -> Page[AlertEvent]:
        """An alert's audit events in order, after checking the caller may see the alert."""
        self.get_alert(alert_id, tenant_scope)
        size = page_size_or_default(page_size)
        scope = query_scope("events", alert_id)
        position = self.page_tokens.decode(page_token, scope)
        after = int(position[0]) if position else 0
        select = (
            sa.select(alert_events)
            .where(alert_events.c.alert_id == alert_id, alert_events.c.seq > after)
            .order_by(alert_events.c.seq)
            .limit(size + 1)
        )
        with guard(), self.reader.connect() as connection:
            rows = connection.execute(select).mappings().all()
        events = [event_from_row(r) for r in rows[:size]]
        return Page(
            events, len(rows) > size, lambda i: self.page_tokens.encode([events[i].seq], scope)
        )

    def backlog_by_severity(self, statuses: Iterable[str]) -> dict[str, Backlog]:
        """How many alerts are in `statuses`, and since when, per severity (for the gauges)."""
        c = alerts.c
        select = (
            sa.select(c.severity, sa.func.count(), sa.func.min(c.created_at))
            .where(c.status.in_(list(statuses)))
            .group_by(c.severity)
        )
        with guard(), self.reader.connect() as connection:
            rows = connection.execute(select).all()
        return {severity: Backlog(count, to_datetime(oldest)) for severity, count, oldest in rows}

    def change_status(
        self,
        alert: Alert,
        to_status: AlertStatus,
        actor: Actor,
        note: str,
        payload: Mapping[str, Any],
    ) -> Alert:
        """Move `alert` (as read, at its version) to `to_status` and log the event atomically.

        The UPDATE only matches the version and status that were read, so a concurrent review
        that got there first makes this one fail with `ConflictError` (ABORTED).
        """

        def change(tx: Transaction) -> Alert:
            connection, chain = tx
            update = _status_update(alert, to_status, actor, note, chain.now_us)
            if connection.execute(update).rowcount != 1:
                # Nothing written: the group this change shares its commit with goes on.
                raise ConflictError(
                    f"alert {alert.alert_id!r} changed since version {alert.version}"
                )
            chain.append(_status_event(alert, to_status, actor, note, payload))
            row = connection.execute(sa.select(alerts).where(alerts.c.alert_id == alert.alert_id))
            return alert_from_row(row.mappings().one())

        return self.write(change)

    def verify_audit(self) -> audit.AuditReport:
        """Check the whole chain, the checkpoints and the alert rows (`audit.verify`)."""
        with guard():
            return audit.verify(self.reader, self.trail)

    def checkpoint_audit(self) -> None:
        """Write the chain tip to the checkpoint folder (nothing without one)."""
        if self.trail.checkpoints is None:
            return
        query = sa.select(audit_head.c.seq, audit_head.c.hash)
        with guard(), self.reader.connect() as connection:
            seq, head_hash = connection.execute(query).one()
        if seq:
            self.trail.checkpoints.write(int(seq), str(head_hash))


# The alerts stored under some (tenant, dedup_key) pairs, found through their unique index;
# the pairs not asked for are left out as the rows are read.
_ALERTS_BY_KEY = Prepared(
    sa.select(alerts).where(
        any_of(alerts.c.tenant, "tenants") & any_of(alerts.c.dedup_key, "keys")
    ),
    ["tenants", "keys"],
    typed=True,
)
_ALERT_COLUMNS = tuple(alerts.columns.keys())


def raise_alerts_in(
    connection: sa.Connection, chain: AuditChain, new: Sequence[NewAlert], actor: Actor
) -> dict[tuple[str, str], RaisedAlert]:
    """Insert the alerts not stored yet, with CREATED events; every alert asked for, stored,
    keyed by (tenant, dedup_key).

    The stored ones are read first, then the others inserted: the transaction holds the
    chain's lock, which every writer takes first, so none can come in between. Should an
    insert still find its key taken, every alert is read back as stored."""
    unique = unique_by_key(new)
    if not unique:
        return {}
    wanted = {(a.tenant, a.dedup_key) for a in unique}
    result = _stored_alerts(connection, wanted)
    now = chain.now_us
    rows = [alert_row(a, now) for a in unique if (a.tenant, a.dedup_key) not in result]
    values = [tuple(row[name] for name in _ALERT_COLUMNS) for row in rows]
    inserted = new_rows(connection, alerts).write_many(connection, values)
    if inserted == len(rows):
        for row in rows:
            alert = alert_from_row(row)
            result[(alert.tenant, alert.dedup_key)] = RaisedAlert(alert, True)
    else:  # a key taken meanwhile after all: what is stored wins
        mine = {row["alert_id"] for row in rows}
        result = {
            key: RaisedAlert(raised.alert, raised.alert.alert_id in mine)
            for key, raised in _stored_alerts(connection, wanted).items()
        }
    for raised in sorted(result.values(), key=lambda r: r.alert.alert_id):
        if raised.created:
            chain.append(created_event(raised.alert, actor))
    return result


def _stored_alerts(
    connection: sa.Connection, wanted: set[tuple[str, str]]
) -> dict[tuple[str, str], RaisedAlert]:
    """The alerts stored under the `wanted` (tenant, dedup_key) pairs (none created here)."""
    tenants = sorted({tenant for tenant, _ in wanted})
    keys = sorted({key for _, key in wanted})
    found: dict[tuple[str, str], RaisedAlert] = {}
    for values in _ALERTS_BY_KEY.fetch(connection, tenants=tenants, keys=keys):
        alert = alert_from_row(dict(zip(_ALERT_COLUMNS, values, strict=True)))
        if (alert.tenant, alert.dedup_key) in wanted:
            found[(alert.tenant, alert.dedup_key)] = RaisedAlert(alert, False)
    return found


def _status_update(
    alert: Alert, to_status: AlertStatus, actor: Actor, note: str, now: int
) -> sa.Update:
    """UPDATE guarded by the version and status the reviewer saw (optimistic concurrency)."""
    c = alerts.c
    return (
        alerts.update()
        .where(c.alert_id == alert.alert_id, c.version == alert.version)
        .where(c.status == alert.status.value)
        .values(
            status=to_status.value,
            version=c.version + 1,
            updated_at=now,
            last_reviewer=f"{actor.tenant}/{actor.role}",
            last_note=note,
        )
    )


def _status_event(
    alert: Alert, to_status: AlertStatus, actor: Actor, note: str, payload: Mapping[str, Any]
) -> EventDraft:
    return EventDraft(
        event_type="REVIEWED",
        actor_tenant=actor.tenant,
        actor_role=actor.role,
        alert_id=alert.alert_id,
        from_status=alert.status.value,
        to_status=to_status.value,
        note=note,
        payload={"version": alert.version + 1, **payload},
    )
