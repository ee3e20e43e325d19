"""The alert store's tables as SQLAlchemy Core objects: the head of the migration history.

Timestamps are integer microseconds since the Unix epoch (UTC): they sort and compare exactly on
both SQLite and PostgreSQL and hash the same way everywhere. JSON documents are stored as
canonical JSON text so that what is hashed is byte-for-byte what is stored.
A test compares these objects with a database built by the migrations.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

alerts = sa.Table(
    "alerts",
    metadata,
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
    # Per tenant: one bank's screening must neither hide nor reveal another bank's alert.
    sa.UniqueConstraint("tenant", "dedup_key", name="uq_alerts_tenant_dedup_key"),
    sa.Index("ix_alerts_created", "created_at", "alert_id"),
    sa.Index("ix_alerts_tenant_created", "tenant", "created_at", "alert_id"),
    sa.Index("ix_alerts_status_severity", "status", "severity"),
)

alert_events = sa.Table(
    "alert_events",
    metadata,
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
    sa.Index("ix_alert_events_alert_seq", "alert_id", "seq"),
)

# The chain's tip, one row. Writers lock it first, which orders every append, and the verifier
# compares it with the last event so that deleting the newest events is detected too.
audit_head = sa.Table(
    "audit_head",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("seq", sa.BigInteger(), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

screenings = sa.Table(
    "screenings",
    metadata,
    sa.Column("tenant", sa.String(128), primary_key=True),
    sa.Column("request_id", sa.String(128), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("response", sa.LargeBinary(), nullable=False),
    sa.Column("created_at", sa.BigInteger(), nullable=False),
)

watchlist_entries = sa.Table(
    "watchlist_entries",
    metadata,
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

shadow_results = sa.Table(
    "shadow_results",
    metadata,
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

parties = sa.Table(
    "parties",
    metadata,
    sa.Column("tenant", sa.String(128), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("party_id", sa.String(128), primary_key=True),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("updated_at", sa.BigInteger(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
)

party_relations = sa.Table(
    "party_relations",
    metadata,
    sa.Column("tenant", sa.String(128), primary_key=True),
    sa.Column("party_a", sa.String(300), primary_key=True),
    sa.Column("party_b", sa.String(300), primary_key=True),
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("since", sa.BigInteger(), nullable=True),
    sa.Column("updated_at", sa.BigInteger(), nullable=False),
)

history_entries = sa.Table(
    "history_entries",
    metadata,
    sa.Column("kind", sa.String(16), primary_key=True),
    sa.Column("key", sa.String(512), primary_key=True),
    sa.Column("doc_id", sa.String(128), primary_key=True),
    sa.Column("at", sa.BigInteger(), nullable=False),
    sa.Column("order_id", sa.String(128), nullable=False),
    sa.Column("amount_usd", sa.Float(), nullable=False),
    sa.Column("counterparty", sa.String(300), nullable=False),
    # When the entry was written (wall clock, microseconds): a replay of old trades writes
    # entries whose `at` is long past, and they must outlive their windows in wall time too.
    sa.Column("recorded", sa.BigInteger(), nullable=False, server_default="0"),
    sa.Index("ix_history_entries_key_at", "kind", "key", "at"),
    sa.Index("ix_history_entries_at", "at"),
)

GENESIS_HASH = "0" * 64
HEAD_ROW_ID = 1
