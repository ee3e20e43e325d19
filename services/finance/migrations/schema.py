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
