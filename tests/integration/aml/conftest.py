"""A real AML server on loopback (in-process, or as a subprocess for crash tests), tokens for
every role, and trade builders whose outcome the default rule set decides."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import timestamp_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from prometheus_client import CollectorRegistry

from services._proto.tradeguard.aml.v1 import aml_pb2, aml_pb2_grpc
from services._proto.tradeguard.common.v1 import common_pb2
from services.aml.api.server import AmlService
from services.aml.detector import AmlDetector
from services.aml.domain import ReferenceData, WatchlistEntry
from services.aml.settings import AmlSettings
from services.common.tokens import Role, TokenStore

ROOT = Path(__file__).resolve().parents[3]
WATCHLIST = (
    WatchlistEntry("W-1", "Golden Crescent Holdings", "AE", "SANCTIONS", ("Golden Crescent",)),
    WatchlistEntry("W-2", "Ivan Petrov Trading", "RU", "NEGATIVE_LIST", ("Иван Петров",)),
)
PAST = datetime(2025, 3, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Callers:
    """One token per caller: bank-1 and bank-2 (BANK), insurer-1, regulator-1, admin-1, and
    service-1 (SERVICE, as finance calls with)."""

    tokens: dict[str, str]

    def md(self, who: str) -> tuple[tuple[str, str]]:
        return (("authorization", f"Bearer {self.tokens[who]}"),)


@pytest.fixture
def callers(tmp_path: Path) -> tuple[Path, Callers]:
    path = tmp_path / "tokens.json"
    store = TokenStore(path)
    tokens = {
        "bank-1": store.issue("bank-1", Role.BANK)[0],
        "bank-2": store.issue("bank-2", Role.BANK)[0],
        "insurer-1": store.issue("insurer-1", Role.INSURER)[0],
        "regulator-1": store.issue("regulator-1", Role.REGULATOR)[0],
        "admin-1": store.issue("admin-1", Role.ADMIN)[0],
        "service-1": store.issue("tradeguard-finance", Role.SERVICE)[0],
    }
    return path, Callers(tokens)


def aml_settings(tmp_path: Path, tokens_file: Path, db_url: str, **extra: Any) -> AmlSettings:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": 0,
        "metrics_port": 0,
        "db_url": db_url,
        "data_root": tmp_path / "datasets",
        "store_check_seconds": 0.2,
        "grace_seconds": 1.0,
        "tokens_file": tokens_file,
        "max_batch": 50,
        "audit_key_file": tmp_path / "audit.key",
        "audit_checkpoint_dir": tmp_path / "audit-checkpoints",
        **extra,
    }
    return AmlSettings(**values)


@dataclass
class Harness:
    """A started service, a stub on it, and the callers' tokens."""

    service: AmlService
    stub: aml_pb2_grpc.AmlMonitoringStub
    channel: grpc.Channel
    callers: Callers

    def md(self, who: str) -> tuple[tuple[str, str]]:
        return self.callers.md(who)

    def sample(self, name: str, labels: dict[str, str] | None = None) -> float:
        return self.service.registry.get_sample_value(name, labels or {}) or 0.0


def start_harness(
    settings: AmlSettings,
    callers: Callers,
    detector: AmlDetector | None = None,
    reference: ReferenceData | None = None,
) -> Harness:
    reference = reference or ReferenceData(watchlist=WATCHLIST)
    detector = detector or AmlDetector.load(None, reference)
    service = AmlService(settings, detector, CollectorRegistry(), reference=reference)
    service.start(metrics=False)
    channel = grpc.insecure_channel(f"127.0.0.1:{service.port}")
    return Harness(service, aml_pb2_grpc.AmlMonitoringStub(channel), channel, callers)


@pytest.fixture
def harness(tmp_path: Path, callers: tuple[Path, Callers]) -> Iterator[Harness]:
    tokens_file, who = callers
    settings = aml_settings(tmp_path, tokens_file, f"sqlite:///{tmp_path / 'aml.db'}")
    running = start_harness(settings, who)
    yield running
    running.channel.close()
    running.service.stop(0)


# --- trades -------------------------------------------------------------------------------


def _ts(moment: datetime) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def _money(amount: float, currency: str = "USD") -> common_pb2.Money:
    units = int(amount)
    return common_pb2.Money(currency_code=currency, units=units, nanos=int((amount - units) * 1e9))


def trade(order_id: str, *, shipped: bool = True, enterprise_id: str = "E-1") -> common_pb2.Trade:
    """A consistent export: order, the buyer's payment, and (unless `shipped` is False) a
    waybill and a declaration that agree. Unshipped, it is a phantom shipment: paid, with no
    waybill or declaration long after the payment."""
    at = PAST
    order = common_pb2.Order(
        order_id=order_id,
        enterprise_id=enterprise_id,
        buyer_id="B-1",
        platform="amazon",
        ordered_at=_ts(at),
        hs_code="851712",
        quantity=100,
        unit="pcs",
        unit_price=_money(100.0),
        amount=_money(10_000.0),
        incoterm=common_pb2.FOB,
        payment_terms=common_pb2.OA,
        credit_days=30,
    )
    payment = common_pb2.Payment(
        payment_id=f"P-{order_id}",
        order_id=order_id,
        payer_name="Acme Imports GmbH",
        payer_country="DE",
        payer_account="DE89370400440532013000",
        paid_at=_ts(at + timedelta(days=3)),
        amount=_money(10_000.0),
        channel=common_pb2.BANK,
    )
    message = common_pb2.Trade(
        order=order,
        payments=[payment],
        exporter=common_pb2.Party(
            party_id=enterprise_id, name="Shenzhen Bright Export Co", country_code="CN"
        ),
        buyer=common_pb2.Party(party_id="B-1", name="Acme Imports GmbH", country_code="DE"),
    )
    if shipped:
        message.waybills.append(
            common_pb2.Waybill(
                waybill_id=f"W-{order_id}",
                order_id=order_id,
                carrier="COSCO",
                shipped_at=_ts(at + timedelta(days=1)),
                delivered_at=_ts(at + timedelta(days=20)),
                origin="CN",
                destination_country="DE",
                gross_weight_kg=25.0,
                packages=4,
                status=common_pb2.DELIVERED,
            )
        )
        message.declaration.CopyFrom(
            common_pb2.Declaration(
                declaration_id=f"D-{order_id}",
                order_id=order_id,
                declared_at=_ts(at + timedelta(days=1)),
                hs_code="851712",
                declared_value=_money(10_000.0),
                quantity=100,
                customs_status=common_pb2.RELEASED,
            )
        )
    return message


def screen(order_id: str, request_id: str | None = None, **kw: Any) -> aml_pb2.ScreenTradeRequest:
    return aml_pb2.ScreenTradeRequest(
        request_id=request_id or f"req-{order_id}", trade=trade(order_id, **kw)
    )


# --- the service as a separate process ----------------------------------------------------


class ServerProcess:
    """`python -m services.aml` in a child process, for kill -9 and restart tests."""

    def __init__(self, port: int, env: dict[str, str], log: Path) -> None:
        self.port = port
        self._env = env
        self._log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "services.aml",
            "--port",
            str(self.port),
            "--metrics-port",
            "0",
        ]
        with self._log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self._env, stdout=log, stderr=log
            )
        self.wait_serving()

    def wait_serving(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        with grpc.insecure_channel(f"127.0.0.1:{self.port}") as channel:
            health = health_pb2_grpc.HealthStub(channel)
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"server exited: {self._log.read_text()[-2000:]}")
                try:
                    reply = health.Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
                    if reply.status == health_pb2.HealthCheckResponse.SERVING:
                        return
                except grpc.RpcError:
                    pass
                time.sleep(0.1)
        raise TimeoutError(f"server not serving: {self._log.read_text()[-2000:]}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


@pytest.fixture
def server_process_factory(
    tmp_path: Path, callers: tuple[Path, Callers], free_port_factory: Callable[[], int]
) -> Iterator[Callable[[str], ServerProcess]]:
    started: list[ServerProcess] = []

    def make(db_url: str) -> ServerProcess:
        env = {
            **os.environ,
            "TRADEGUARD_AML_DB_URL": db_url,
            "TRADEGUARD_AML_AUDIT_KEY_FILE": str(tmp_path / "audit.key"),
            "TRADEGUARD_AML_AUDIT_CHECKPOINT_DIR": str(tmp_path / "audit-checkpoints"),
            "TRADEGUARD_TOKENS_FILE": str(callers[0]),
            "TRADEGUARD_AML_HOST": "127.0.0.1",
            "TRADEGUARD_AML_STORE_CHECK_SECONDS": "0.2",
            "TRADEGUARD_AML_DATA_ROOT": str(tmp_path / "datasets"),
            "TRADEGUARD_AML_MAX_BATCH": "50",
        }
        server = ServerProcess(free_port_factory(), env, tmp_path / "server.log")
        started.append(server)
        return server

    yield make
    for server in started:
        server.kill()
