"""Health, reflection, drain, message size, concurrency limit and deadlines on a real server."""

from __future__ import annotations

import threading
from concurrent import futures

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpc_status import rpc_status

from services.common.auth import Role

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


def _check(channel: grpc.Channel, name: str) -> int:
    stub = health_pb2_grpc.HealthStub(channel)
    return int(stub.Check(health_pb2.HealthCheckRequest(service=name), timeout=5).status)


def test_health_serving_for_every_registered_name(start_echo) -> None:
    echo = start_echo()
    for name in ("", "tradeguard.testing.v1.Echo", "liveness", "readiness"):
        assert _check(echo.channel, name) == SERVING


def test_health_unknown_name_is_not_found(start_echo) -> None:
    echo = start_echo()
    with pytest.raises(grpc.RpcError) as err:
        _check(echo.channel, "tradeguard.nothing.v1.Missing")
    assert err.value.code() is grpc.StatusCode.NOT_FOUND


def test_set_serving_false_flips_readiness_but_not_liveness(start_echo) -> None:
    echo = start_echo()
    echo.managed.set_serving(False)
    assert _check(echo.channel, "readiness") == NOT_SERVING
    assert _check(echo.channel, "tradeguard.testing.v1.Echo") == NOT_SERVING
    assert _check(echo.channel, "liveness") == SERVING
    echo.managed.set_serving(True)
    assert _check(echo.channel, "") == SERVING


def test_drain_turns_health_not_serving_and_lets_inflight_call_finish(
    start_echo, tokens_file
) -> None:
    echo = start_echo(grace_seconds=2)
    watch = health_pb2_grpc.HealthStub(echo.channel).Watch(
        health_pb2.HealthCheckRequest(service=""), timeout=20
    )
    assert next(watch).status == SERVING
    pool = futures.ThreadPoolExecutor(2)
    slow = pool.submit(
        echo.unary("Slow"), b"600", metadata=tokens_file.metadata(Role.BANK), timeout=20
    )
    assert echo.behaviour.slow_started.wait(10)
    stopper = threading.Thread(target=echo.managed.stop)
    stopper.start()
    assert next(watch).status == NOT_SERVING
    assert slow.result(timeout=20) == b"done"
    stopper.join(20)
    assert echo.managed.wait(0)
    pool.shutdown()


def test_reflection_lists_services(start_echo) -> None:
    echo = start_echo()
    stub = reflection_pb2_grpc.ServerReflectionStub(echo.channel)
    responses = stub.ServerReflectionInfo(
        iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5
    )
    names = {s.name for s in next(responses).list_services_response.service}
    assert {
        "tradeguard.testing.v1.Echo",
        "grpc.health.v1.Health",
        "grpc.reflection.v1alpha.ServerReflection",
    } <= names


def test_oversize_request_is_resource_exhausted(start_echo, tokens_file) -> None:
    echo = start_echo(max_message_bytes=2048)
    call = echo.unary("Echo")
    assert call(b"x" * 1000, metadata=tokens_file.metadata(Role.BANK), timeout=5) == b"x" * 1000
    with pytest.raises(grpc.RpcError) as err:
        call(b"x" * 4096, metadata=tokens_file.metadata(Role.BANK), timeout=5)
    assert err.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED


def test_calls_past_concurrency_limit_are_shed_and_counted(start_echo, tokens_file) -> None:
    echo = start_echo(max_concurrent_rpcs=2, max_concurrent_per_tenant=2, max_workers=8)
    meta = tokens_file.metadata(Role.BANK)
    pool = futures.ThreadPoolExecutor(2)
    held = [pool.submit(echo.unary("Gate"), b"", metadata=meta, timeout=30) for _ in range(2)]
    for _ in range(2):
        assert echo.behaviour.gate_entered.acquire(timeout=10)
    codes = []
    for _ in range(3):
        with pytest.raises(grpc.RpcError) as err:
            echo.unary("Echo")(b"hi", metadata=meta, timeout=5)
        codes.append(err.value.code())
        info = rpc_status.from_call(err.value)
        assert info is not None and info.details, "shed answer carries ErrorInfo"
    echo.behaviour.gate.set()
    assert [f.result(timeout=10) for f in held] == [b"released", b"released"]
    assert codes == [grpc.StatusCode.RESOURCE_EXHAUSTED] * 3
    shed = echo.registry.get_sample_value(
        "grpc_server_shed_total",
        {"grpc_service": "tradeguard.testing.v1.Echo", "grpc_method": "Echo"},
    )
    assert shed == 3
    # Slots are released again: a new call passes.
    assert echo.unary("Echo")(b"ok", metadata=meta, timeout=5) == b"ok"
    pool.shutdown()


def test_health_is_not_shed_at_the_limit_and_reports_saturation(start_echo, tokens_file) -> None:
    echo = start_echo(max_concurrent_rpcs=1, max_workers=4)
    pool = futures.ThreadPoolExecutor(1)
    held = pool.submit(
        echo.unary("Gate"), b"", metadata=tokens_file.metadata(Role.BANK), timeout=30
    )
    assert echo.behaviour.gate_entered.acquire(timeout=10)
    assert _check(echo.channel, "readiness") == NOT_SERVING
    assert _check(echo.channel, "") == NOT_SERVING
    assert _check(echo.channel, "liveness") == SERVING
    echo.behaviour.gate.set()
    assert held.result(timeout=10) == b"released"
    assert _check(echo.channel, "readiness") == SERVING
    pool.shutdown()


def test_deadline_exceeded_stops_handler_work(start_echo, tokens_file) -> None:
    echo = start_echo()
    with pytest.raises(grpc.RpcError) as err:
        echo.unary("Slow")(b"5000", metadata=tokens_file.metadata(Role.BANK), timeout=0.3)
    assert err.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    assert echo.behaviour.slow_stopped_early.wait(10)
    assert echo.behaviour.slow_steps < 500


def test_streaming_calls_pass_through_the_pipeline(start_echo, tokens_file) -> None:
    echo = start_echo()
    meta = tokens_file.metadata(Role.INSURER)
    chunks = echo.channel.unary_stream("/tradeguard.testing.v1.Echo/Chunks")
    assert list(chunks(b"abc", metadata=meta, timeout=5)) == [b"a", b"b", b"c"]
    collect = echo.channel.stream_unary("/tradeguard.testing.v1.Echo/Collect")
    assert collect(iter([b"a", b"b"]), metadata=meta, timeout=5) == b"ab"
    bidi = echo.channel.stream_stream("/tradeguard.testing.v1.Echo/Bidi")
    assert list(bidi(iter([b"x", b"y"]), metadata=meta, timeout=5)) == [b"X", b"Y"]
