"""Retention: stored screening responses are kept for a while, then forgotten."""

from __future__ import annotations

from datetime import datetime

from services.aml.migrations.schema import screenings
from services.aml.persistence import guard, to_micros
from services.aml.store import AlertStore


def purge_screenings(store: AlertStore, before: datetime) -> int:
    """Forget stored responses older than `before`; their request ids may then be reused.

    Alerts are untouched: re-screening an old trade still finds its alert by dedup key.
    """
    delete = screenings.delete().where(screenings.c.created_at < to_micros(before))
    with guard(), store.engine.begin() as connection:
        return int(connection.execute(delete).rowcount)
