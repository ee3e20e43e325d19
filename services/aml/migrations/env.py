"""Alembic environment of the alert store: runs on the connection `SchemaMigrations` hands in."""

from services.common.migrations import run_in_alembic_env

run_in_alembic_env()
