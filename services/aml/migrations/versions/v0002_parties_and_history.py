"""Parties upserted per tenant, links between parties, and the behaviour rules' history windows.

Revision ID: v0002
Revises: v0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0002"
down_revision: str | None = "v0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "parties",
        sa.Column("tenant", sa.String(128), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("party_id", sa.String(128), primary_key=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "party_relations",
        sa.Column("tenant", sa.String(128), primary_key=True),
        sa.Column("party_a", sa.String(300), primary_key=True),
        sa.Column("party_b", sa.String(300), primary_key=True),
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("since", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "history_entries",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("key", sa.String(512), primary_key=True),
        sa.Column("doc_id", sa.String(128), primary_key=True),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("order_id", sa.String(128), nullable=False),
        sa.Column("amount_usd", sa.Float(), nullable=False),
        sa.Column("counterparty", sa.String(300), nullable=False),
    )
    op.create_index("ix_history_entries_key_at", "history_entries", ["kind", "key", "at"])
    op.create_index("ix_history_entries_at", "history_entries", ["at"])
