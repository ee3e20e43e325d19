"""The three services on loopback: risk (a small trained bundle), aml (a seeded watchlist) and
finance calling both with its own service token."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import grpc
import polars as pl
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status
from prometheus_client import CollectorRegistry

from services._proto.tradeguard.common.v1 import common_pb2
from services._proto.tradeguard.finance.v1 import finance_pb2, finance_pb2_grpc
from services.aml.domain import WatchlistEntry
from services.common.tokens import Role, TokenStore

if TYPE_CHECKING:
    from services.aml.api.server import AmlService
from services.finance.api.server import FinanceService, build
from services.finance.settings import FinanceSettings
from services.risk.api.server import RiskService
from services.risk.api.server import build as build_risk
from services.risk.settings import RiskSettings
from services.risk.training import synthetic

WATCHLIST = (
    WatchlistEntry("W-1", "Golden Crescent Holdings", "AE", "SANCTIONS", ("Golden Crescent",)),
    WatchlistEntry("W-2", "Ivan Petrov Trading", "RU", "NEGATIVE_LIST", ()),
)
KNOWN_ENTERPRISE = "ENT00007"  # in synthetic.feature_table()
EXPORTER_NAME = "Ningbo Precision Tools Co"


@dataclass(frozen=True)
class Tokens:
    path: Path
    store: TokenStore
    clear: dict[str, str]

    def md(self, who: str) -> tuple[tuple[str, str]]:
        return (("authorization", f"Bearer {self.clear[who]}"),)


def make_tokens(root: Path) -> Tokens:
    path = root / "tokens.json"
    store = TokenStore(path)
    callers = {
        "insurer-1": Role.INSURER,
        "insurer-2": Role.INSURER,
        "bank-1": Role.BANK,
        "bank-2": Role.BANK,
        "admin-1": Role.ADMIN,
        "regulator-1": Role.REGULATOR,
        "finance-svc": Role.SERVICE,
    }
    clear = {who: store.issue(who, role)[0] for who, role in callers.items()}
    # One tenant that both insures and lends: its bank may finance under its own premium quotes.
    clear["insurer-1/bank"] = store.issue("insurer-1", Role.BANK)[0]
    return Tokens(path, store, clear)


def start_risk(root: Path, tokens: Tokens, port: int = 0) -> RiskService:
    models, features = root / "models", root / "features"
    if not models.exists():
        features.mkdir(parents=True, exist_ok=True)
        synthetic.promoted_bundle(models, seed=3)
        synthetic.feature_table().write_parquet(features / "features-1.parquet")
    settings = RiskSettings(
        host="127.0.0.1", port=port, metrics_port=0, tokens_file=tokens.path,
        model_dir=models, features=features, grace_seconds=0.5,
    )  # fmt: skip
    return build_risk(settings, CollectorRegistry(), tokens.store).start(metrics=False)


def start_aml(root: Path, tokens: Tokens) -> AmlService:
    from services.aml.api.server import AmlService
    from services.aml.detector import AmlDetector
    from services.aml.domain import ReferenceData
    from services.aml.settings import AmlSettings

    settings = AmlSettings(
        host="127.0.0.1", port=0, metrics_port=0, db_url=f"sqlite:///{root / 'aml.db'}",
        data_root=root / "datasets", store_check_seconds=0.5, grace_seconds=0.5,
        tokens_file=tokens.path, audit_key_file=root / "audit.key",
        audit_checkpoint_dir=root / "audit-checkpoints",
    )  # fmt: skip
    reference = ReferenceData(watchlist=WATCHLIST)
    detector = AmlDetector.load(None, reference)
    service = AmlService(settings, detector, CollectorRegistry(), tokens.store, reference)
    return service.start(metrics=False)


ROOT = Path(__file__).resolve().parents[3]
#: Start-up imports the model libraries; on a busy shared machine that can take a while.
STARTUP_SECONDS = 180


def start_finance_process(
    port: int, db: Path, tokens_file: Path, log: Path, settings: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """`python -m services.finance` quoting graded buyers without dependencies, once it answers
    its health check; `settings`: more TRADEGUARD_FINANCE_* variables."""
    env = {
        **os.environ,
        "TRADEGUARD_TOKENS_FILE": str(tokens_file),
        "TRADEGUARD_FINANCE_HOST": "127.0.0.1",
        "TRADEGUARD_FINANCE_PORT": str(port),
        "TRADEGUARD_FINANCE_METRICS_PORT": "0",
        "TRADEGUARD_FINANCE_DB_URL": f"sqlite:///{db}",
        "TRADEGUARD_FINANCE_SCREEN_PARTIES": "false",
        **(settings or {}),
    }
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.finance"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    ends = time.monotonic() + STARTUP_SECONDS
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        health = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < ends:
            assert process.poll() is None, log.read_text()[-2000:]
            try:
                if health.Check(health_pb2.HealthCheckRequest(), timeout=1).status == 1:
                    return process
            except grpc.RpcError:
                pass
            time.sleep(0.1)
    raise TimeoutError(log.read_text()[-2000:])


def start_finance(
    root: Path,
    tokens: Tokens,
    risk_port: int,
    aml_port: int,
    clock: Callable[[], datetime] | None = None,
    **overrides: Any,
) -> FinanceService:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": 0,
        "metrics_port": 0,
        "tokens_file": tokens.path,
        "risk_target": f"127.0.0.1:{risk_port}",
        "aml_target": f"127.0.0.1:{aml_port}",
        "risk_token": tokens.clear["finance-svc"],
        "aml_token": tokens.clear["finance-svc"],
        "dependency_deadline_seconds": 0.5,
        "db_url": f"sqlite:///{root / 'finance.db'}",
        "grace_seconds": 0.5,
        **overrides,
    }
    service = build(FinanceSettings(**values), CollectorRegistry(), tokens.store, clock)
    return service.start(metrics=False)


def train_buyer_model(root: Path) -> Path:
    """A small buyer default model trained on generated data (the bundle's folder)."""
    from services.finance.training.buyer_pd import TrainingOptions, train_buyer_model
    from services.tradedata.generator import generate
    from services.tradedata.generator.config import GeneratorConfig
    from services.tradedata.loading import load_dataset

    folder = root / "buyer-model"
    if not folder.exists():
        data = root / "buyer-data"
        generate(GeneratorConfig(enterprises=80, months=30, seed=5), data)
        defaults = pl.read_parquet(data / "labels" / "buyer_defaults.parquet")
        bundle, _ = train_buyer_model(load_dataset(data), defaults, TrainingOptions(rounds=50))
        bundle.save(folder)
    return folder


@dataclass
class Stack:
    risk: RiskService
    aml: AmlService
    finance: FinanceService
    tokens: Tokens
    channel: grpc.Channel
    stub: finance_pb2_grpc.CreditInsuranceStub

    def md(self, who: str = "insurer-1") -> tuple[tuple[str, str]]:
        return self.tokens.md(who)

    def sample(self, name: str, labels: dict[str, str]) -> float:
        return self.finance.server.registry.get_sample_value(name, labels) or 0.0

    def close(self) -> None:
        self.channel.close()
        self.finance.stop(0)
        self.aml.stop(0)
        self.risk.stop(0)


def open_stack(root: Path, **finance_overrides: Any) -> Stack:
    finance_overrides.setdefault("buyer_model_dir", train_buyer_model(root))
    tokens = make_tokens(root)
    risk = start_risk(root, tokens)
    aml = start_aml(root, tokens)
    finance = start_finance(root, tokens, risk.server.port, aml.port, **finance_overrides)
    channel = grpc.insecure_channel(f"127.0.0.1:{finance.server.port}")
    return Stack(risk, aml, finance, tokens, channel, finance_pb2_grpc.CreditInsuranceStub(channel))


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = open_stack(tmp_path_factory.mktemp("finance-stack"))
    yield running
    running.close()


def money(units: int, currency: str = "USD") -> common_pb2.Money:
    return common_pb2.Money(currency_code=currency, units=units)


def short_term_request(request_id: str, **overrides: Any) -> finance_pb2.QuotePremiumRequest:
    buyer = overrides.pop("buyer", None) or finance_pb2.Buyer(
        buyer_id="B-100", name="Acme Imports Ltda", country_code="BR", grade=5
    )
    values: dict[str, Any] = {
        "request_id": request_id,
        "policy_type": finance_pb2.SHORT_TERM,
        "exporter_id": KNOWN_ENTERPRISE,
        "exporter_name": EXPORTER_NAME,
        "buyer": buyer,
        "insured_amount": money(100_000),
        "payment_terms": common_pb2.OA,
        "credit_days": 90,
        "commercial_cover": 0.9,
        "political_cover": 0.95,
        **overrides,
    }
    return finance_pb2.QuotePremiumRequest(**values)


def financing_request(request_id: str, **overrides: Any) -> finance_pb2.QuotePolicyFinancingRequest:
    values: dict[str, Any] = {
        "request_id": request_id,
        "exporter_id": KNOWN_ENTERPRISE,
        "exporter_name": EXPORTER_NAME,
        "receivable": money(200_000),
        "tenor_days": 90,
        "commercial_cover": 0.9,
        "political_cover": 0.95,
        "buyer": finance_pb2.Buyer(name="Acme Imports Ltda", country_code="BR"),
        **overrides,
    }
    return finance_pb2.QuotePolicyFinancingRequest(**values)


def field_violations(error: grpc.RpcError) -> set[str]:
    """The fields named in an INVALID_ARGUMENT's BadRequest details."""
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None
    fields: set[str] = set()
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields.update(v.field for v in bad.field_violations)
    return fields
