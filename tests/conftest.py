"""Fixtures shared by every room's tests: free ports, a tokens file, a clean metrics registry,
and test certificates."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from prometheus_client import CollectorRegistry

from services.common.tokens import Role, TokenStore


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def free_port_factory() -> Callable[[], int]:
    """A callable returning a currently free loopback port (prefer port 0 where possible)."""
    return _free_port


@pytest.fixture
def free_port() -> int:
    return _free_port()


@dataclass(frozen=True)
class TokensFixture:
    """A tokens file holding one active token per role; ``tokens[Role.BANK]`` is the clear
    token of tenant ``bank-1`` (insurer-1, regulator-1, admin-1 likewise)."""

    path: Path
    store: TokenStore
    tokens: dict[Role, str]
    token_ids: dict[Role, str]

    def metadata(self, role: Role) -> tuple[tuple[str, str]]:
        return (("authorization", f"Bearer {self.tokens[role]}"),)


@pytest.fixture
def tokens_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TokensFixture:
    """Also points ``TRADEGUARD_TOKENS_FILE`` at the file for code that reads the env."""
    path = tmp_path / "secrets" / "tokens.json"
    store = TokenStore(path)
    tokens: dict[Role, str] = {}
    ids: dict[Role, str] = {}
    for role in Role:
        token, record = store.issue(f"{role.value.lower()}-1", role)
        tokens[role], ids[role] = token, record.token_id
    monkeypatch.setenv("TRADEGUARD_TOKENS_FILE", str(path))
    return TokensFixture(path, store, tokens, ids)


@pytest.fixture
def prometheus_registry() -> CollectorRegistry:
    """A registry of its own for each test, so counts start at zero."""
    return CollectorRegistry()


@dataclass(frozen=True)
class TlsFiles:
    """PEM files from a throwaway CA: a server cert for 127.0.0.1/localhost and a client cert."""

    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsFiles]:
    import trustme

    folder = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    client = ca.issue_cert("client.tradeguard.test")
    files = TlsFiles(
        ca=folder / "ca.pem",
        server_cert=folder / "server.pem",
        server_key=folder / "server.key",
        client_cert=folder / "client.pem",
        client_key=folder / "client.key",
    )
    ca.cert_pem.write_to_path(str(files.ca))
    server.cert_chain_pems[0].write_to_path(str(files.server_cert))
    server.private_key_pem.write_to_path(str(files.server_key))
    client.cert_chain_pems[0].write_to_path(str(files.client_cert))
    client.private_key_pem.write_to_path(str(files.client_key))
    yield files


# --- PostgreSQL: the machine's server on 127.0.0.1:5432 (trust auth), one database per run -----

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


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
        message = f"PostgreSQL on 127.0.0.1:5432 is not reachable: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI has the server: its absence is a failure, not a skip
        pytest.skip(message)
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
