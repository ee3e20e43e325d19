"""Underwriting book: credit limits (versioned), policies, their events, idempotent requests.

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
        "finance_credit_limits",
        sa.Column("limit_id", sa.String(64), primary_key=True),
        sa.Column("tenant", sa.String(128), nullable=False),
        sa.Column("exporter_id", sa.String(128), nullable=False),
        sa.Column("buyer_id", sa.String(128), nullable=False),
        sa.Column("buyer_group", sa.String(128), nullable=False),
        sa.Column("country_category", sa.Integer(), nullable=False),
        sa.Column("approved_usd", sa.Numeric(24, 2), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("update_time", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "tenant", "exporter_id", "buyer_id", name="uq_finance_credit_limits_exporter_buyer"
        ),
    )
    op.create_index(
        "ix_finance_credit_limits_tenant_buyer", "finance_credit_limits", ["tenant", "buyer_id"]
    )
    op.create_index(
        "ix_finance_credit_limits_tenant_group", "finance_credit_limits", ["tenant", "buyer_group"]
    )
    op.create_table(
        "finance_credit_limit_versions",
        sa.Column("limit_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.BigInteger(), primary_key=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("change_time", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "finance_policies",
        sa.Column("policy_number", sa.String(64), primary_key=True),
        sa.Column("tenant", sa.String(128), nullable=False),
        sa.Column("quote_id", sa.String(64), nullable=False),
        sa.Column("loss_payee", sa.String(128), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("update_time", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("quote_id", name="uq_finance_policies_quote"),
    )
    op.create_table(
        "finance_book_events",
        sa.Column("subject", sa.String(64), primary_key=True),
        sa.Column("sequence", sa.BigInteger(), primary_key=True),
        sa.Column("tenant", sa.String(128), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(160), nullable=False),
        sa.Column("event_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("subject_version", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "finance_book_requests",
        sa.Column("tenant", sa.String(128), primary_key=True),
        sa.Column("request_id", sa.String(128), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("finance_book_requests")
    op.drop_table("finance_book_events")
    op.drop_table("finance_policies")
    op.drop_table("finance_credit_limit_versions")
    op.drop_index("ix_finance_credit_limits_tenant_group", table_name="finance_credit_limits")
    op.drop_index("ix_finance_credit_limits_tenant_buyer", table_name="finance_credit_limits")
    op.drop_table("finance_credit_limits")
