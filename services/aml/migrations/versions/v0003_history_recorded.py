"""History entries say when they were written, so that the purge keeps a replay's entries.

Revision ID: v0003
Revises: v0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0003"
down_revision: str | None = "v0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    # Entries written before this revision count as written long ago: the purge treats them
    # by their trade time alone, as before.
    op.add_column(
        "history_entries",
        sa.Column("recorded", sa.BigInteger(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    with op.batch_alter_table("history_entries") as table:
        table.drop_column("recorded")
