"""Hot statements compiled once per database dialect and run through the driver.

On every execution SQLAlchemy Core builds a statement's cache key, looks up its compiled form,
expands IN lists and converts each parameter through its column type: about 240 µs of CPU for a
SELECT with an IN list on SQLite, still 80 µs when the statement object is built only once. A
store's hot statements (a dozen per screening batch) are compiled here once per dialect, and
their values go to the driver as they are with ``exec_driver_sql`` (about 35 µs). So only plain
values are passed: str, int, float, bytes and None, which the column types used here store
unchanged.

A list (:func:`any_of`) is one parameter whatever its length, so a statement's text never
changes: ``col IN (SELECT value FROM json_each(?))`` on SQLite, ``col = ANY(%s)`` on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter, ClauseElement, ColumnElement
from sqlalchemy.util.typing import TupleAny, Unpack


class _AnyOf(ColumnElement[Any]):
    """``column`` equals one of the values of the list parameter ``name``."""

    # Compiled once by `Prepared`, never through SQLAlchemy's statement cache.
    inherit_cache = False
    type = sa.types.NullType()

    def __init__(self, column: ColumnElement[Any], name: str) -> None:
        self.column = column
        self.parameter: BindParameter[Any] = sa.bindparam(name)


def _parts(element: _AnyOf, compiler: SQLCompiler, **kw: Any) -> tuple[str, str]:
    return compiler.process(element.column, **kw), compiler.process(element.parameter, **kw)


@compiles(_AnyOf, "sqlite")
def _any_of_sqlite(element: _AnyOf, compiler: SQLCompiler, **kw: Any) -> str:
    column, parameter = _parts(element, compiler, **kw)
    return f"{column} IN (SELECT value FROM json_each({parameter}))"


@compiles(_AnyOf, "postgresql")
def _any_of_postgresql(element: _AnyOf, compiler: SQLCompiler, **kw: Any) -> str:
    column, parameter = _parts(element, compiler, **kw)
    return f"{column} = ANY({parameter})"


def any_of(column: ColumnElement[Any], name: str) -> ColumnElement[Any]:
    """A condition that ``column`` is one of the strings passed as the list ``name``."""
    return _AnyOf(column, name)


class Prepared:
    """One statement, compiled on first use with each dialect, its parameters in one order.

    ``lists`` names the parameters that carry a list (see :func:`any_of`)."""

    def __init__(self, statement: ClauseElement, lists: Iterable[str] = ()) -> None:
        self._statement = statement
        self._lists = frozenset(lists)
        self._compiled: dict[str, tuple[str, tuple[str, ...]]] = {}

    def _text(self, dialect: Dialect) -> tuple[str, tuple[str, ...]]:
        found = self._compiled.get(dialect.name)
        if found is None:
            # Positional placeholders on every dialect, so a row goes to the driver as a tuple.
            make: Callable[..., Dialect] = type(dialect)
            positional = make(paramstyle="qmark" if dialect.name == "sqlite" else "format")
            compiled = self._statement.compile(dialect=positional)
            assert isinstance(compiled, SQLCompiler)
            found = (compiled.string, tuple(compiled.positiontup or ()))
            self._compiled[dialect.name] = found
        return found

    def _row(
        self, dialect: Dialect, names: tuple[str, ...], values: Mapping[str, Any]
    ) -> tuple[Any, ...]:
        if not self._lists:
            return tuple(values[name] for name in names)
        as_json = dialect.name == "sqlite"
        return tuple(
            (json.dumps(list(values[n])) if as_json else list(values[n]))
            if n in self._lists
            else values[n]
            for n in names
        )

    def execute(
        self, connection: sa.Connection, **values: Any
    ) -> sa.CursorResult[Unpack[TupleAny]]:
        """Run once with these values."""
        dialect = connection.dialect
        text, names = self._text(dialect)
        return connection.exec_driver_sql(text, self._row(dialect, names, values))

    def execute_many(self, connection: sa.Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run once per row (the driver's executemany); nothing happens without rows."""
        if not rows:
            return
        dialect = connection.dialect
        text, names = self._text(dialect)
        connection.exec_driver_sql(text, [self._row(dialect, names, row) for row in rows])
