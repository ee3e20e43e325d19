"""Alembic environment: always run on a connection handed in by `services.aml.migrations`."""

from __future__ import annotations

from alembic import context

from services.aml.migrations import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(connection=connection, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
