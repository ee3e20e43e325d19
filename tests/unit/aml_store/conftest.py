"""Alert-store fixtures: every store test runs on SQLite and on the machine's PostgreSQL.

PostgreSQL gets one fresh database per test run (`tg_test_<random>`, dropped at the end) and
one fresh schema per test inside it, selected through the connection's search_path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from services.aml.alert_records import Actor, NewAlert
from services.aml.audit_trail import AuditKey, AuditTrail, CheckpointFolder
from services.aml.store import AlertStore

BANK = Actor("bank-1", "BANK")
OTHER_BANK = Actor("bank-2", "BANK")
REGULATOR = Actor("regulator-1", "REGULATOR")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'aml.db'}"
    return str(request.getfixturevalue("pg_url"))


def make_trail(folder: Path) -> AuditTrail:
    """A fresh audit key and a checkpoint folder of the test's own."""
    key = AuditKey.generate()
    return AuditTrail(key, CheckpointFolder(folder, key))


@pytest.fixture
def trail(tmp_path: Path) -> AuditTrail:
    return make_trail(tmp_path / "checkpoints")


@pytest.fixture
def store(db_url: str, trail: AuditTrail) -> Iterator[AlertStore]:
    opened = AlertStore.open(db_url, trail)
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
