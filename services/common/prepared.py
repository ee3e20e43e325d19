"""Hot statements compiled once per database dialect and run through the driver.

On every execution SQLAlchemy Core builds a statement's cache key, looks up its compiled form,
expands IN lists and converts each parameter through its column type: about 240 µs of CPU for a
SELECT with an IN list on SQLite, still 80 µs when the statement object is built only once. A
store's hot statements (a dozen per screening batch) are compiled here once per dialect, and
their values go to the driver as they are with ``exec_driver_sql`` (about 35 µs), or, for the
statements of a write transaction (:meth:`Prepared.run`, :meth:`Prepared.write_many`,
:meth:`Prepared.fetch`), straight to a cursor of the driver's connection, which skips
SQLAlchemy's execution context and result object as well. So only plain values are passed: str,
int, float, bytes and None, which the column types used here store unchanged.

A list (:func:`any_of`) is one parameter whatever its length, so a statement's text never
changes: ``col IN (SELECT value FROM json_each(?))`` on SQLite, ``col = ANY(%s)`` on PostgreSQL.

A statement made with ``typed=True`` passes values that need their column type's conversion
(a datetime, which SQLite stores as text), converted by that type once per value, and
:meth:`Prepared.rows` reads a SELECT's columns back the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

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


_Convert = Callable[[Any], Any]


def _bind_converter(kind: sa.types.TypeEngine[Any], dialect: Dialect) -> _Convert | None:
    """How the column type turns a value into what the driver stores (None: as it is)."""
    convert: _Convert | None = kind.dialect_impl(dialect).bind_processor(dialect)
    return convert


class Prepared:
    """One statement, compiled on first use with each dialect, its parameters in one order.

    ``lists`` names the parameters that carry a list (see :func:`any_of`)."""

    def __init__(
        self, statement: ClauseElement, lists: Iterable[str] = (), *, typed: bool = False
    ) -> None:
        self._statement = statement
        self._lists = frozenset(lists)
        self._typed = typed
        self._compiled: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._bind: dict[str, tuple[tuple[int, _Convert], ...]] = {}
        self._read: dict[str, tuple[_Convert | None, ...]] = {}

    def _text(self, dialect: Dialect) -> tuple[str, tuple[str, ...]]:
        found = self._compiled.get(dialect.name)
        if found is None:
            # Positional placeholders on every dialect, so a row goes to the driver as a tuple.
            make: Callable[..., Dialect] = type(dialect)
            positional = make(paramstyle="qmark" if dialect.name == "sqlite" else "format")
            compiled = self._statement.compile(dialect=positional)
            assert isinstance(compiled, SQLCompiler)
            found = (compiled.string, tuple(compiled.positiontup or ()))
            if self._typed:  # the positions whose type converts the value, and how
                converters = [_bind_converter(compiled.binds[n].type, dialect) for n in found[1]]
                self._bind[dialect.name] = tuple(
                    (index, convert) for index, convert in enumerate(converters) if convert
                )
            self._compiled[dialect.name] = found
        return found

    def _row(
        self, dialect: Dialect, names: tuple[str, ...], values: Mapping[str, Any]
    ) -> tuple[Any, ...]:
        if not self._lists:
            row = [values[name] for name in names]
        else:
            as_json = dialect.name == "sqlite"
            row = [
                (json.dumps(list(values[n])) if as_json else list(values[n]))
                if n in self._lists
                else values[n]
                for n in names
            ]
        if self._typed:
            for index, convert in self._bind[dialect.name]:
                if names[index] not in self._lists:
                    row[index] = convert(row[index])
        return tuple(row)

    def execute(
        self, connection: sa.Connection, **values: Any
    ) -> sa.CursorResult[Unpack[TupleAny]]:
        """Run once with these values."""
        dialect = connection.dialect
        text, names = self._text(dialect)
        return connection.exec_driver_sql(text, self._row(dialect, names, values))

    def names(self, dialect: Dialect) -> tuple[str, ...]:
        """The statement's parameters in the order :meth:`write_many` takes a row's values."""
        return self._text(dialect)[1]

    def run(self, connection: sa.Connection, **values: Any) -> int:
        """Run a write once with these values on the connection's own transaction, straight
        through the driver's cursor (no result object); returns the rows it changed. A driver
        error comes as SQLAlchemy's, as from :meth:`execute`."""
        dialect = connection.dialect
        text, names = self._text(dialect)
        parameters = self._row(dialect, names, values)
        return _on_cursor(connection, text, parameters, _execute_write)

    def write_many(self, connection: sa.Connection, rows: Sequence[Sequence[Any]]) -> int:
        """Run a write once per row (the driver's executemany) on the connection's own
        transaction, straight through the driver's cursor; returns the rows it changed (-1
        when the driver does not say). Each row holds plain values in :meth:`names` order (no
        list parameter, no conversion): the cheapest way in for many rows. Nothing happens
        without rows. A driver error comes as SQLAlchemy's."""
        if not rows:
            return 0
        text = self._text(connection.dialect)[0]
        return _on_cursor(connection, text, rows, _execute_many)

    def fetch(self, connection: sa.Connection, **values: Any) -> list[tuple[Any, ...]]:
        """Run a SELECT once with these values on the connection's own transaction, straight
        through the driver's cursor; its rows as the driver reads them (``typed`` statements:
        as the column types read them, see :meth:`rows`). A driver error comes as
        SQLAlchemy's."""
        dialect = connection.dialect
        text, names = self._text(dialect)
        parameters = self._row(dialect, names, values)
        description, found = _on_cursor(connection, text, parameters, _execute_read)
        if not self._typed:
            return [tuple(row) for row in found]
        return self._typed_rows(dialect, description, found)

    def rows(self, connection: sa.Connection, **values: Any) -> list[tuple[Any, ...]]:
        """Run a SELECT once with these values; each column is read as its type reads it (a
        SQLite timestamp's text becomes a datetime, say). Only for ``typed`` statements."""
        cursor = self.execute(connection, **values)
        return self._typed_rows(connection.dialect, cursor.cursor.description, cursor.fetchall())

    def read(self, engine: sa.Engine, **values: Any) -> list[tuple[Any, ...]]:
        """:meth:`rows` of a lone SELECT on a pooled connection of its own, outside any
        transaction: no BEGIN and ROLLBACK statements around it. A driver error comes as
        SQLAlchemy's, as from any other statement, also when no connection can be opened (the
        pool hands the driver's error on as it is)."""
        dialect = engine.dialect
        driver_error = dialect.loaded_dbapi.Error
        try:
            connection = engine.raw_connection()
        except driver_error as error:
            raise sa.exc.DBAPIError.instance(
                "connect", None, error, driver_error, dialect=dialect
            ) from error
        try:
            return self.read_on(dialect, connection, **values)
        finally:
            connection.close()  # back to the pool, which ends any transaction the read began

    def read_on(self, dialect: Dialect, connection: Any, **values: Any) -> list[tuple[Any, ...]]:
        """:meth:`read` on a driver connection the caller holds, in autocommit (no transaction
        open before, none left after). A driver error comes as SQLAlchemy's."""
        text, names = self._text(dialect)
        parameters = self._row(dialect, names, values)
        driver_error = dialect.loaded_dbapi.Error
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(text, parameters)
                description, found = cursor.description, cursor.fetchall()
            finally:
                cursor.close()
        except driver_error as error:
            raise sa.exc.DBAPIError.instance(text, parameters, error, driver_error) from error
        return self._typed_rows(dialect, description, found)

    def _typed_rows(
        self, dialect: Dialect, description: Any, found: Sequence[Any]
    ) -> list[tuple[Any, ...]]:
        converters = self._read.get(dialect.name)
        if converters is None:
            assert isinstance(self._statement, sa.Select | sa.CompoundSelect)
            # The driver's type code of each column, as SQLAlchemy's own result reading uses.
            codes = [column[1] for column in description]
            converters = tuple(
                c.type.dialect_impl(dialect).result_processor(dialect, code)
                for c, code in zip(self._statement.selected_columns, codes, strict=True)
            )
            # No column converted (strings and numbers): the driver's rows as they are.
            self._read[dialect.name] = converters = converters if any(converters) else ()
        if not converters:
            return [tuple(row) for row in found]
        return [
            tuple(
                v if convert is None else convert(v)
                for v, convert in zip(row, converters, strict=True)
            )
            for row in found
        ]


def _execute_write(cursor: Any, text: str, parameters: Any) -> int:
    cursor.execute(text, parameters)
    return int(cursor.rowcount)


def _execute_many(cursor: Any, text: str, rows: Any) -> int:
    cursor.executemany(text, rows)
    return int(cursor.rowcount)


def _execute_read(cursor: Any, text: str, parameters: Any) -> tuple[Any, list[Any]]:
    cursor.execute(text, parameters)
    return cursor.description, cursor.fetchall()


_T = TypeVar("_T")


def _on_cursor(
    connection: sa.Connection,
    text: str,
    parameters: Any,
    work: Callable[[Any, str, Any], _T],
) -> _T:
    """`work` on a cursor of the connection's driver connection, inside its transaction; a
    driver error comes as SQLAlchemy's (what the stores' guards and callers expect)."""
    driver_error = connection.dialect.loaded_dbapi.Error
    try:
        cursor = connection.connection.cursor()
        try:
            return work(cursor, text, parameters)
        finally:
            cursor.close()
    except driver_error as error:
        raise sa.exc.DBAPIError.instance(text, parameters, error, driver_error) from error
