"""Schema migrations of the quote store, run at start (see services.common.migrations)."""

from __future__ import annotations

from pathlib import Path

from services.common.migrations import SchemaMigrations

MIGRATIONS = SchemaMigrations(
    script_location=Path(__file__).parent,
    version_table="finance_alembic_version",
    lock_key=0x7467_6669_6E00,  # "tgfin"
)
VERSION_TABLE = MIGRATIONS.version_table
upgrade = MIGRATIONS.upgrade
current_revision = MIGRATIONS.current_revision
