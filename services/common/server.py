"""Builds a production gRPC server: interceptors, health, reflection, limits, TLS, metrics.

A service calls ``build_server`` with its settings, its servicer registrations and the roles
allowed on each method, then ``serve_until_signal()``.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent import futures
from dataclasses import dataclass
from types import FrameType
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from prometheus_client import CollectorRegistry

from services.common.auth import AuthStage, MethodRoles
from services.common.deadlines import DeadlineStage
from services.common.limits import ConcurrencyLimitStage
from services.common.logging import AccessLogStage
from services.common.metrics import GrpcServerMetrics, MetricsStage, start_metrics_server
from services.common.pipeline import PipelineInterceptor, Stage
from services.common.settings import ServiceSettings
from services.common.status_mapping import ErrorMappingStage
from services.common.tls import server_credentials
from services.common.tokens import TokenStore

_LOG = logging.getLogger("services.common")
#: Health names for Kubernetes probes: liveness stays SERVING while the process can serve at
#: all; readiness (and the service names) drop when a dependency such as the store is down.
LIVENESS = "liveness"
READINESS = "readiness"


@dataclass(frozen=True)
class ServiceRegistration:
    """How to add one servicer: ``add(server)`` registers it; ``names`` are its full service
    names (``tradeguard.risk.v1.RiskScoring``) for health and reflection."""

    add: Callable[[grpc.Server], None]
    names: tuple[str, ...]


def server_options(settings: ServiceSettings) -> list[tuple[str, Any]]:
    """Channel arguments for message size, keepalive and connection age."""
    return [
        ("grpc.max_receive_message_length", settings.max_message_bytes),
        ("grpc.max_send_message_length", settings.max_message_bytes),
        ("grpc.keepalive_time_ms", settings.keepalive_time_ms),
        ("grpc.keepalive_timeout_ms", settings.keepalive_timeout_ms),
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.min_ping_interval_without_data_ms", settings.keepalive_min_client_interval_ms),
        ("grpc.http2.max_pings_without_data", 0),
        ("grpc.max_connection_age_ms", settings.max_connection_age_ms),
        ("grpc.max_connection_age_grace_ms", settings.max_connection_age_grace_ms),
    ]


def default_stages(
    settings: ServiceSettings,
    method_roles: MethodRoles,
    metrics: GrpcServerMetrics,
    tokens: TokenStore,
) -> list[Stage]:
    """Outermost first: metrics and the access log see the final code of every call, errors
    from auth and limits get rich statuses, and refused calls never take a concurrency slot."""
    return [
        MetricsStage(metrics),
        AccessLogStage(),
        ErrorMappingStage(settings.error_domain),
        AuthStage(tokens, method_roles),
        DeadlineStage(),
        ConcurrencyLimitStage(settings.max_concurrent_rpcs, metrics.count_shed),
    ]


class ManagedServer:
    """A built server plus its health state, metrics endpoint and lifecycle."""

    def __init__(
        self,
        settings: ServiceSettings,
        server: grpc.Server,
        health_servicer: health.HealthServicer,
        service_names: Sequence[str],
        registry: CollectorRegistry,
        health_server: grpc.Server | None,
    ) -> None:
        self.settings = settings
        self.server = server
        self.health = health_servicer
        self.service_names = tuple(service_names)
        self.registry = registry
        self._health_server = health_server
        self._metrics_http: Any = None
        self.port = 0
        self.health_port: int | None = None
        self.metrics_port: int | None = None
        self._stopped = threading.Event()

    def start(self, *, metrics: bool = True) -> ManagedServer:
        """Bind, start serving, mark every name SERVING; ``metrics=False`` skips the HTTP port."""
        s = self.settings
        self.port = _bind(self.server, s.host, s.port, s)
        if self._health_server is not None:
            self.health_port = self._health_server.add_insecure_port(f"{s.host}:{s.health_port}")
            self._health_server.start()
        self.server.start()
        self.set_serving(True)
        self.health.set(LIVENESS, health_pb2.HealthCheckResponse.SERVING)
        if metrics:
            self._metrics_http = start_metrics_server(s.metrics_port, s.host, self.registry)
            self.metrics_port = int(self._metrics_http.server_port)
        _LOG.info("server started", extra={"port": self.port, "metrics_port": self.metrics_port})
        return self

    def set_serving(self, serving: bool) -> None:
        """Flip readiness: "", each service name and ``readiness`` (liveness is left alone)."""
        status = (
            health_pb2.HealthCheckResponse.SERVING
            if serving
            else health_pb2.HealthCheckResponse.NOT_SERVING
        )
        for name in ("", READINESS, *self.service_names):
            self.health.set(name, status)

    def stop(self, grace: float | None = None) -> None:
        """Drain: every health name NOT_SERVING first, then refuse new calls and give in-flight
        calls ``grace`` seconds (settings.grace_seconds by default)."""
        if self._stopped.is_set():
            return
        grace = self.settings.grace_seconds if grace is None else grace
        _LOG.info("draining", extra={"grace_seconds": grace})
        self.health.enter_graceful_shutdown()
        done = self.server.stop(grace)
        done.wait()
        if self._health_server is not None:
            self._health_server.stop(0).wait()
        if self._metrics_http is not None:
            self._metrics_http.shutdown()
            self._metrics_http.server_close()
        self._stopped.set()
        _LOG.info("stopped")

    def wait(self, timeout: float | None = None) -> bool:
        """Block until ``stop`` has finished; False on timeout."""
        return self._stopped.wait(timeout)

    def serve_until_signal(self) -> int:
        """Start (if needed), serve until SIGTERM/SIGINT, drain gracefully, return exit code 0."""
        if not self.port:
            self.start()
        requested = threading.Event()

        def _on_signal(signum: int, _frame: FrameType | None) -> None:
            _LOG.info("signal received", extra={"signal": signal.Signals(signum).name})
            requested.set()

        previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            while not requested.wait(1.0):
                pass
            self.stop()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0


def _bind(server: grpc.Server, host: str, port: int, settings: ServiceSettings) -> int:
    address = f"{host}:{port}"
    if settings.tls_cert_file is not None and settings.tls_key_file is not None:
        creds = server_credentials(
            settings.tls_cert_file, settings.tls_key_file, settings.tls_client_ca_file
        )
        bound = server.add_secure_port(address, creds)
    else:
        bound = server.add_insecure_port(address)
    if bound == 0:
        raise OSError(f"could not bind gRPC port {address}")
    return int(bound)


def build_server(
    settings: ServiceSettings,
    registrations: Iterable[ServiceRegistration],
    method_roles: MethodRoles,
    registry: CollectorRegistry | None = None,
    *,
    tokens: TokenStore | None = None,
) -> ManagedServer:
    """Wire a server; call ``start()`` or ``serve_until_signal()`` on the result."""
    registry = registry if registry is not None else CollectorRegistry()
    metrics = GrpcServerMetrics(registry)
    tokens = tokens if tokens is not None else TokenStore(settings.tokens_file)
    stages = default_stages(settings, method_roles, metrics, tokens)
    server = grpc.server(
        futures.ThreadPoolExecutor(settings.max_workers, thread_name_prefix="grpc-handler"),
        interceptors=[PipelineInterceptor(stages)],
        options=server_options(settings),
    )
    names: list[str] = []
    for registration in registrations:
        registration.add(server)
        names.extend(registration.names)
    health_servicer = health.HealthServicer(experimental_non_blocking=True)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection(
        (*names, health.SERVICE_NAME, reflection.SERVICE_NAME), server
    )
    health_server = _health_only_server(settings, health_servicer)
    return ManagedServer(settings, server, health_servicer, names, registry, health_server)


def _health_only_server(
    settings: ServiceSettings, health_servicer: health.HealthServicer
) -> grpc.Server | None:
    """With mTLS, Kubernetes' gRPC probes (plaintext) need a health-only listener."""
    if not settings.mtls_enabled:
        return None
    server = grpc.server(
        futures.ThreadPoolExecutor(2, thread_name_prefix="grpc-health"),
        options=server_options(settings),
    )
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    return server
