"""A real risk server on loopback, scoring a synthetic feature table with a trained bundle."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from prometheus_client import CollectorRegistry

from services._proto.tradeguard.risk.v1 import risk_pb2_grpc
from services.common.tokens import Role, TokenStore
from services.risk.api.server import RiskService, build
from services.risk.settings import RiskSettings
from services.risk.training import synthetic


@dataclass(frozen=True)
class RiskServer:
    service: RiskService
    stub: risk_pb2_grpc.RiskScoringStub
    channel: grpc.Channel
    tokens: dict[Role, str]
    models: Path
    features: Path

    def auth(self, role: Role = Role.BANK) -> tuple[tuple[str, str]]:
        return (("authorization", f"Bearer {self.tokens[role]}"),)

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.service.server.metrics_port}/metrics"


def train_bundle(models: Path, seed: int = 3) -> Path:
    """A candidate trained on synthetic data and promoted through its gates: it serves."""
    return synthetic.promoted_bundle(models, seed)


def stop_server(server: RiskServer) -> None:
    server.channel.close()
    server.service.stop(0)


def start_server(root: Path, prepared: bool = True, **overrides: object) -> RiskServer:
    """A server on `root`; `prepared=False` starts it before any model or table exists."""
    models, features = root / "models", root / "features"
    features.mkdir(parents=True, exist_ok=True)
    if prepared:
        train_bundle(models)
        synthetic.feature_table().write_parquet(features / "features-1.parquet")
    store = TokenStore(root / "tokens.json")
    tokens = {role: store.issue(f"{role.value.lower()}-1", role)[0] for role in Role}
    settings = RiskSettings(
        host="127.0.0.1",
        port=0,
        metrics_port=0,
        tokens_file=root / "tokens.json",
        model_dir=models,
        features=features,
        **overrides,  # type: ignore[arg-type]
    )
    service = build(settings, CollectorRegistry(), store).start()
    channel = grpc.insecure_channel(f"127.0.0.1:{service.server.port}")
    stub = risk_pb2_grpc.RiskScoringStub(channel)
    return RiskServer(service, stub, channel, tokens, models, features)


@pytest.fixture(scope="module")
def risk_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RiskServer]:
    server = start_server(tmp_path_factory.mktemp("risk"), psi_seconds=0.2, reload_seconds=0.2)
    yield server
    stop_server(server)


@pytest.fixture
def risk_server_factory(tmp_path: Path) -> Iterator[Callable[..., RiskServer]]:
    """Starts a server of the test's own (so it may change its models and features)."""
    started: list[RiskServer] = []

    def factory(**overrides: object) -> RiskServer:
        server = start_server(tmp_path, **overrides)
        started.append(server)
        return server

    yield factory
    for server in started:
        stop_server(server)


@pytest.fixture(scope="session")
def bundle_trainer() -> Callable[[Path, int], Path]:
    return train_bundle
