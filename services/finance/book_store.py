"""The underwriting book in the quote store's database: credit limits with their versions,
policies, the append-only event trail, and the answers of idempotent requests.

Every change runs in one write transaction (``BookStore.write``): the exposure read that a
limit decision rests on, the new record, its event and the stored answer commit together. On
SQLite the transaction starts with BEGIN IMMEDIATE, so writers are serialised; on PostgreSQL
an advisory lock per tenant does the same, so two requests on one buyer group can never both
take the last of its capacity.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from pydantic import TypeAdapter
from sqlalchemy.engine import Connection, Engine

from services.common.database import READ_ONLY
from services.common.errors import ConflictError, NotFoundError, UnavailableError
from services.common.idempotency import check_same_body
from services.finance.book import BookEvent, Change, CreditLimit, LimitState, Policy
from services.finance.buyer_risk import grade_for_pd
from services.finance.limits import Exposure
from services.finance.migrations.schema import (
    book_events,
    book_requests,
    credit_limit_versions,
    credit_limits,
    policies,
)
from services.finance.store import UNREACHABLE

_LIMIT = TypeAdapter(CreditLimit)
_POLICY = TypeAdapter(Policy)
_ACTIVE = LimitState.ACTIVE.value


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _limit(payload: str) -> CreditLimit:
    return _LIMIT.validate_json(payload)


def _policy(payload: str) -> Policy:
    return _POLICY.validate_json(payload)


class BookWrite:
    """One write transaction on the book."""

    def __init__(self, conn: Connection, change: Change, now: datetime) -> None:
        self._conn = conn
        self.change = change
        self.now = now

    def exposure(self, buyer_id: str, group: str, category: int, excluding: str | None) -> Exposure:
        """USD held on active limits of this tenant, not counting the limit ``excluding``."""
        c = credit_limits.c
        base = [c.tenant == self.change.tenant, c.state == _ACTIVE]
        if excluding:
            base.append(c.limit_id != excluding)

        def total(condition: Any) -> Decimal:
            query = sa.select(sa.func.coalesce(sa.func.sum(c.approved_usd), 0)).where(
                *base, condition
            )
            return Decimal(self._conn.execute(query).scalar_one())

        return Exposure(
            buyer=total(c.buyer_id == buyer_id),
            group=total(c.buyer_group == group),
            country=total(c.country_category == category),
        )

    def limit_for(self, exporter_id: str, buyer_id: str) -> CreditLimit | None:
        c = credit_limits.c
        query = sa.select(c.payload).where(
            c.tenant == self.change.tenant, c.exporter_id == exporter_id, c.buyer_id == buyer_id
        )
        payload = self._conn.execute(query).scalar_one_or_none()
        return _limit(payload) if payload is not None else None

    def limit(self, limit_id: str) -> CreditLimit | None:
        query = sa.select(credit_limits.c.payload).where(credit_limits.c.limit_id == limit_id)
        payload = self._conn.execute(query).scalar_one_or_none()
        return _limit(payload) if payload is not None else None

    def policy(self, policy_number: str) -> Policy | None:
        query = sa.select(policies.c.payload).where(policies.c.policy_number == policy_number)
        payload = self._conn.execute(query).scalar_one_or_none()
        return _policy(payload) if payload is not None else None

    def policy_for_quote(self, quote_id: str) -> str | None:
        """The number of the policy bound from ``quote_id``, if any."""
        query = sa.select(policies.c.policy_number).where(policies.c.quote_id == quote_id)
        number = self._conn.execute(query).scalar_one_or_none()
        return str(number) if number is not None else None

    def put_limit(self, limit: CreditLimit, event: str, detail: str) -> None:
        payload = _LIMIT.dump_json(limit).decode()
        row = {
            "limit_id": limit.limit_id,
            "tenant": limit.tenant,
            "exporter_id": limit.exporter_id,
            "buyer_id": limit.buyer.buyer_id,
            "buyer_group": limit.buyer_group,
            "country_category": limit.country_category,
            "approved_usd": limit.approved_usd if limit.state is LimitState.ACTIVE else 0,
            "state": limit.state.value,
            "version": limit.version,
            "payload": payload,
            "update_time": limit.update_time,
        }
        if limit.version == 1:
            self._conn.execute(sa.insert(credit_limits).values(**row))
        else:
            c = credit_limits.c
            self._conn.execute(
                sa.update(credit_limits)
                .where(c.limit_id == limit.limit_id, c.version == limit.version - 1)
                .values(**row)
            )
        self._conn.execute(
            sa.insert(credit_limit_versions).values(
                limit_id=limit.limit_id, version=limit.version, payload=payload,
                change_time=limit.update_time,
            )
        )  # fmt: skip
        self._event(limit.name, event, detail, limit.version)

    def put_policy(self, policy: Policy, event: str, detail: str) -> None:
        row = {
            "policy_number": policy.policy_number,
            "tenant": policy.insurer,
            "quote_id": policy.quote_id,
            "loss_payee": policy.loss_payee,
            "state": policy.state.value,
            "version": policy.version,
            "payload": _POLICY.dump_json(policy).decode(),
            "update_time": policy.update_time,
        }
        if policy.version == 1:
            self._conn.execute(sa.insert(policies).values(**row))
        else:
            c = policies.c
            self._conn.execute(
                sa.update(policies)
                .where(c.policy_number == policy.policy_number, c.version == policy.version - 1)
                .values(**row)
            )
        self._event(policy.policy_number, event, detail, policy.version)

    def remember(self, response: bytes) -> None:
        """Store the answer to this change's request id, replayed for a repeat."""
        if not self.change.request_id:
            return
        self._conn.execute(
            sa.insert(book_requests).values(
                tenant=self.change.tenant, request_id=self.change.request_id,
                fingerprint=self.change.fingerprint, response=response, create_time=self.now,
            )
        )  # fmt: skip

    def _event(self, subject: str, event: str, detail: str, version: int) -> None:
        last = self._conn.execute(
            sa.select(sa.func.max(book_events.c.sequence)).where(book_events.c.subject == subject)
        ).scalar_one_or_none()
        self._conn.execute(
            sa.insert(book_events).values(
                subject=subject, sequence=(last or 0) + 1, tenant=self.change.tenant, event=event,
                actor=self.change.actor, event_time=self.now, detail=detail,
                subject_version=version,
            )
        )  # fmt: skip


class BookStore:
    """Credit limits, policies and their events; database failures become UnavailableError."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._reader = engine.execution_options(**{READ_ONLY: True})

    @contextmanager
    def write(self, change: Change, now: datetime) -> Iterator[BookWrite]:
        """One serialised write transaction; commits when the block ends without error.

        A concurrent request with the same request id (or binding the same quote) that
        committed first makes this one ABORTED: retried, it gets the stored answer.
        """
        try:
            with self._connect(self._engine) as conn, conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(
                        sa.text("SELECT pg_advisory_xact_lock(hashtext(:tenant))"),
                        {"tenant": f"finance-book/{change.tenant}"},
                    )
                yield BookWrite(conn, change, now)
        except sa.exc.IntegrityError as error:
            raise ConflictError(
                "a concurrent request changed the same record; retry", reason="CONCURRENT_CHANGE"
            ) from error

    def replay(self, tenant: str, request_id: str, fingerprint: str) -> bytes | None:
        """The answer already given to this request id (the same request only), if any."""
        b = book_requests.c
        query = sa.select(b.fingerprint, b.response).where(
            b.tenant == tenant, b.request_id == request_id
        )
        with self._connect(self._reader) as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        check_same_body(request_id, row.fingerprint, fingerprint)
        return bytes(row.response)

    def limit(self, limit_id: str, tenant: str | None) -> CreditLimit:
        """A limit of ``tenant`` (None: any); another tenant's is NOT_FOUND."""
        query = sa.select(credit_limits.c.payload, credit_limits.c.tenant).where(
            credit_limits.c.limit_id == limit_id
        )
        with self._connect(self._reader) as conn:
            row = conn.execute(query).first()
        if row is None or (tenant is not None and row.tenant != tenant):
            raise NotFoundError(f"credit limit {limit_id!r} not found", reason="LIMIT_NOT_FOUND")
        return _limit(row.payload)

    def limits(
        self, tenant: str | None, exporter_id: str, buyer_id: str, offset: int, size: int
    ) -> list[CreditLimit]:
        """Limits newest first, filtered; ``size`` + 1 rows tell whether a next page exists."""
        c = credit_limits.c
        query = sa.select(c.payload).order_by(c.update_time.desc(), c.limit_id)
        if tenant is not None:
            query = query.where(c.tenant == tenant)
        if exporter_id:
            query = query.where(c.exporter_id == exporter_id)
        if buyer_id:
            query = query.where(c.buyer_id == buyer_id)
        with self._connect(self._reader) as conn:
            rows = conn.execute(query.offset(offset).limit(size + 1)).scalars().all()
        return [_limit(payload) for payload in rows]

    def exposure_by_category(self) -> dict[int, Decimal]:
        """USD on active limits of every tenant, by country category."""
        c = credit_limits.c
        query = (
            sa.select(c.country_category, sa.func.sum(c.approved_usd))
            .where(c.state == _ACTIVE)
            .group_by(c.country_category)
        )
        with self._connect(self._reader) as conn:
            rows = conn.execute(query).all()
        return {int(category): Decimal(total) for category, total in rows}

    def largest_buyers(self, count: int) -> list[tuple[Decimal, int]]:
        """(USD held, grade) of the ``count`` buyers with most on the book."""
        c = credit_limits.c
        held = sa.func.sum(c.approved_usd).label("held")
        query = (
            sa.select(c.tenant, c.buyer_id, held, sa.func.max(c.payload).label("payload"))
            .where(c.state == _ACTIVE)
            .group_by(c.tenant, c.buyer_id)
            .order_by(held.desc())
            .limit(count)
        )
        with self._connect(self._reader) as conn:
            rows = conn.execute(query).all()
        return [(Decimal(r.held), grade_for_pd(_limit(r.payload).buyer_annual_pd)) for r in rows]

    def policy(self, policy_number: str) -> Policy | None:
        query = sa.select(policies.c.payload).where(policies.c.policy_number == policy_number)
        with self._connect(self._reader) as conn:
            payload = conn.execute(query).scalar_one_or_none()
        return _policy(payload) if payload is not None else None

    def events(self, subject: str, after: int, limit: int) -> list[BookEvent]:
        """Up to ``limit`` of the subject's events with a sequence above ``after``, in order."""
        e = book_events.c
        query = (
            sa.select(
                e.subject, e.sequence, e.event, e.actor, e.event_time, e.detail, e.subject_version
            )
            .where(e.subject == subject, e.sequence > after)
            .order_by(e.sequence)
            .limit(limit)
        )
        with self._connect(self._reader) as conn:
            rows = conn.execute(query).all()
        return [
            BookEvent(
                subject=r.subject, sequence=r.sequence, event=r.event, actor=r.actor,
                event_time=_utc(r.event_time), detail=r.detail, subject_version=r.subject_version,
            )
            for r in rows
        ]  # fmt: skip

    @contextmanager
    def _connect(self, engine: Engine) -> Iterator[Connection]:
        try:
            with engine.connect() as conn:
                yield conn
        except UNREACHABLE as error:
            raise UnavailableError("book store unavailable", reason="STORE_UNAVAILABLE") from error
