"""Alembic migrations run programmatically when a service starts, shared by every store.

Several replicas may start at once: on PostgreSQL an advisory lock makes one of them migrate
while the others wait; on SQLite the write transaction (BEGIN IMMEDIATE) does the same. Each
store keeps its own script folder and version table, so stores can share one database.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext


@dataclass(frozen=True)
class SchemaMigrations:
    """One store's migration scripts (`script_location`) and where their version is kept."""

    script_location: Path
    version_table: str
    #: PostgreSQL advisory lock key; any constant unique to this schema.
    lock_key: int

    def alembic_config(self, connection: sa.Connection) -> Config:
        config = Config()
        config.set_main_option("script_location", str(self.script_location))
        config.attributes["connection"] = connection
        config.attributes["version_table"] = self.version_table
        return config

    def upgrade(self, engine: sa.Engine, revision: str = "head") -> None:
        """Bring the schema up to `revision` (default: the newest)."""
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": self.lock_key}
                )
            command.upgrade(self.alembic_config(connection), revision)

    def current_revision(self, engine: sa.Engine) -> str | None:
        """The revision the database is at, or None before the first migration."""
        with engine.connect() as connection:
            migration = MigrationContext.configure(
                connection, opts={"version_table": self.version_table}
            )
            return migration.get_current_revision()


def run_in_alembic_env() -> None:
    """The body of every store's `env.py`: migrate on the connection `SchemaMigrations` hands in."""
    attributes = context.config.attributes
    context.configure(
        connection=attributes["connection"], version_table=attributes["version_table"]
    )
    with context.begin_transaction():
        context.run_migrations()
