"""Prepared statements on real SQLite and PostgreSQL: writes straight through the driver's cursor
report the rows they changed, stay inside the caller's transaction, and fail as SQLAlchemy's
errors do; lists and typed reads come back as the column types say."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from services.common.database import store_engine
from services.common.prepared import Prepared, any_of

METADATA = sa.MetaData()
ITEMS = sa.Table(
    "items",
    METADATA,
    sa.Column("item_id", sa.String, primary_key=True),
    sa.Column("name", sa.String, nullable=False),
    sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
)
INSERT = {
    "sqlite": Prepared(sqlite.insert(ITEMS).on_conflict_do_nothing(), typed=True),
    "postgresql": Prepared(postgresql.insert(ITEMS).on_conflict_do_nothing(), typed=True),
}
BY_IDS = Prepared(
    sa.select(ITEMS.c.item_id, ITEMS.c.seen_at).where(any_of(ITEMS.c.item_id, "ids")),
    lists=("ids",),
    typed=True,
)
SEEN = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
NOTES = sa.Table(
    "notes",
    METADATA,
    sa.Column("note_id", sa.String, primary_key=True),
    sa.Column("body", sa.String, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
)
NEW_NOTES = {
    "sqlite": Prepared(sqlite.insert(NOTES).on_conflict_do_nothing()),
    "postgresql": Prepared(postgresql.insert(NOTES).on_conflict_do_nothing()),
}
NOTES_BY_ID = Prepared(
    sa.select(NOTES.c.note_id, NOTES.c.size).where(any_of(NOTES.c.note_id, "ids")), ["ids"]
)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'items.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    made = store_engine(url, busy_timeout_ms=2000, connect_timeout_s=3)
    METADATA.create_all(made)
    yield made
    made.dispose()


def _insert(connection: sa.Connection, item_id: str, name: str | None) -> int:
    statement = INSERT[connection.dialect.name]
    return statement.run(connection, item_id=item_id, name=name, seen_at=SEEN)


def test_run_reports_the_rows_a_write_changed(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        assert _insert(connection, "a", "first") == 1
        assert _insert(connection, "a", "again") == 0  # the conflict did nothing
        assert _insert(connection, "b", "second") == 1
    with engine.connect() as connection:
        names = connection.execute(sa.select(ITEMS.c.name).order_by(ITEMS.c.item_id)).scalars()
        assert list(names) == ["first", "second"]


def test_run_writes_inside_the_callers_transaction(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        transaction = connection.begin()
        assert _insert(connection, "gone", "rolled back") == 1
        transaction.rollback()
    assert BY_IDS.read(engine, ids=["gone"]) == []


def test_a_driver_error_comes_as_sqlalchemys(engine: sa.Engine) -> None:
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        _insert(connection, "nameless", None)
    assert BY_IDS.read(engine, ids=["nameless"]) == []


def test_typed_reads_of_a_list_parameter(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        for item_id in ("x", "y", "z"):
            _insert(connection, item_id, item_id.upper())
        rows = BY_IDS.rows(connection, ids=["x", "z", "missing"])
    found = BY_IDS.read(engine, ids=["y"])
    assert sorted(item_id for item_id, _ in rows) == ["x", "z"]
    assert found[0][0] == "y"
    assert found[0][1].replace(tzinfo=found[0][1].tzinfo or UTC) == SEEN


def test_a_read_that_cannot_connect_fails_as_sqlalchemys() -> None:
    """Nothing listens on port 1: the pool's connect error must not reach a store as the
    driver's own (stores answer UNAVAILABLE for SQLAlchemy's OperationalError only)."""
    unreachable = store_engine(
        "postgresql://postgres@127.0.0.1:1/none", busy_timeout_ms=1000, connect_timeout_s=1
    )
    try:
        with pytest.raises(sa.exc.OperationalError):
            BY_IDS.read(unreachable, ids=["a"])
    finally:
        unreachable.dispose()


def _write_notes(connection: sa.Connection, rows: list[tuple[str, str | None, int]]) -> int:
    statement = NEW_NOTES[connection.dialect.name]
    assert statement.names(connection.dialect) == ("note_id", "body", "size")
    return statement.write_many(connection, rows)


def test_write_many_takes_tuples_and_reports_the_rows_written(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        assert _write_notes(connection, []) == 0
        assert _write_notes(connection, [("a", "first", 1), ("b", "second", 2)]) == 2
        assert _write_notes(connection, [("a", "again", 9), ("c", "third", 3)]) == 1
        seen = NOTES_BY_ID.fetch(connection, ids=["a", "c", "missing"])  # uncommitted
    assert sorted(seen) == [("a", 1), ("c", 3)]
    with engine.connect() as connection:
        bodies = connection.execute(sa.select(NOTES.c.body).order_by(NOTES.c.note_id)).scalars()
        assert list(bodies) == ["first", "second", "third"]


def test_write_many_stays_in_the_callers_transaction(engine: sa.Engine) -> None:
    with engine.connect() as connection:
        transaction = connection.begin()
        assert _write_notes(connection, [("gone", "rolled back", 0)]) == 1
        transaction.rollback()
    with engine.connect() as connection:
        assert NOTES_BY_ID.fetch(connection, ids=["gone"]) == []


def test_write_many_and_fetch_fail_as_sqlalchemys(engine: sa.Engine) -> None:
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        _write_notes(connection, [("fine", "kept?", 1), ("nameless", None, 2)])
    with engine.connect() as connection:
        assert NOTES_BY_ID.fetch(connection, ids=["fine", "nameless"]) == []
        broken = Prepared(sa.select(sa.literal_column("no_such_column")).select_from(NOTES))
        with pytest.raises(sa.exc.DBAPIError):
            broken.fetch(connection)


NOTES_OF_EITHER = Prepared(
    sa.union_all(
        sa.select(NOTES.c.note_id, NOTES.c.size).where(any_of(NOTES.c.note_id, "first")),
        sa.select(NOTES.c.note_id, NOTES.c.size).where(any_of(NOTES.c.note_id, "second")),
    ),
    ["first", "second"],
)


def test_a_lone_read_of_plain_columns_and_of_a_union(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        _write_notes(connection, [("a", "first", 1), ("b", "second", 2)])
    assert NOTES_BY_ID.read(engine, ids=["a", "missing"]) == [("a", 1)]
    found = NOTES_OF_EITHER.read(engine, first=["a"], second=["b", "missing"])
    assert sorted(found) == [("a", 1), ("b", 2)]
    assert all(type(row) is tuple for row in found)
