"""Durability through a real server: kill -9 mid-stream and under concurrent unary calls,
re-sent trades and reviews, PostgreSQL outage."""

from __future__ import annotations

import importlib.util
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import TypeVar

import grpc
import pytest
import sqlalchemy as sa
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services._proto.tradeguard.aml.v1 import aml_pb2, aml_pb2_grpc
from services.aml.audit_trail import AuditTrail
from services.aml.store import AlertStore

from .conftest import Callers, Harness, ServerProcess, aml_settings, screen, start_harness

pytestmark = pytest.mark.slow
T = TypeVar("T")


def _load_private_pg() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "unit" / "aml_store" / "private_pg.py"
    spec = importlib.util.spec_from_file_location("aml_private_pg", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _batches(count: int, size: int) -> list[aml_pb2.StreamScreenTradesRequest]:
    """Every other trade is a phantom shipment, so about half of them raise an alert."""
    return [
        aml_pb2.StreamScreenTradesRequest(
            requests=[screen(f"K-{b}-{i}", shipped=(i % 2 == 0)) for i in range(size)]
        )
        for b in range(count)
    ]


def _all_alerts(stub: aml_pb2_grpc.AmlMonitoringStub, md: tuple[tuple[str, str]]) -> list[str]:
    ids: list[str] = []
    token = ""
    while True:
        page = stub.ListAlerts(
            aml_pb2.ListAlertsRequest(page_size=500, page_token=token), metadata=md
        )
        ids += [a.alert_id for a in page.alerts]
        token = page.next_page_token
        if not token:
            return ids


def _stream_until_killed(
    server: ServerProcess,
    batches: list[aml_pb2.StreamScreenTradesRequest],
    md: tuple[tuple[str, str]],
    kill_after: int,
) -> dict[str, aml_pb2.ScreenTradeResponse]:
    acknowledged: dict[str, aml_pb2.ScreenTradeResponse] = {}
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = aml_pb2_grpc.AmlMonitoringStub(channel)
        replies = stub.StreamScreenTrades(iter(batches), metadata=md, timeout=60)
        with pytest.raises(grpc.RpcError):
            for count, reply in enumerate(replies, start=1):
                for result in reply.results:
                    acknowledged[result.response.request_id] = result.response
                if count == kill_after:
                    server.kill()
    return acknowledged


def test_kill_9_mid_stream_loses_no_acknowledged_alert(
    server_process_factory: Callable[[str], ServerProcess],
    callers: tuple[Path, Callers],
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'aml.db'}"
    who = callers[1]
    server = server_process_factory(url)
    server.start()
    batches = _batches(count=24, size=10)
    acknowledged = _stream_until_killed(server, batches, who.md("bank-1"), kill_after=3)
    assert 30 <= len(acknowledged) < 240
    server.start()
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = aml_pb2_grpc.AmlMonitoringStub(channel)
        regulator = who.md("regulator-1")
        for response in acknowledged.values():
            if response.HasField("alert"):
                request = aml_pb2.GetAlertRequest(alert_id=response.alert.alert_id)
                assert (
                    stub.GetAlert(request, metadata=regulator).alert_id == response.alert.alert_id
                )
        replies = list(
            stub.StreamScreenTrades(iter(batches), metadata=who.md("bank-1"), timeout=60)
        )
        again = {r.response.request_id: r.response for reply in replies for r in reply.results}
        assert all(again[rid] == response for rid, response in acknowledged.items())
        alert_ids = _all_alerts(stub, regulator)
    assert len(alert_ids) == len(set(alert_ids)) == 120
    server.terminate()
    assert server.process is not None and server.process.returncode == 0
    trail = AuditTrail.from_files(
        tmp_path / "audit.key", tmp_path / "audit-checkpoints", create=False
    )
    store = AlertStore.open(url, trail, migrate=False)
    assert store.verify_audit().ok
    store.close()


def _history_documents(url: str) -> set[str]:
    """The documents the behaviour rules' history windows hold, read from the store's file."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT doc_id FROM history_entries"))
            return {str(doc_id) for (doc_id,) in rows}
    finally:
        engine.dispose()


def _requests(count: int) -> list[aml_pb2.ScreenTradeRequest]:
    """Every other trade is a phantom shipment, so half of them raise an alert."""
    return [screen(f"U-{i}", shipped=(i % 2 == 0)) for i in range(count)]


def _concurrently_until_killed(
    server: ServerProcess, calls: list[Callable[[], T]], keys: list[str], kill_after: int
) -> dict[str, T]:
    """Runs the calls 16 at a time and kills the server (-9) once `kill_after` of them were
    acknowledged; returns what was acknowledged, by key."""
    acknowledged: dict[str, T] = {}
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            answer = calls[index]()
        except grpc.RpcError:
            return  # in flight when the server died, or sent after: never acknowledged
        with lock:
            acknowledged[keys[index]] = answer
            if len(acknowledged) == kill_after:
                server.kill()

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(run, range(len(calls))))
    return acknowledged


def test_kill_9_under_concurrent_unary_calls_loses_no_acknowledged_write(
    server_process_factory: Callable[[str], ServerProcess],
    callers: tuple[Path, Callers],
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'aml.db'}"
    who = callers[1]
    bank, regulator = who.md("bank-1"), who.md("regulator-1")
    server = server_process_factory(url)
    server.start()
    requests = _requests(240)
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = aml_pb2_grpc.AmlMonitoringStub(channel)
        calls = [partial(stub.ScreenTrade, r, metadata=bank, timeout=60) for r in requests]
        screened = _concurrently_until_killed(
            server, calls, [r.request_id for r in requests], kill_after=40
        )
    assert 40 <= len(screened) < 240
    # What an answered screening added to the history windows is as durable as its alerts.
    recorded = _history_documents(url)
    assert all(r.request_id.removeprefix("req-") in recorded for r in screened.values())
    server.start()
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = aml_pb2_grpc.AmlMonitoringStub(channel)
        alerted = [r.alert for r in screened.values() if r.HasField("alert")]
        for alert in alerted:
            got = stub.GetAlert(
                aml_pb2.GetAlertRequest(alert_id=alert.alert_id), metadata=regulator
            )
            assert got.alert_id == alert.alert_id
        again = {r.request_id: stub.ScreenTrade(r, metadata=bank, timeout=60) for r in requests}
        assert all(again[rid] == response for rid, response in screened.items())
        reviews = [
            partial(
                stub.ReviewAlert,
                aml_pb2.ReviewAlertRequest(
                    alert_id=a.alert_id, decision=aml_pb2.START_REVIEW, expected_version=1
                ),
                metadata=regulator,
                timeout=60,
            )
            for a in alerted
        ]
        reviewed = _concurrently_until_killed(
            server, reviews, [a.alert_id for a in alerted], kill_after=len(alerted) // 2
        )
    assert reviewed
    server.start()
    with grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        stub = aml_pb2_grpc.AmlMonitoringStub(channel)
        for alert_id, acked in reviewed.items():
            got = stub.GetAlert(aml_pb2.GetAlertRequest(alert_id=alert_id), metadata=regulator)
            assert (got.status, got.version) == (acked.status, acked.version)
        alert_ids = _all_alerts(stub, regulator)
    assert len(alert_ids) == len(set(alert_ids)) == 120
    server.terminate()
    trail = AuditTrail.from_files(
        tmp_path / "audit.key", tmp_path / "audit-checkpoints", create=False
    )
    store = AlertStore.open(url, trail, migrate=False)
    assert store.verify_audit().ok
    store.close()


@pytest.fixture
def private_postgres() -> Iterator[object]:
    private_pg = _load_private_pg()
    if not private_pg.available():
        pytest.skip("PostgreSQL server binaries not installed")
    instance = private_pg.PrivatePostgres()
    instance.start()
    yield instance
    instance.destroy()


def _health(harness: Harness) -> int:
    stub = health_pb2_grpc.HealthStub(harness.channel)
    reply = stub.Check(health_pb2.HealthCheckRequest(service="tradeguard.aml.v1.AmlMonitoring"))
    return int(reply.status)


def _wait_health(harness: Harness, wanted: int) -> None:
    deadline = time.monotonic() + 15
    while _health(harness) != wanted:
        assert time.monotonic() < deadline, "health never changed"
        time.sleep(0.05)


def test_postgres_outage_is_unavailable_then_recovers(
    private_postgres: object, callers: tuple[Path, Callers], tmp_path: Path
) -> None:
    pg = private_postgres
    settings = aml_settings(tmp_path, callers[0], pg.url)  # type: ignore[attr-defined]
    harness = start_harness(settings, callers[1])
    try:
        bank = harness.md("bank-1")
        before = harness.stub.ScreenTrade(screen("PG-1", shipped=False), metadata=bank)
        assert _health(harness) == health_pb2.HealthCheckResponse.SERVING
        pg.stop()  # type: ignore[attr-defined]
        with pytest.raises(grpc.RpcError) as caught:
            harness.stub.ScreenTrade(screen("PG-2", shipped=False), metadata=bank)
        assert caught.value.code() is grpc.StatusCode.UNAVAILABLE
        _wait_health(harness, health_pb2.HealthCheckResponse.NOT_SERVING)
        assert harness.sample("aml_store_up") == 0
        pg.start()  # type: ignore[attr-defined]
        _wait_health(harness, health_pb2.HealthCheckResponse.SERVING)
        after = harness.stub.ScreenTrade(screen("PG-2", shipped=False), metadata=bank)
        assert after.alert.alert_id and after.alert.alert_id != before.alert.alert_id
        got = harness.stub.GetAlert(
            aml_pb2.GetAlertRequest(alert_id=before.alert.alert_id),
            metadata=harness.md("regulator-1"),
        )
        assert got.alert_id == before.alert.alert_id
    finally:
        harness.channel.close()
        harness.service.stop(0)


def test_service_started_during_an_outage_serves_once_postgres_is_up(
    private_postgres: object, callers: tuple[Path, Callers], tmp_path: Path
) -> None:
    pg = private_postgres
    pg.stop()  # type: ignore[attr-defined]
    settings = aml_settings(tmp_path, callers[0], pg.url)  # type: ignore[attr-defined]
    harness = start_harness(settings, callers[1])
    try:
        assert _health(harness) == health_pb2.HealthCheckResponse.NOT_SERVING
        with pytest.raises(grpc.RpcError) as caught:
            harness.stub.ListAlerts(aml_pb2.ListAlertsRequest(), metadata=harness.md("bank-1"))
        assert caught.value.code() is grpc.StatusCode.UNAVAILABLE
        pg.start()  # type: ignore[attr-defined]
        _wait_health(harness, health_pb2.HealthCheckResponse.SERVING)
        response = harness.stub.ScreenTrade(
            screen("PG-3", shipped=False), metadata=harness.md("bank-1")
        )
        assert response.alert.alert_id
        listed = harness.stub.ListWatchlistEntries(
            aml_pb2.ListWatchlistEntriesRequest(), metadata=harness.md("regulator-1")
        )
        assert [e.entry_id for e in listed.entries] == ["W-1", "W-2"]
    finally:
        harness.channel.close()
        harness.service.stop(0)
