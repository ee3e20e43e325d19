"""The quote store's migrations: they build exactly the table the code uses, on SQLite and
PostgreSQL, run when the store opens, and running them again changes nothing."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from services.finance.migrations import VERSION_TABLE, current_revision, upgrade
from services.finance.migrations.schema import metadata
from services.finance.settings import FinanceSettings
from services.finance.store import QuoteStore, create_engine


def test_migrations_match_the_table_definitions(db_url: str) -> None:
    store = QuoteStore.open(db_url)
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        differences = compare_metadata(context, metadata)
    store.close()
    assert differences == []


def test_fresh_database_is_migrated_on_open(db_url: str) -> None:
    engine = create_engine(db_url)
    assert current_revision(engine) is None
    QuoteStore.open(db_url).close()
    assert current_revision(engine) == "v0002"
    upgrade(engine)  # a second run is a no-op
    assert current_revision(engine) == "v0002"
    with engine.connect() as connection:
        versions = connection.execute(sa.text(f"SELECT count(*) FROM {VERSION_TABLE}")).scalar()
    engine.dispose()
    assert versions == 1


def test_downgrade_removes_the_table(db_url: str) -> None:
    from alembic import command

    from services.finance.migrations import MIGRATIONS

    engine = create_engine(db_url)
    upgrade(engine)
    with engine.begin() as connection:
        command.downgrade(MIGRATIONS.alembic_config(connection), "base")
    assert "finance_quotes" not in sa.inspect(engine).get_table_names()
    assert current_revision(engine) is None
    engine.dispose()


def test_replicas_starting_together_migrate_once(db_url: str) -> None:
    errors: list[BaseException] = []

    def open_store() -> None:
        try:
            QuoteStore.open(db_url).close()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    engine = create_engine(db_url)
    assert current_revision(engine) == "v0002"
    engine.dispose()


@pytest.mark.postgres
def test_database_url_comes_from_the_environment(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TRADEGUARD_FINANCE_DB_URL", pg_url)
    settings = FinanceSettings(tokens_file=tmp_path / "tokens.json")
    assert settings.db_url == pg_url
    store = QuoteStore.open(settings.db_url)
    assert store.engine.dialect.name == "postgresql"
    assert current_revision(store.engine) == "v0002"
    store.close()
