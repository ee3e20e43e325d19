"""The quote store's table as SQLAlchemy Core objects: the head of the migration history.

The quote itself is an opaque payload (the serialized response), so a repeated request returns
exactly the bytes answered the first time. The columns beside it are what other requests check
against without decoding it: the exporter, the covers and whether the quote was declined.
A test compares these objects with a database built by the migrations.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

quotes = sa.Table(
    "finance_quotes",
    metadata,
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
    # The periodic purge deletes by expiry.
    sa.Index("ix_finance_quotes_valid_until", "valid_until"),
)

# The underwriting book. Each record is its domain object as JSON (``payload``); the columns
# beside it are what queries filter and add up without decoding it.
credit_limits = sa.Table(
    "finance_credit_limits",
    metadata,
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
    # One limit per exporter and buyer: a new request is a new version of it.
    sa.UniqueConstraint(
        "tenant", "exporter_id", "buyer_id", name="uq_finance_credit_limits_exporter_buyer"
    ),
    sa.Index("ix_finance_credit_limits_tenant_buyer", "tenant", "buyer_id"),
    sa.Index("ix_finance_credit_limits_tenant_group", "tenant", "buyer_group"),
)

credit_limit_versions = sa.Table(
    "finance_credit_limit_versions",
    metadata,
    sa.Column("limit_id", sa.String(64), primary_key=True),
    sa.Column("version", sa.BigInteger(), primary_key=True),
    sa.Column("payload", sa.Text(), nullable=False),
    sa.Column("change_time", sa.DateTime(timezone=True), nullable=False),
)

policies = sa.Table(
    "finance_policies",
    metadata,
    sa.Column("policy_number", sa.String(64), primary_key=True),
    sa.Column("tenant", sa.String(128), nullable=False),
    sa.Column("quote_id", sa.String(64), nullable=False),
    sa.Column("loss_payee", sa.String(128), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("version", sa.BigInteger(), nullable=False),
    sa.Column("payload", sa.Text(), nullable=False),
    sa.Column("update_time", sa.DateTime(timezone=True), nullable=False),
    # A quote binds at most one policy.
    sa.UniqueConstraint("quote_id", name="uq_finance_policies_quote"),
)

# Append-only: every change of a policy or a credit limit, with who made it.
book_events = sa.Table(
    "finance_book_events",
    metadata,
    sa.Column("subject", sa.String(64), primary_key=True),
    sa.Column("sequence", sa.BigInteger(), primary_key=True),
    sa.Column("tenant", sa.String(128), nullable=False),
    sa.Column("event", sa.String(32), nullable=False),
    sa.Column("actor", sa.String(160), nullable=False),
    sa.Column("event_time", sa.DateTime(timezone=True), nullable=False),
    sa.Column("detail", sa.Text(), nullable=False),
    sa.Column("subject_version", sa.BigInteger(), nullable=False),
)

# The answer given to each idempotent book request, replayed when its request_id comes again.
book_requests = sa.Table(
    "finance_book_requests",
    metadata,
    sa.Column("tenant", sa.String(128), primary_key=True),
    sa.Column("request_id", sa.String(128), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("response", sa.LargeBinary(), nullable=False),
    sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
)
