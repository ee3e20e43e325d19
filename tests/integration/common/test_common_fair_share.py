"""Fair share inside the concurrency limit, idle request streams, and health under saturation."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent import futures

import grpc
import pytest
from common_echo_service import EchoSettings
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from services.common.auth import Role, bearer_metadata


def _reason(error: grpc.RpcError) -> str:
    status = rpc_status.from_call(error)
    assert status is not None
    for detail in status.details:
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            return str(info.reason)
    return ""


def _hold(echo, pool: futures.ThreadPoolExecutor, metadata, count: int) -> list[futures.Future]:
    held = [
        pool.submit(echo.unary("Gate"), b"", metadata=metadata, timeout=30) for _ in range(count)
    ]
    for _ in range(count):
        assert echo.behaviour.gate_entered.acquire(timeout=10)
    return held


def test_one_tenant_at_its_share_does_not_lock_out_another(start_echo, tokens_file) -> None:
    echo = start_echo(max_concurrent_rpcs=4, max_concurrent_per_tenant=2, max_workers=10)
    pool = futures.ThreadPoolExecutor(2)
    held = _hold(echo, pool, tokens_file.metadata(Role.BANK), 2)
    with pytest.raises(grpc.RpcError) as err:
        echo.unary("Echo")(b"x", metadata=tokens_file.metadata(Role.BANK), timeout=5)
    assert err.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert _reason(err.value) == "TENANT_CONCURRENCY_LIMIT"
    other = tokens_file.metadata(Role.REGULATOR)
    assert echo.unary("Echo")(b"other tenant", metadata=other, timeout=5) == b"other tenant"
    echo.behaviour.gate.set()
    assert [f.result(timeout=10) for f in held] == [b"released"] * 2
    pool.shutdown()


def test_one_token_at_its_share_leaves_room_for_its_tenants_other_tokens(
    start_echo, tokens_file
) -> None:
    echo = start_echo(
        max_concurrent_rpcs=6,
        max_concurrent_per_tenant=4,
        max_concurrent_per_principal=2,
        max_workers=12,
    )
    second_token, _ = tokens_file.store.issue("bank-1", Role.BANK, label="second")
    pool = futures.ThreadPoolExecutor(2)
    held = _hold(echo, pool, tokens_file.metadata(Role.BANK), 2)
    with pytest.raises(grpc.RpcError) as err:
        echo.unary("Echo")(b"x", metadata=tokens_file.metadata(Role.BANK), timeout=5)
    assert _reason(err.value) == "PRINCIPAL_CONCURRENCY_LIMIT"
    same_tenant = bearer_metadata(second_token)
    assert echo.unary("Echo")(b"y", metadata=same_tenant, timeout=5) == b"y"
    echo.behaviour.gate.set()
    assert [f.result(timeout=10) for f in held] == [b"released"] * 2
    pool.shutdown()


def _never_yields(stop: threading.Event) -> Iterator[bytes]:
    stop.wait(60)
    yield from ()


def test_idle_request_stream_is_closed_and_frees_its_slot(start_echo, tokens_file) -> None:
    echo = start_echo(max_concurrent_rpcs=1, stream_idle_seconds=0.5, max_workers=4)
    meta = tokens_file.metadata(Role.BANK)
    collect = echo.channel.stream_unary("/tradeguard.testing.v1.Echo/Collect")
    stop = threading.Event()
    with pytest.raises(grpc.RpcError) as err:
        collect(_never_yields(stop), metadata=meta, timeout=30)
    stop.set()
    assert err.value.code() in (grpc.StatusCode.CANCELLED, grpc.StatusCode.DEADLINE_EXCEEDED)
    assert echo.unary("Echo")(b"free", metadata=meta, timeout=5) == b"free"


def test_a_stream_that_keeps_sending_is_not_idle(start_echo, tokens_file) -> None:
    echo = start_echo(stream_idle_seconds=0.5)
    collect = echo.channel.stream_unary("/tradeguard.testing.v1.Echo/Collect")
    meta = tokens_file.metadata(Role.BANK)
    assert collect(iter([b"a"] * 200), metadata=meta, timeout=30) == b"a" * 200


def test_shares_default_inside_the_global_limit() -> None:
    limits = EchoSettings(max_concurrent_rpcs=64).concurrency_limits
    assert (limits.total, limits.per_tenant, limits.per_principal) == (64, 32, 32)
    small = EchoSettings(max_concurrent_rpcs=4, max_concurrent_per_tenant=9).concurrency_limits
    assert (small.per_tenant, small.per_principal) == (4, 4)
