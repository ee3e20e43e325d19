"""Lone reads on SQLite, each thread on a connection of its own that it keeps.

Every quote reads the store first (its replay check), in its handler's thread. Taking a pooled
connection for that and handing it back (with the pool's rollback) cost more CPU than the
SELECT itself. Here each thread keeps one connection, taken out of the pool's count
(``detach``), used only for single SELECTs in autocommit: the driver's own transaction handling
is off on these connections (see ``services.common.database``), so no transaction and no read
snapshot outlives the statement, and a reader sees every commit made before its read began,
as on a pooled connection. A connection whose read failed is closed, and the thread's next
read opens a new one. SQLite only: a connection to a local file is cheap to keep, one to a
PostgreSQL server is not.
"""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa

from services.common.prepared import Prepared


class ThreadConnections:
    """One kept connection per thread for lone SELECTs on ``engine``."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._local = threading.local()
        self._lock = threading.Lock()
        self._kept: set[Any] = set()
        self._closed = False

    def read(self, statement: Prepared, **values: Any) -> list[tuple[Any, ...]]:
        """``statement``'s rows (see ``Prepared.read``) on this thread's connection."""
        if self._closed:  # the store was closed: nothing is kept any more
            return statement.read(self._engine, **values)
        kept = getattr(self._local, "connection", None)
        if kept is None:
            kept = self._open()
        try:
            return statement.read_on(self._engine.dialect, kept.dbapi_connection, **values)
        except BaseException:
            self._drop(kept)
            raise

    def close(self) -> None:
        """Close every kept connection (threads reading afterwards use the pool)."""
        with self._lock:
            self._closed = True
            kept, self._kept = self._kept, set()
        for connection in kept:
            connection.close()

    def _open(self) -> Any:
        dialect = self._engine.dialect
        driver_error = dialect.loaded_dbapi.Error
        try:
            connection = self._engine.raw_connection()
        except driver_error as error:
            raise sa.exc.DBAPIError.instance(
                "connect", None, error, driver_error, dialect=dialect
            ) from error
        connection.detach()  # no longer the pool's: closing it closes it
        with self._lock:
            self._kept.add(connection)
        self._local.connection = connection
        return connection

    def _drop(self, connection: Any) -> None:
        self._local.connection = None
        with self._lock:
            self._kept.discard(connection)
        connection.close()
