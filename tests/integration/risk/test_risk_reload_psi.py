"""Hot reload under concurrent load, and PSI from shifted live traffic, on real servers."""

from __future__ import annotations

import os
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import polars as pl
import pytest

from services._proto.tradeguard.common.v1 import common_pb2
from services._proto.tradeguard.risk.v1 import risk_pb2
from services.risk import model as model_io
from services.risk.features import encode
from services.risk.training import synthetic

N_ENTERPRISES = 300
CLIENTS = 4


def request(enterprise: str) -> risk_pb2.ScoreFinancingRequest:
    return risk_pb2.ScoreFinancingRequest(
        request_id=enterprise,
        enterprise_id=enterprise,
        product=risk_pb2.ORDER_FINANCING,
        amount=common_pb2.Money(currency_code="USD", units=5_000),
        tenor_days=60,
    )


def raw_scores(bundle_dir: Path, table: pl.DataFrame) -> np.ndarray:
    bundle = model_io.load(bundle_dir)
    x = encode(table, bundle.metadata.features, bundle.metadata.categories)
    return np.asarray(bundle.booster.predict(x, raw_score=True))


def write_atomically(frame: pl.DataFrame, target: Path) -> None:
    staging = target.with_suffix(".tmp")
    frame.write_parquet(staging)
    os.replace(staging, target)


def wait_for(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


class Load:
    """Clients calling ScoreFinancing in a loop, keeping every response and error."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.responses: list[risk_pb2.FinancingScore] = []
        self.errors: list[grpc.RpcError] = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(CLIENTS)]

    def run(self, seed: int) -> None:
        rng = np.random.default_rng(seed)
        while not self.stop.is_set():
            enterprise = f"ENT{int(rng.integers(N_ENTERPRISES)):05d}"
            try:
                self.responses.append(
                    self.server.stub.ScoreFinancing(
                        request(enterprise), metadata=self.server.auth(), timeout=10
                    )
                )
            except grpc.RpcError as error:
                self.errors.append(error)

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def test_hot_reload_under_load_loses_no_call_and_mixes_no_version(
    risk_server_factory: Callable[..., Any], bundle_trainer: Callable[[Path, int], Path]
) -> None:
    server = risk_server_factory(reload_seconds=0.1)
    runtime = server.service.runtime
    old_bundle = Path(runtime.snapshot.bundle.path)
    old_table = synthetic.feature_table()
    new_table = synthetic.feature_table(seed=12).with_columns(pl.lit("2026-02-01").alias("as_of"))
    with Load(server) as load:
        wait_for(lambda: len(load.responses) > 50)
        new_bundle = bundle_trainer(server.models, 4)
        write_atomically(new_table, server.features / "features-2.parquet")
        wait_for(lambda: runtime.snapshot.version == new_bundle.name)
        wait_for(lambda: runtime.snapshot.features_as_of == "2026-02-01")
        seen = len(load.responses)
        wait_for(lambda: len(load.responses) > seen + 50)
    assert load.errors == []
    expected = {
        (bundle.name, as_of): raw_scores(bundle, table)
        for bundle in (old_bundle, new_bundle)
        for as_of, table in (("2026-01-01", old_table), ("2026-02-01", new_table))
    }
    versions = set()
    for score in load.responses:
        key = (score.model_version, score.features_as_of.ToDatetime().date().isoformat())
        versions.add(score.model_version)
        row = int(score.enterprise_id[3:])
        assert score.raw_score == pytest.approx(expected[key][row], abs=1e-9)
    assert versions == {old_bundle.name, new_bundle.name}


def psi_gauge(server: Any, feature: str) -> float:
    url = f"http://127.0.0.1:{server.service.server.metrics_port}/metrics"
    with urllib.request.urlopen(url, timeout=5) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(f'risk_feature_psi{{feature="{feature}",model_version='):
                return float(line.split()[-1])
    raise AssertionError(f"no risk_feature_psi for {feature}")


def stream(server: Any, enterprises: list[str]) -> None:
    batch = risk_pb2.StreamScoreFinancingRequest(requests=[request(e) for e in enterprises])
    for response in server.stub.StreamScoreFinancing(iter([batch]), metadata=server.auth()):
        assert all(r.WhichOneof("outcome") == "score" for r in response.results)


def test_psi_rises_when_shifted_traffic_is_sent(risk_server_factory: Callable[..., Any]) -> None:
    server = risk_server_factory(psi_window=200, psi_seconds=0.1)
    table = synthetic.feature_table()
    overdue = table["overdue_share_6m"].to_numpy()
    everyone = [f"ENT{i:05d}" for i in range(N_ENTERPRISES)]
    high = [f"ENT{i:05d}" for i in np.argsort(overdue)[-60:]]  # the most overdue fifth
    stream(server, everyone[:200])
    server.service.psi.refresh()
    calm = psi_gauge(server, "overdue_share_6m")
    stream(server, high * 4)
    server.service.psi.refresh()
    shifted = psi_gauge(server, "overdue_share_6m")
    assert calm < 0.1
    assert shifted > 0.5
    assert psi_gauge(server, "noise") < shifted


def test_not_ready_until_a_model_and_table_appear(
    risk_server_factory: Callable[..., Any], bundle_trainer: Callable[[Path, int], Path]
) -> None:
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    server = risk_server_factory(prepared=False, reload_seconds=0.1)
    health = health_pb2_grpc.HealthStub(server.channel)
    service = "tradeguard.risk.v1.RiskScoring"

    def status() -> int:
        return int(health.Check(health_pb2.HealthCheckRequest(service=service), timeout=5).status)

    assert status() == health_pb2.HealthCheckResponse.NOT_SERVING
    with pytest.raises(grpc.RpcError) as error:
        server.stub.ScoreFinancing(request("ENT00001"), metadata=server.auth(), timeout=5)
    assert error.value.code() == grpc.StatusCode.UNAVAILABLE
    bundle_trainer(server.models, 3)
    table = synthetic.feature_table()
    write_atomically(table, server.features / "features-1.parquet")
    wait_for(lambda: status() == health_pb2.HealthCheckResponse.SERVING)
    # The most overdue exporter is referred or declined, so its answer carries reasons.
    riskiest = f"ENT{int(np.argmax(table['overdue_share_6m'].to_numpy())):05d}"
    score = server.stub.ScoreFinancing(request(riskiest), metadata=server.auth(), timeout=5)
    assert score.reasons
