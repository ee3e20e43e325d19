"""Undecodable and oversized request messages are client errors, counted; drain never hangs;
a second server cannot share the port."""

from __future__ import annotations

import threading

import grpc
import pytest
from common_echo_service import METHOD_ROLES, EchoBehaviour, EchoSettings, registration

from services.common.auth import Role
from services.common.server import PortInUse, build_server

_UNDECODABLE = b"\xff\xfe"


def _handled(echo, method: str, code: str) -> float:
    value = echo.registry.get_sample_value(
        "grpc_server_handled_total",
        {
            "grpc_service": "tradeguard.testing.v1.Echo",
            "grpc_method": method,
            "grpc_type": "UNARY" if method == "Decode" else "CLIENT_STREAM",
            "grpc_code": code,
        },
    )
    return value or 0.0


def test_undecodable_unary_message_is_invalid_argument_and_counted(start_echo, tokens_file) -> None:
    echo = start_echo()
    with pytest.raises(grpc.RpcError) as err:
        echo.unary("Decode")(_UNDECODABLE, metadata=tokens_file.metadata(Role.BANK), timeout=5)
    assert err.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert _handled(echo, "Decode", "INVALID_ARGUMENT") == 1


def test_undecodable_stream_message_is_invalid_argument_and_counted(
    start_echo, tokens_file
) -> None:
    echo = start_echo()
    stream = echo.channel.stream_unary("/tradeguard.testing.v1.Echo/DecodeStream")
    meta = tokens_file.metadata(Role.BANK)
    assert stream(iter([b"ok", b"!"]), metadata=meta, timeout=5) == b"ok!"
    with pytest.raises(grpc.RpcError) as err:
        stream(iter([b"ok", _UNDECODABLE]), metadata=meta, timeout=5)
    assert err.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert _handled(echo, "DecodeStream", "INVALID_ARGUMENT") == 1


def test_oversized_stream_message_is_refused_before_decoding(start_echo, tokens_file) -> None:
    echo = start_echo(max_stream_message_bytes=1024)
    stream = echo.channel.stream_unary("/tradeguard.testing.v1.Echo/DecodeStream")
    with pytest.raises(grpc.RpcError) as err:
        stream(iter([b"a" * 2048]), metadata=tokens_file.metadata(Role.BANK), timeout=5)
    assert err.value.code() is grpc.StatusCode.RESOURCE_EXHAUSTED


def test_drain_completes_after_undecodable_stream_messages(start_echo, tokens_file) -> None:
    echo = start_echo(grace_seconds=1)
    stream = echo.channel.stream_unary("/tradeguard.testing.v1.Echo/DecodeStream")
    meta = tokens_file.metadata(Role.BANK)
    calls = [stream.future(iter([_UNDECODABLE]), metadata=meta, timeout=30) for _ in range(20)]
    for call in calls:
        with pytest.raises(grpc.RpcError):
            call.result(timeout=30)
    stopper = threading.Thread(target=echo.managed.stop)
    stopper.start()
    stopper.join(30)
    assert not stopper.is_alive(), "drain hung"
    assert echo.managed.wait(0)


def test_second_server_on_the_same_port_fails_to_start(start_echo, tokens_file) -> None:
    first = start_echo()
    settings = EchoSettings(host="127.0.0.1", port=first.managed.port, tokens_file=tokens_file.path)
    second = build_server(settings, [registration(EchoBehaviour())], METHOD_ROLES)
    with pytest.raises(PortInUse, match="in use"):
        second.start(metrics=False)
    second.stop(0)
