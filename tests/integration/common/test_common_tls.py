"""TLS and mTLS handshakes, and the plaintext health-only port used with mTLS."""

from __future__ import annotations

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common.auth import Role
from services.common.tls import channel_credentials


def _secure(target: str, tls_files, client_cert: bool) -> grpc.Channel:
    creds = channel_credentials(
        tls_files.ca,
        tls_files.client_cert if client_cert else None,
        tls_files.client_key if client_cert else None,
    )
    return grpc.secure_channel(target, creds)


def test_tls_handshake_succeeds_with_the_ca(start_echo, tls_files, tokens_file) -> None:
    echo = start_echo(tls_cert_file=tls_files.server_cert, tls_key_file=tls_files.server_key)
    with _secure(echo.target, tls_files, client_cert=False) as channel:
        call = channel.unary_unary("/tradeguard.testing.v1.Echo/Echo")
        assert call(b"tls", metadata=tokens_file.metadata(Role.BANK), timeout=5) == b"tls"


def test_plaintext_client_cannot_talk_to_tls_server(start_echo, tls_files, tokens_file) -> None:
    echo = start_echo(tls_cert_file=tls_files.server_cert, tls_key_file=tls_files.server_key)
    with pytest.raises(grpc.RpcError) as err:
        echo.unary("Echo")(b"x", metadata=tokens_file.metadata(Role.BANK), timeout=2)
    assert err.value.code() is grpc.StatusCode.UNAVAILABLE


def _mtls(start_echo, tls_files):
    return start_echo(
        tls_cert_file=tls_files.server_cert,
        tls_key_file=tls_files.server_key,
        tls_client_ca_file=tls_files.ca,
    )


def test_mtls_requires_a_client_certificate(start_echo, tls_files, tokens_file) -> None:
    echo = _mtls(start_echo, tls_files)
    meta = tokens_file.metadata(Role.BANK)
    with _secure(echo.target, tls_files, client_cert=True) as channel:
        call = channel.unary_unary("/tradeguard.testing.v1.Echo/Echo")
        assert call(b"mtls", metadata=meta, timeout=5) == b"mtls"
    with _secure(echo.target, tls_files, client_cert=False) as channel:
        call = channel.unary_unary("/tradeguard.testing.v1.Echo/Echo")
        with pytest.raises(grpc.RpcError) as err:
            call(b"x", metadata=meta, timeout=2)
    assert err.value.code() is grpc.StatusCode.UNAVAILABLE


def test_health_only_port_answers_health_and_nothing_else(
    start_echo, tls_files, tokens_file
) -> None:
    echo = _mtls(start_echo, tls_files)
    assert echo.managed.health_port
    with grpc.insecure_channel(f"127.0.0.1:{echo.managed.health_port}") as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service="readiness"), timeout=5
        )
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
        call = channel.unary_unary("/tradeguard.testing.v1.Echo/Echo")
        with pytest.raises(grpc.RpcError) as err:
            call(b"x", metadata=tokens_file.metadata(Role.ADMIN), timeout=5)
    assert err.value.code() is grpc.StatusCode.UNIMPLEMENTED


def test_without_mtls_there_is_no_health_only_port(start_echo, tls_files) -> None:
    echo = start_echo(tls_cert_file=tls_files.server_cert, tls_key_file=tls_files.server_key)
    assert echo.managed.health_port is None
