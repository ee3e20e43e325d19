"""Quote-store fixtures: store tests run on SQLite and on the machine's PostgreSQL.

PostgreSQL gets one fresh database per test run (``tg_finance_<random>``, dropped at the end)
and one fresh schema per test inside it, selected through the connection's search_path.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db' / 'finance.db'}"
    return str(request.getfixturevalue("pg_url"))
