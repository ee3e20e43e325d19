"""Schema migrations of the alert store, run at start (see services.common.migrations)."""

from __future__ import annotations

from pathlib import Path

from services.common.migrations import SchemaMigrations

MIGRATIONS = SchemaMigrations(
    script_location=Path(__file__).parent,
    version_table="aml_alembic_version",
    lock_key=0x7467_616D_6C00,  # "tgaml"
)
VERSION_TABLE = MIGRATIONS.version_table
upgrade = MIGRATIONS.upgrade
current_revision = MIGRATIONS.current_revision
