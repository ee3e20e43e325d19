"""Alert-store fixtures: every store test runs on SQLite and on the machine's PostgreSQL.

PostgreSQL gets one fresh database per test run (`tg_test_<random>`, dropped at the end) and
one fresh schema per test inside it, selected through the connection's search_path.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from services.aml.store import Actor, AlertStore, NewAlert

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BANK = Actor("bank-1", "BANK")
OTHER_BANK = Actor("bank-2", "BANK")
REGULATOR = Actor("regulator-1", "REGULATOR")


def _admin_engine() -> sa.Engine:
    return sa.create_engine(
        PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A database of this run's own on 127.0.0.1:5432; skipped if the server is not there."""
    name = f"tg_test_{secrets.token_hex(6)}"
    admin = _admin_engine()
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is not reachable: {exc}")
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture
def pg_url(pg_database: str) -> Iterator[str]:
    """A fresh schema in the run's database, as a URL whose connections use it."""
    schema = f"t_{secrets.token_hex(6)}"
    engine = sa.create_engine(pg_database.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    yield f"{pg_database}?options=-csearch_path%3D{schema}"
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'aml.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(db_url: str) -> Iterator[AlertStore]:
    opened = AlertStore.open(db_url)
    yield opened
    opened.close()


@pytest.fixture
def new_alert() -> Callable[..., NewAlert]:
    """Builds a NewAlert; pass any field to override it."""

    def build(key: str = "k1", **fields: Any) -> NewAlert:
        values: dict[str, Any] = {
            "tenant": BANK.tenant,
            "dedup_key": key,
            "enterprise_id": "E1",
            "typology": "PHANTOM_SHIPMENT",
            "severity": "HIGH",
            "risk_score": 0.91,
            "source": "SCREENING",
            "ruleset_version": "rs-1",
            "evidence": {"summary": "paid, never shipped", "order_id": "O1"},
            "members": ("E1", "B1"),
            "flows": ({"from": "B1", "to": "E1", "amount": 1000.5},),
            "order_ids": ("O1",),
        }
        values.update(fields)
        return NewAlert(**values)

    return build
