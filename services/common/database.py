"""Engines for the stores, SQLite (default) or PostgreSQL, with their durability settings.

SQLite: WAL, synchronous=FULL, a busy timeout, writers locking early. PostgreSQL:
synchronous_commit=on, bounded connect and pool timeouts, connections checked before use (a
SQLite connection is to a local file and needs no check).

Readers run on `engine.execution_options(**{READ_ONLY: True})` and begin a plain deferred
transaction; every other transaction is `BEGIN IMMEDIATE`, because upgrading a read lock to a
write lock later can fail with SQLITE_BUSY without waiting for the busy timeout.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from services.common.private_files import ensure_private_file

READ_ONLY = "tradeguard_read_only"


def _on_begin(connection: sa.Connection) -> None:
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _enable_wal(cursor: Any, timeout_s: float) -> None:
    """Switch the file to WAL. On a new file, replicas starting together race for the lock this
    takes, and SQLite answers "locked" at once instead of waiting out the busy timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def sqlite_engine(
    url: sa.URL, busy_timeout_ms: int, foreign_keys: bool = True, pool_size: int = 5
) -> sa.Engine:
    """An engine on a SQLite file (created with its folder) with the durable settings.
    ``pool_size`` connections are kept open for reuse (and ten more opened when needed, closed
    when returned): a store read by more threads at once opens and sets up a connection for
    each read beyond it."""
    if url.database in (None, "", ":memory:"):
        raise ValueError("a store needs a SQLite file, not an in-memory database")
    # SQLite gives its -wal and -shm files the database file's mode.
    ensure_private_file(Path(url.database))

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own transaction handling is off so that `_on_begin` decides (and DDL in a
        # migration runs inside the transaction).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        _enable_wal(cursor, busy_timeout_ms / 1000)
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.close()

    # No pre-ping: a connection to a local file cannot go stale, and the ping is one more
    # statement on every checkout.
    engine = sa.create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        pool_size=pool_size,
        max_overflow=10,
    )
    sa.event.listen(engine, "connect", on_connect)
    sa.event.listen(engine, "begin", _on_begin)
    return engine


def postgres_engine(
    url: sa.URL, connect_timeout_s: float, pool_size: int = 5, max_overflow: int = 10
) -> sa.Engine:
    """A psycopg 3 engine; options given in the URL (e.g. a search_path) are kept."""
    given = url.query.get("options", "")
    options = given if isinstance(given, str) else " ".join(given)
    return sa.create_engine(
        url.set(drivername="postgresql+psycopg").difference_update_query(["options"]),
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=connect_timeout_s,
        connect_args={
            "connect_timeout": connect_timeout_s,
            "options": f"{options} -c synchronous_commit=on".strip(),
        },
    )


def store_engine(
    url: str,
    *,
    busy_timeout_ms: int,
    connect_timeout_s: float,
    pool_size: int = 5,
    max_overflow: int = 10,
    sqlite_pool_size: int = 5,
) -> sa.Engine:
    """An engine for `sqlite:///path` or `postgresql://...`; other databases are refused.
    ``pool_size`` and ``max_overflow`` size PostgreSQL's pool, ``sqlite_pool_size`` the
    connections kept to a SQLite file (cheap to keep, dear to open)."""
    parsed = sa.make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return sqlite_engine(parsed, busy_timeout_ms, pool_size=sqlite_pool_size)
    if backend == "postgresql":
        return postgres_engine(parsed, connect_timeout_s, pool_size, max_overflow)
    raise ValueError(f"unsupported store database: {backend}")
