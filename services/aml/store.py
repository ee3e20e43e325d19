"""The durable alert store (SQLAlchemy Core): alerts, screenings, shadow results, audit events.

SQLite by default (WAL, synchronous=FULL, busy timeout, foreign keys), PostgreSQL by URL
(psycopg 3, synchronous_commit=on). Every write transaction first locks the audit chain tip,
which orders appends and, on SQLite, is what BEGIN IMMEDIATE does anyway. Any failure to reach
the database surfaces as `UnavailableError`; `pool_pre_ping` replaces dead connections, so the
store recovers by itself when the database returns.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from services.aml import audit
from services.aml.alert_queries import count_by_group, oldest_created, sort_key_select, sort_order
from services.aml.audit import AuditChain, EventDraft
from services.aml.migrations import upgrade
from services.aml.migrations.schema import alert_events, alerts, screenings, shadow_results
from services.common.database import READ_ONLY, store_engine
from services.common.errors import ConflictError, NotFoundError, UnavailableError, ValidationError

log = logging.getLogger("services.aml.store")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
BUSY_TIMEOUT_MS = 10_000
CONNECT_TIMEOUT_S = 5
T = TypeVar("T")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class AlertStatus(StrEnum):
    """Where an alert stands in the review workflow (transitions: `services.aml.review`)."""

    NEW = "NEW"
    IN_REVIEW = "IN_REVIEW"
    CONFIRMED = "CONFIRMED"
    DISMISSED = "DISMISSED"
    ESCALATED = "ESCALATED"
    REPORTED = "REPORTED"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who caused a change, as written into the audit log."""

    tenant: str
    role: str


@dataclass(frozen=True, slots=True)
class NewAlert:
    """An alert to raise; `dedup_key` decides whether it exists already for the tenant."""

    tenant: str
    dedup_key: str
    enterprise_id: str
    typology: str
    severity: str
    risk_score: float
    source: str
    ruleset_version: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    members: Sequence[str] = ()
    flows: Sequence[Mapping[str, Any]] = ()
    order_ids: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class Alert:
    """A stored alert; `version` grows by one with every status change."""

    alert_id: str
    tenant: str
    enterprise_id: str
    typology: str
    severity: str
    risk_score: float
    status: AlertStatus
    evidence: dict[str, Any]
    members: list[str]
    flows: list[dict[str, Any]]
    order_ids: list[str]
    dedup_key: str
    source: str
    ruleset_version: str
    created_at: datetime
    updated_at: datetime
    version: int
    last_reviewer: str = ""
    last_note: str = ""


@dataclass(frozen=True, slots=True)
class RaisedAlert:
    """The outcome of raising one alert: the stored row and whether this call created it."""

    alert: Alert
    created: bool


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """One audit event, as listed to reviewers."""

    seq: int
    alert_id: str | None
    event_type: str
    from_status: str | None
    to_status: str | None
    actor_tenant: str
    actor_role: str
    note: str
    payload: dict[str, Any]
    created_at: datetime
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class AlertQuery:
    """ListAlerts filters; empty strings and None mean "any"."""

    status: str = ""
    typology: str = ""
    severities: frozenset[str] = frozenset()
    enterprise_id: str = ""
    tenant: str = ""
    created_after: datetime | None = None
    created_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list and the opaque token for the next ("" when this is the last)."""

    items: list[T]
    next_page_token: str
    total_size: int | None = None


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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class ScreeningOutcome:
    """The committed (or replayed) response of one screening."""

    response: bytes
    fingerprint: str
    replayed: bool
    raised: tuple[RaisedAlert, ...] = ()


@dataclass(frozen=True, slots=True)
class StoredScreening:
    """A response already stored for a request id."""

    fingerprint: str
    response: bytes


@dataclass(frozen=True, slots=True)
class Backlog:
    """Alerts of one severity awaiting a decision: how many, and the oldest one's creation."""

    count: int
    oldest: datetime


@dataclass(frozen=True, slots=True)
class AlertCounts:
    """Alerts matching a query, counted by (typology, month "YYYY-MM", status)."""

    counts: dict[tuple[str, str, str], int]
    oldest_open: datetime | None


@dataclass(frozen=True, slots=True)
class ShadowSummary:
    """How a shadow ruleset compares with the live one over the trades it has seen."""

    ruleset_version: str
    screened: int
    would_alert: int
    added: int
    removed: int


def _now_us() -> int:
    return time.time_ns() // 1000


def to_datetime(micros: int) -> datetime:
    """Stored microseconds since the epoch -> aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=micros)


def to_micros(moment: datetime) -> int:
    """Aware datetime -> microseconds since the epoch (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


# --- paging -------------------------------------------------------------------------------


def page_size_or_default(page_size: int) -> int:
    """AIP-158: 0 means the default, larger than the maximum is coerced, negative is invalid."""
    if page_size < 0:
        raise ValidationError.for_field("page_size", "must not be negative")
    return min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def query_scope(*parts: Any) -> str:
    """A short fingerprint of a list query, so a token is only accepted for the same query."""
    return hashlib.sha256(audit.canonical_json([str(p) for p in parts]).encode()).hexdigest()[:16]


def encode_page_token(position: Sequence[Any], scope: str) -> str:
    """An opaque token: base64 JSON of the keyset position and the query fingerprint."""
    raw = audit.canonical_json({"p": list(position), "s": scope}).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_page_token(token: str, scope: str) -> list[Any] | None:
    """The keyset position in `token` (None for the first page); bad tokens are invalid input."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        position, token_scope = list(data["p"]), data["s"]
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise ValidationError.for_field("page_token", "is not a token this server issued") from exc
    if token_scope != scope:
        raise ValidationError.for_field("page_token", "was issued for a different query")
    return position


# --- engine -------------------------------------------------------------------------------


def create_store_engine(url: str) -> sa.Engine:
    """An engine for `sqlite:///path` or `postgresql://...` with the durability settings."""
    return store_engine(
        url,
        busy_timeout_ms=BUSY_TIMEOUT_MS,
        connect_timeout_s=CONNECT_TIMEOUT_S,
        pool_size=8,
        max_overflow=4,
    )


_UNREACHABLE = (
    sa.exc.OperationalError,
    sa.exc.InterfaceError,
    sa.exc.TimeoutError,
    sa.exc.DisconnectionError,
)


@contextmanager
def guard() -> Iterator[None]:
    """Turn "cannot reach or lock the database" into `UnavailableError` (UNAVAILABLE)."""
    try:
        yield
    except _UNREACHABLE as exc:
        log.warning("alert store unavailable", extra={"error": type(exc).__name__})
        raise UnavailableError("the alert store is unavailable; retry later") from exc
    except sa.exc.DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        log.warning("alert store connection lost", extra={"error": type(exc).__name__})
        raise UnavailableError("the alert store is unavailable; retry later") from exc


# --- rows -> records ----------------------------------------------------------------------


def _dumps(value: Any) -> str:
    return audit.canonical_json(value)


def _alert_from_row(row: Mapping[Any, Any]) -> Alert:
    return Alert(
        alert_id=row["alert_id"],
        tenant=row["tenant"],
        enterprise_id=row["enterprise_id"],
        typology=row["typology"],
        severity=row["severity"],
        risk_score=row["risk_score"],
        status=AlertStatus(row["status"]),
        evidence=json.loads(row["evidence"]),
        members=json.loads(row["members"]),
        flows=json.loads(row["flows"]),
        order_ids=json.loads(row["order_ids"]),
        dedup_key=row["dedup_key"],
        source=row["source"],
        ruleset_version=row["ruleset_version"],
        created_at=to_datetime(row["created_at"]),
        updated_at=to_datetime(row["updated_at"]),
        version=row["version"],
        last_reviewer=row["last_reviewer"],
        last_note=row["last_note"],
    )


def _event_from_row(row: Mapping[Any, Any]) -> AlertEvent:
    return AlertEvent(
        seq=row["seq"],
        alert_id=row["alert_id"],
        event_type=row["event_type"],
        from_status=row["from_status"],
        to_status=row["to_status"],
        actor_tenant=row["actor_tenant"],
        actor_role=row["actor_role"],
        note=row["note"],
        payload=json.loads(row["payload"]),
        created_at=to_datetime(row["created_at"]),
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


def _alert_row(alert: NewAlert, now: int) -> dict[str, Any]:
    return {
        "alert_id": str(uuid.uuid4()),
        "tenant": alert.tenant,
        "enterprise_id": alert.enterprise_id,
        "typology": alert.typology,
        "severity": alert.severity,
        "risk_score": float(alert.risk_score),
        "status": AlertStatus.NEW.value,
        "evidence": _dumps(dict(alert.evidence)),
        "members": _dumps(list(alert.members)),
        "flows": _dumps([dict(f) for f in alert.flows]),
        "order_ids": _dumps(list(alert.order_ids)),
        "dedup_key": alert.dedup_key,
        "source": alert.source,
        "ruleset_version": alert.ruleset_version,
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "last_reviewer": "",
        "last_note": "",
    }


def _created_event(alert: Alert, actor: Actor) -> EventDraft:
    payload = {
        "dedup_key": alert.dedup_key,
        "enterprise_id": alert.enterprise_id,
        "risk_score": alert.risk_score,
        "ruleset_version": alert.ruleset_version,
        "severity": alert.severity,
        "source": alert.source,
        "tenant": alert.tenant,
        "typology": alert.typology,
    }
    return EventDraft(
        event_type="CREATED",
        actor_tenant=actor.tenant,
        actor_role=actor.role,
        alert_id=alert.alert_id,
        to_status=alert.status.value,
        payload=payload,
    )


def _insert_ignoring_duplicates(connection: sa.Connection, table: sa.Table) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING in the connection's dialect."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


def _unique_by_key(new_alerts: Iterable[NewAlert]) -> list[NewAlert]:
    seen: dict[tuple[str, str], NewAlert] = {}
    for alert in new_alerts:
        seen.setdefault((alert.tenant, alert.dedup_key), alert)
    return list(seen.values())


def _alert_filters(query: AlertQuery, tenant_scope: str | None) -> list[sa.ColumnElement[bool]]:
    c = alerts.c
    wanted = {
        c.status: query.status,
        c.typology: query.typology,
        c.enterprise_id: query.enterprise_id,
        c.tenant: query.tenant,
    }
    filters = [column == value for column, value in wanted.items() if value]
    if query.severities:
        filters.append(c.severity.in_(sorted(query.severities)))
    if tenant_scope is not None:
        filters.append(c.tenant == tenant_scope)
    if query.created_after is not None:
        filters.append(c.created_at >= to_micros(query.created_after))
    if query.created_before is not None:
        filters.append(c.created_at < to_micros(query.created_before))
    return filters


def _query_key(query: AlertQuery) -> list[Any]:
    """The query as plain values in a fixed order (set order varies between processes)."""
    after = to_micros(query.created_after) if query.created_after else None
    before = to_micros(query.created_before) if query.created_before else None
    return [
        query.status,
        query.typology,
        ",".join(sorted(query.severities)),
        query.enterprise_id,
        query.tenant,
        after,
        before,
    ]


class AlertStore:
    """Alerts, their audit events, screenings and shadow results in one database."""

    def __init__(self, engine: sa.Engine, clock: Callable[[], int] = _now_us) -> None:
        self.engine = engine
        self.reader = engine.execution_options(**{READ_ONLY: True})
        self._clock = clock

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> AlertStore:
        """Connect to `url` and (by default) bring the schema up to date."""
        engine = create_store_engine(url)
        if migrate:
            with guard():
                upgrade(engine)
        return cls(engine)

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

    @contextmanager
    def writing(self) -> Iterator[tuple[sa.Connection, AuditChain]]:
        """One write transaction with the audit chain locked; events are flushed on success."""
        with guard(), self.engine.begin() as connection:
            chain = AuditChain(connection, self._clock())
            yield connection, chain
            chain.flush()

    # --- raising alerts -------------------------------------------------------------------

    def _raise(
        self, connection: sa.Connection, chain: AuditChain, new: Sequence[NewAlert], actor: Actor
    ) -> dict[tuple[str, str], RaisedAlert]:
        unique = _unique_by_key(new)
        if not unique:
            return {}
        now = chain.now_us
        rows = [_alert_row(alert, now) for alert in unique]
        connection.execute(_insert_ignoring_duplicates(connection, alerts), rows)
        mine = {row["alert_id"] for row in rows}
        keys = [alert.dedup_key for alert in unique]
        stored = connection.execute(sa.select(alerts).where(alerts.c.dedup_key.in_(keys)))
        result: dict[tuple[str, str], RaisedAlert] = {}
        for row in stored.mappings():
            alert = _alert_from_row(row)
            result[(alert.tenant, alert.dedup_key)] = RaisedAlert(alert, alert.alert_id in mine)
        for raised in sorted(result.values(), key=lambda r: r.alert.alert_id):
            if raised.created:
                chain.append(_created_event(raised.alert, actor))
        return result

    def raise_alerts(self, new: Sequence[NewAlert], actor: Actor) -> list[RaisedAlert]:
        """Store alerts with their CREATED events in one transaction; duplicates return the
        alert already stored under the same (tenant, dedup_key)."""
        with self.writing() as (connection, chain):
            stored = self._raise(connection, chain, new, actor)
        return [stored[(alert.tenant, alert.dedup_key)] for alert in new]

    # --- screenings -----------------------------------------------------------------------

    def find_screenings(
        self, tenant: str, request_ids: Iterable[str]
    ) -> dict[str, StoredScreening]:
        """Responses already stored for these request ids (to answer replays without work)."""
        with guard(), self.reader.connect() as connection:
            return _stored(connection, tenant, request_ids)

    def commit_screenings(
        self, tenant: str, writes: Sequence[ScreeningWrite], actor: Actor
    ) -> list[ScreeningOutcome]:
        """Commit a batch of screened trades atomically: alerts, events, responses, shadows.

        A request id seen before (earlier, or earlier in this batch) gets the stored response
        back and changes nothing.
        """
        with self.writing() as (connection, chain):
            stored = _stored(connection, tenant, [w.request_id for w in writes])
            fresh = _first_of_each_request(writes, stored)
            new = [a for i in fresh for a in writes[i].alerts]
            raised = self._raise(connection, chain, new, actor)
            chosen = [writes[i] for i in fresh]
            done = self._save_fresh(connection, tenant, chosen, raised, chain.now_us)
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
        rows: list[dict[str, Any]] = []
        shadows: list[dict[str, Any]] = []
        for write in fresh:
            mine = tuple(raised[(a.tenant, a.dedup_key)] for a in write.alerts)
            response = write.render(mine)
            outcomes.append(ScreeningOutcome(response, write.fingerprint, False, mine))
            if write.request_id:
                rows.append(_screening_row(tenant, write, response, now))
            if write.shadow is not None:
                shadows.append(_shadow_row(tenant, write.shadow, now))
        if rows:
            connection.execute(_insert_ignoring_duplicates(connection, screenings), rows)
        if shadows:
            connection.execute(_insert_ignoring_duplicates(connection, shadow_results), shadows)
        return outcomes

    # --- reading --------------------------------------------------------------------------

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
        return _alert_from_row(row)

    def list_alerts(
        self,
        query: AlertQuery,
        tenant_scope: str | None,
        page_size: int,
        page_token: str,
        order_by: str = "",
    ) -> Page[Alert]:
        """Alerts in `order_by` order (newest first by default), filtered, paged by keyset on
        (sort key, alert_id), with the total over all pages."""
        size = page_size_or_default(page_size)
        order = sort_order(order_by)
        scope = query_scope(*_query_key(query), tenant_scope, order.name)
        position = decode_page_token(page_token, scope)
        filters = _alert_filters(query, tenant_scope)
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
        items = [_alert_from_row(r) for r in rows[:size]]
        if len(rows) <= size:
            return Page(items, "", total_size)
        last = rows[size - 1]
        token = encode_page_token([last["sort_key"], last["alert_id"]], scope)
        return Page(items, token, total_size)

    def count_alerts(
        self, query: AlertQuery, tenant_scope: str | None, open_statuses: Iterable[str]
    ) -> AlertCounts:
        """Counts by typology, month and status, and the oldest open alert, for `query`."""
        filters = _alert_filters(query, tenant_scope)
        open_only = [*filters, alerts.c.status.in_(sorted(open_statuses))]
        counts: dict[tuple[str, str, str], int] = {}
        with guard(), self.reader.connect() as connection:
            for typology, day, status, count in connection.execute(count_by_group(filters)):
                month = (_EPOCH + timedelta(days=int(day))).strftime("%Y-%m")
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
        position = decode_page_token(page_token, scope)
        after = int(position[0]) if position else 0
        select = (
            sa.select(alert_events)
            .where(alert_events.c.alert_id == alert_id, alert_events.c.seq > after)
            .order_by(alert_events.c.seq)
            .limit(size + 1)
        )
        with guard(), self.reader.connect() as connection:
            rows = connection.execute(select).mappings().all()
        items = [_event_from_row(r) for r in rows[:size]]
        token = encode_page_token([items[-1].seq], scope) if len(rows) > size else ""
        return Page(items, token)

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

    # --- changing status ------------------------------------------------------------------

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
        with self.writing() as (connection, chain):
            update = _status_update(alert, to_status, actor, note, chain.now_us)
            if connection.execute(update).rowcount != 1:
                raise ConflictError(
                    f"alert {alert.alert_id!r} changed since version {alert.version}"
                )
            chain.append(_status_event(alert, to_status, actor, note, payload))
            row = connection.execute(sa.select(alerts).where(alerts.c.alert_id == alert.alert_id))
            return _alert_from_row(row.mappings().one())

    # --- shadow rulesets and audit --------------------------------------------------------

    def shadow_summary(self, ruleset_version: str) -> ShadowSummary:
        """Counts over the shadow results recorded for `ruleset_version`."""
        s = shadow_results.c
        select = sa.select(s.would_alert, s.added, s.removed).where(
            s.ruleset_version == ruleset_version
        )
        screened = would = added = removed = 0
        with guard(), self.reader.connect() as connection:
            for row in connection.execute(select):
                screened += 1
                would += len(json.loads(row.would_alert))
                added += len(json.loads(row.added))
                removed += len(json.loads(row.removed))
        return ShadowSummary(ruleset_version, screened, would, added, removed)

    def purge_screenings(self, before: datetime) -> int:
        """Forget stored responses older than `before`; their request ids may then be reused.

        Alerts are untouched: re-screening an old trade still finds its alert by dedup key.
        """
        delete = screenings.delete().where(screenings.c.created_at < to_micros(before))
        with guard(), self.engine.begin() as connection:
            return int(connection.execute(delete).rowcount)

    def verify_audit(self) -> audit.AuditReport:
        """Check the whole hash chain (see `services.aml.audit.verify`)."""
        with guard():
            return audit.verify(self.reader)


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


def _stored(
    connection: sa.Connection, tenant: str, request_ids: Iterable[str]
) -> dict[str, StoredScreening]:
    wanted = sorted({rid for rid in request_ids if rid})
    if not wanted:
        return {}
    query = sa.select(screenings).where(
        screenings.c.tenant == tenant, screenings.c.request_id.in_(wanted)
    )
    rows = connection.execute(query).mappings().all()
    return {r["request_id"]: StoredScreening(r["fingerprint"], r["response"]) for r in rows}


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
    replays = {k: ScreeningOutcome(v.response, v.fingerprint, True) for k, v in stored.items()}
    for index, outcome in done.items():
        request_id = writes[index].request_id
        if request_id:
            replays.setdefault(
                request_id, ScreeningOutcome(outcome.response, outcome.fingerprint, True)
            )
    return [done[i] if i in done else replays[w.request_id] for i, w in enumerate(writes)]


def _screening_row(tenant: str, write: ScreeningWrite, response: bytes, now: int) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "request_id": write.request_id,
        "fingerprint": write.fingerprint,
        "response": response,
        "created_at": now,
    }


def _shadow_row(tenant: str, shadow: ShadowRecord, now: int) -> dict[str, Any]:
    return {
        "ruleset_version": shadow.ruleset_version,
        "tenant": tenant,
        "subject_key": shadow.subject_key,
        "live_version": shadow.live_version,
        "risk_score": float(shadow.risk_score),
        "would_alert": _dumps(list(shadow.would_alert)),
        "added": _dumps(list(shadow.added)),
        "removed": _dumps(list(shadow.removed)),
        "created_at": now,
    }
