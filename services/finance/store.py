"""Quote store: quotes retrievable by id until they expire, idempotent by (tenant, request_id).

SQLAlchemy Core on SQLite (WAL, synchronous=FULL, busy timeout) or PostgreSQL (synchronous
commit), chosen by the URL; the schema comes from the migrations in
``services.finance.migrations``, run when the store opens.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from services.common.database import READ_ONLY, store_engine
from services.common.errors import AlreadyExists, NotFoundError, UnavailableError
from services.common.group_commit import GroupCommit
from services.common.idempotency import check_same_body
from services.common.prepared import Prepared
from services.finance.lone_reads import ThreadConnections
from services.finance.migrations import upgrade
from services.finance.migrations.schema import quotes

BUSY_TIMEOUT_MS = 5000
CONNECT_TIMEOUT_S = 5
#: Execution option marking read-only work, which SQLite may begin without the write lock.
UNREACHABLE = (
    OSError,
    sa.exc.OperationalError,
    sa.exc.InterfaceError,
    sa.exc.TimeoutError,
    sa.exc.DisconnectionError,
)


@dataclass(frozen=True)
class StoredQuote:
    """One stored quote; ``fingerprint`` identifies the request that produced it.

    ``exporter_id``, the covers and ``declined`` repeat what the payload says, so that a
    policy-financing request can be checked against its premium quote.
    """

    quote_id: str
    tenant: str
    request_id: str
    kind: str
    fingerprint: str
    payload: bytes
    created_at: datetime
    valid_until: datetime
    exporter_id: str
    commercial_cover: float
    political_cover: float
    declined: bool


#: SQLite connections kept open when the caller does not say: SQLAlchemy's default.
DEFAULT_SQLITE_CONNECTIONS = 5


def create_engine(url: str, sqlite_connections: int = DEFAULT_SQLITE_CONNECTIONS) -> sa.Engine:
    """An engine for `sqlite:///path` or `postgresql://...` with the durability settings."""
    return store_engine(
        url,
        busy_timeout_ms=BUSY_TIMEOUT_MS,
        connect_timeout_s=CONNECT_TIMEOUT_S,
        sqlite_pool_size=sqlite_connections,
    )


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _row(row: Any) -> StoredQuote:
    values = dict(row._mapping)
    values["payload"] = bytes(values["payload"])
    values["created_at"] = _utc(values["created_at"])
    values["valid_until"] = _utc(values["valid_until"])
    return StoredQuote(**values)


_FIELDS = tuple(f.name for f in fields(StoredQuote))
# The statements every quote runs (its replay check, then the check and insert in the shared
# commit), compiled once: building them per call cost more than the database work itself.
_BY_REQUEST = Prepared(
    sa.select(*(quotes.c[name] for name in _FIELDS)).where(
        quotes.c.tenant == sa.bindparam("tenant"),
        quotes.c.request_id == sa.bindparam("request_id"),
    ),
    typed=True,
)
#: INSERT ... ON CONFLICT DO NOTHING, by dialect: a new quote (the common case) is one
#: statement; only a request id already stored is read back.
_INSERT = {
    "sqlite": Prepared(sqlite.insert(quotes).on_conflict_do_nothing(), typed=True),
    "postgresql": Prepared(postgresql.insert(quotes).on_conflict_do_nothing(), typed=True),
}


def _by_request(conn: Connection, tenant: str, request_id: str) -> StoredQuote | None:
    rows = _BY_REQUEST.rows(conn, tenant=tenant, request_id=request_id)
    return _quote(rows[0]) if rows else None


def _quote(row: tuple[Any, ...]) -> StoredQuote:
    values = dict(zip(_FIELDS, row, strict=True))
    values["payload"] = bytes(values["payload"])
    values["created_at"] = _utc(values["created_at"])
    values["valid_until"] = _utc(values["valid_until"])
    return StoredQuote(**values)


class QuoteStore:
    """Quotes by id and by (tenant, request_id); database failures become UnavailableError."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._reader = engine.execution_options(**{READ_ONLY: True})
        self._group: GroupCommit[Connection] = GroupCommit(
            self._writing, isolated=(AlreadyExists,), shared_failures=(UnavailableError,)
        )
        self._lone = ThreadConnections(engine) if engine.dialect.name == "sqlite" else None

    @classmethod
    def open(cls, url: str, sqlite_connections: int = DEFAULT_SQLITE_CONNECTIONS) -> QuoteStore:
        """Connect and migrate the schema to the newest revision; no database is UNAVAILABLE.
        On SQLite, ``sqlite_connections`` stay open for reuse: every quote reads the store
        first (its replay check) from the handler's thread, so a server should keep one per
        call it handles at once; each read beyond them opens and sets up a connection."""
        engine: Engine | None = None
        try:
            engine = create_engine(url, sqlite_connections)
            upgrade(engine)
        except UNREACHABLE as error:
            if engine is not None:
                engine.dispose()
            raise UnavailableError("quote store unavailable", reason="STORE_UNAVAILABLE") from error
        return cls(engine)

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        if self._lone is not None:
            self._lone.close()
        self._engine.dispose()

    def find_by_request(self, tenant: str, request_id: str) -> StoredQuote | None:
        """The quote already answered for this request id, if any."""
        try:
            if self._lone is not None:
                rows = self._lone.read(_BY_REQUEST, tenant=tenant, request_id=request_id)
            else:
                rows = _BY_REQUEST.read(self._engine, tenant=tenant, request_id=request_id)
        except UNREACHABLE as error:
            raise UnavailableError("quote store unavailable", reason="STORE_UNAVAILABLE") from error
        return _quote(rows[0]) if rows else None

    def save(self, quote: StoredQuote) -> StoredQuote:
        """Store ``quote``, or return the one an identical request stored first; returns once
        the commit holding it is durable. Concurrent saves share one transaction and flush."""
        return self._group.run(lambda conn: _insert_or_existing(conn, quote))

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self._connect(self._engine) as conn, conn.begin():
            yield conn

    def get(self, quote_id: str, tenant: str | None, now: datetime) -> StoredQuote:
        """A live quote; another tenant's or an expired one is NOT_FOUND (``None``: any tenant)."""
        with self._connect(self._reader) as conn:
            row = conn.execute(sa.select(quotes).where(quotes.c.quote_id == quote_id)).first()
        quote = _row(row) if row is not None else None
        if quote is None or (tenant is not None and quote.tenant != tenant):
            raise NotFoundError(f"quote {quote_id!r} not found", reason="QUOTE_NOT_FOUND")
        if quote.valid_until <= now:
            raise NotFoundError(f"quote {quote_id!r} has expired", reason="QUOTE_EXPIRED")
        return quote

    def purge_expired(self, now: datetime) -> int:
        """Delete expired quotes; their request ids become usable again."""
        with self._connect(self._engine) as conn, conn.begin():
            result = conn.execute(sa.delete(quotes).where(quotes.c.valid_until <= now))
        return int(result.rowcount or 0)

    @contextmanager
    def _connect(self, engine: Engine) -> Iterator[Connection]:
        try:
            with engine.connect() as conn:
                yield conn
        except UNREACHABLE as error:
            raise UnavailableError("quote store unavailable", reason="STORE_UNAVAILABLE") from error


def _insert_or_existing(conn: Connection, quote: StoredQuote) -> StoredQuote:
    """``quote`` inserted, else the quote already stored under its request id (the same
    request only): two identical requests in one group store one quote, and a refusal comes
    with nothing written (the conflicting insert did nothing)."""
    values = {name: getattr(quote, name) for name in _FIELDS}
    if _INSERT[conn.dialect.name].run(conn, **values):
        return quote
    existing = _by_request(conn, quote.tenant, quote.request_id)
    if existing is None:  # the conflict was on the random quote id, not the request id
        raise RuntimeError(f"quote id {quote.quote_id!r} is taken")
    return check_same_request(existing, quote.fingerprint)


def check_same_request(existing: StoredQuote, fingerprint: str) -> StoredQuote:
    """A request id may only be repeated with the same request (the shared AIP-155 rule)."""
    check_same_body(existing.request_id, existing.fingerprint, fingerprint)
    return existing
