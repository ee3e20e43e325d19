"""Finance reaches risk and aml over mTLS when they require it."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent import futures

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from services.finance.api.clients import DependencyTls, dependency_channel


@pytest.fixture
def mtls_health_server(tls_files) -> Iterator[str]:
    """A health-only server that demands a client certificate signed by the test CA."""
    server = grpc.server(futures.ThreadPoolExecutor(2))
    health_pb2_grpc.add_HealthServicer_to_server(health.HealthServicer(), server)
    credentials = grpc.ssl_server_credentials(
        [(tls_files.server_key.read_bytes(), tls_files.server_cert.read_bytes())],
        root_certificates=tls_files.ca.read_bytes(),
        require_client_auth=True,
    )
    port = server.add_secure_port("127.0.0.1:0", credentials)
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop(0)


def _check(target: str, tls: DependencyTls) -> int:
    with dependency_channel(target, None, tls) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(), timeout=5
        )
    return int(reply.status)


def test_client_certificate_opens_the_channel(mtls_health_server: str, tls_files) -> None:
    tls = DependencyTls(tls_files.ca, tls_files.client_cert, tls_files.client_key)
    assert _check(mtls_health_server, tls) == health_pb2.HealthCheckResponse.SERVING


def test_without_a_client_certificate_the_dependency_is_unavailable(
    mtls_health_server: str, tls_files
) -> None:
    with pytest.raises(grpc.RpcError) as err:
        _check(mtls_health_server, DependencyTls(ca_file=tls_files.ca))
    assert err.value.code() is grpc.StatusCode.UNAVAILABLE
