"""The migrations build exactly the schema the code uses, with the durability settings on."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from services.aml.alert_records import Actor, NewAlert
from services.aml.audit_trail import AuditTrail
from services.aml.migrations import MIGRATIONS, VERSION_TABLE, current_revision, upgrade
from services.aml.migrations.schema import alert_events, metadata
from services.aml.persistence import create_store_engine
from services.aml.store import AlertStore

BANK = Actor("bank-1", "BANK")


def test_migrations_match_the_table_definitions(store: AlertStore) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        differences = compare_metadata(context, metadata)
    assert differences == []


def _newest_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS.script_location)).get_current_head()


def test_migrating_twice_is_a_no_op(store: AlertStore) -> None:
    upgrade(store.engine)
    assert current_revision(store.engine) == _newest_revision()


def test_fresh_database_has_no_revision(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == _newest_revision()
    engine.dispose()


def test_sqlite_connections_are_durable(tmp_path: Path, trail: AuditTrail) -> None:
    store = AlertStore.open(f"sqlite:///{tmp_path / 'var' / 'aml.db'}", trail)
    with store.engine.connect() as connection:
        pragma = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
        }
    store.close()
    # synchronous 2 is FULL.
    assert pragma == {
        "journal_mode": "wal",
        "synchronous": 2,
        "busy_timeout": 10000,
        "foreign_keys": 1,
    }


@pytest.mark.postgres
def test_postgres_commits_synchronously(pg_url: str, trail: AuditTrail) -> None:
    store = AlertStore.open(pg_url, trail)
    with store.engine.connect() as connection:
        setting = connection.exec_driver_sql("SHOW synchronous_commit").scalar()
        search_path = connection.exec_driver_sql("SHOW search_path").scalar()
    store.close()
    assert setting == "on"
    assert search_path is not None and search_path.startswith("t_")


def test_in_memory_sqlite_is_refused() -> None:
    with pytest.raises(ValueError, match="SQLite file"):
        create_store_engine("sqlite://")


def test_unknown_database_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        create_store_engine("mysql://u@localhost/db")


def test_events_refuse_update_and_delete(
    store: AlertStore, new_alert: Callable[..., NewAlert]
) -> None:
    store.raise_alerts([new_alert()], BANK)
    for statement in (
        alert_events.update().values(note="rewritten"),
        alert_events.delete(),
    ):
        with pytest.raises(sa.exc.DBAPIError), store.engine.begin() as connection:
            connection.execute(statement)
    assert store.verify_audit().ok
