"""Quote store: premium and policy-financing quotes, idempotent by (tenant, request_id).

Revision ID: v0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "finance_quotes",
        sa.Column("quote_id", sa.String(64), primary_key=True),
        sa.Column("tenant", sa.String(128), nullable=False),
        sa.Column("request_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("exporter_id", sa.String(128), nullable=False),
        sa.Column("commercial_cover", sa.Float(), nullable=False),
        sa.Column("political_cover", sa.Float(), nullable=False),
        sa.Column("declined", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("tenant", "request_id", name="uq_finance_quotes_tenant_request"),
    )
    op.create_index("ix_finance_quotes_valid_until", "finance_quotes", ["valid_until"])


def downgrade() -> None:
    op.drop_index("ix_finance_quotes_valid_until", table_name="finance_quotes")
    op.drop_table("finance_quotes")
