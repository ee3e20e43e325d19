"""Initial alert store: alerts, hash-chained events, screenings, watchlist, shadow results.

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

_GENESIS = "0" * 64

_SQLITE_GUARDS = (
    "CREATE TRIGGER alert_events_no_update BEFORE UPDATE ON alert_events "
    "BEGIN SELECT RAISE(ABORT, 'alert_events is append-only'); END",
    "CREATE TRIGGER alert_events_no_delete BEFORE DELETE ON alert_events "
    "BEGIN SELECT RAISE(ABORT, 'alert_events is append-only'); END",
)

_POSTGRES_GUARDS = (
    "CREATE FUNCTION aml_alert_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'alert_events is append-only'; END $$",
    "CREATE TRIGGER alert_events_no_change BEFORE UPDATE OR DELETE ON alert_events "
    "FOR EACH ROW EXECUTE FUNCTION aml_alert_events_append_only()",
    "CREATE TRIGGER alert_events_no_truncate BEFORE TRUNCATE ON alert_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION aml_alert_events_append_only()",
)


def _create_alerts() -> None:
    op.create_table(
        "alerts",
        sa.Column("alert_id", sa.String(36), primary_key=True),
        sa.Column("tenant", sa.String(128), nullable=False),
        sa.Column("enterprise_id", sa.String(128), nullable=False),
        sa.Column("typology", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("risk_score", sa.Float(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("members", sa.Text(), nullable=False),
        sa.Column("flows", sa.Text(), nullable=False),
        sa.Column("order_ids", sa.Text(), nullable=False),
        sa.Column("dedup_key", sa.String(128), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("ruleset_version", sa.String(64), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("last_reviewer", sa.String(300), nullable=False),
        sa.Column("last_note", sa.Text(), nullable=False),
        sa.UniqueConstraint("tenant", "dedup_key", name="uq_alerts_tenant_dedup_key"),
    )
    op.create_index("ix_alerts_created", "alerts", ["created_at", "alert_id"])
    op.create_index("ix_alerts_tenant_created", "alerts", ["tenant", "created_at", "alert_id"])
    op.create_index("ix_alerts_status_severity", "alerts", ["status", "severity"])


def _create_audit() -> None:
    op.create_table(
        "alert_events",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("alert_id", sa.String(36), sa.ForeignKey("alerts.alert_id"), nullable=True),
        sa.Column("event_type", sa.String(32), nullable=False),
        sa.Column("from_status", sa.String(16), nullable=True),
        sa.Column("to_status", sa.String(16), nullable=True),
        sa.Column("actor_tenant", sa.String(128), nullable=False),
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_alert_events_alert_seq", "alert_events", ["alert_id", "seq"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": _GENESIS}])


def _create_side_tables() -> None:
    op.create_table(
        "screenings",
        sa.Column("tenant", sa.String(128), primary_key=True),
        sa.Column("request_id", sa.String(128), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "watchlist_entries",
        sa.Column("entry_id", sa.String(128), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("aliases", sa.Text(), nullable=False),
        sa.Column("country", sa.String(8), nullable=False),
        sa.Column("list_name", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "shadow_results",
        sa.Column("ruleset_version", sa.String(64), primary_key=True),
        sa.Column("tenant", sa.String(128), primary_key=True),
        sa.Column("subject_key", sa.String(128), primary_key=True),
        sa.Column("live_version", sa.String(64), nullable=False),
        sa.Column("risk_score", sa.Float(), nullable=False),
        sa.Column("would_alert", sa.Text(), nullable=False),
        sa.Column("added", sa.Text(), nullable=False),
        sa.Column("removed", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )


def _guard_events() -> None:
    """Refuse UPDATE/DELETE on events in the database itself; the hash chain catches the rest."""
    dialect = op.get_bind().dialect.name
    guards = _POSTGRES_GUARDS if dialect == "postgresql" else _SQLITE_GUARDS
    for statement in guards:
        op.execute(statement)


def upgrade() -> None:
    _create_alerts()
    _create_audit()
    _create_side_tables()
    _guard_events()


def downgrade() -> None:
    for table in ("shadow_results", "watchlist_entries", "screenings", "audit_head"):
        op.drop_table(table)
    op.drop_table("alert_events")
    op.drop_table("alerts")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS aml_alert_events_append_only()")
