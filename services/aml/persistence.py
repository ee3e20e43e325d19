"""Database plumbing shared by the AML store modules: the engine with its durability settings,
the guard that turns "cannot reach the database" into UNAVAILABLE, and how times are stored.

SQLite by default (WAL, synchronous=FULL, busy timeout, foreign keys), PostgreSQL by URL
(psycopg 3, synchronous_commit=on). `pool_pre_ping` replaces dead connections, so the stores
recover by themselves when the database returns.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from services.aml import audit
from services.common.database import store_engine
from services.common.errors import UnavailableError
from services.common.prepared import Prepared

log = logging.getLogger("services.aml.store")

BUSY_TIMEOUT_MS = 10_000
CONNECT_TIMEOUT_S = 5
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A multiple of one microsecond is cheaper to build than a timedelta from keywords.
_MICROSECOND = timedelta(microseconds=1)


def now_us() -> int:
    return time.time_ns() // 1000


def to_datetime(micros: int) -> datetime:
    """Stored microseconds since the epoch -> aware UTC datetime."""
    return EPOCH + _MICROSECOND * micros


def to_micros(moment: datetime) -> int:
    """Aware datetime -> microseconds since the epoch (naive values are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


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


def dumps(value: Any) -> str:
    return audit.canonical_json(value)


def insert_ignoring_duplicates(connection: sa.Connection, table: sa.Table) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING in the connection's dialect."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


_NEW_ROWS: dict[tuple[str, str], Prepared] = {}


def new_rows(connection: sa.Connection, table: sa.Table) -> Prepared:
    """`insert_ignoring_duplicates` of every column of `table`, prepared once per dialect (the
    hot inserts): rows go to :meth:`Prepared.write_many` as tuples of plain values in the
    table's column order."""
    key = (connection.dialect.name, table.name)
    found = _NEW_ROWS.get(key)
    if found is None:
        found = Prepared(insert_ignoring_duplicates(connection, table))
        if found.names(connection.dialect) != tuple(table.columns.keys()):
            raise RuntimeError(f"insert into {table.name} does not take its columns in order")
        _NEW_ROWS[key] = found
    return found
