"""Builds a production gRPC server: interceptors, health, reflection, limits, TLS, metrics.

A service calls ``build_server`` with its settings, its servicer registrations and the roles
allowed on each method; ``services.common.serving`` runs the result until a signal.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent import futures
from dataclasses import dataclass
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from prometheus_client import CollectorRegistry

from services.common.auth import AuthStage, MethodRoles
from services.common.deadlines import DeadlineStage
from services.common.limits import ConcurrencyLimitStage
from services.common.logging import AccessLogStage
from services.common.message_guard import MessageGuardStage
from services.common.metrics import GrpcServerMetrics, MetricsStage, start_metrics_server
from services.common.pipeline import PipelineInterceptor, Stage
from services.common.serving import wait_for_stop_signal
from services.common.settings import ServiceSettings
from services.common.status_mapping import ErrorMappingStage
from services.common.tls import server_credentials
from services.common.tokens import TokenStore

_LOG = logging.getLogger("services.common")
#: Health names for Kubernetes probes: liveness stays SERVING while the process can serve at
#: all; readiness (and the service names) drop when a dependency such as the store is down.
LIVENESS = "liveness"
READINESS = "readiness"
#: Drain never takes longer than the grace period plus this (see ``ManagedServer.stop``).
DRAIN_SLACK_SECONDS = 1.0


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
        # A second instance on the same port must fail to start, not take half the traffic.
        ("grpc.so_reuseport", 0),
    ]


def default_stages(
    settings: ServiceSettings,
    method_roles: MethodRoles,
    metrics: GrpcServerMetrics,
    tokens: TokenStore,
    on_saturation: Callable[[bool], None] | None = None,
) -> list[Stage]:
    """Outermost first: metrics and the access log see the final code of every call, errors
    from auth and limits get rich statuses, and refused calls never take a concurrency slot."""
    return [
        MetricsStage(metrics),
        AccessLogStage(),
        ErrorMappingStage(settings.error_domain),
        AuthStage(tokens, method_roles),
        DeadlineStage(),
        ConcurrencyLimitStage(settings.concurrency_limits, metrics.count_shed, on_saturation),
        MessageGuardStage(settings.stream_idle_seconds),
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
        self._stop_lock = threading.Lock()
        self._ready = True
        self._saturated = False
        self._health_lock = threading.Lock()

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
        """Flip readiness: "", each service name and ``readiness`` (liveness is left alone).
        Readiness also stays NOT_SERVING while every concurrency slot is taken."""
        with self._health_lock:
            self._ready = serving
            self._publish_readiness()

    def set_saturated(self, saturated: bool) -> None:
        """Called by the concurrency limit when the last slot is taken or one frees again."""
        with self._health_lock:
            self._saturated = saturated
            self._publish_readiness()

    def _publish_readiness(self) -> None:
        status = (
            health_pb2.HealthCheckResponse.SERVING
            if self._ready and not self._saturated
            else health_pb2.HealthCheckResponse.NOT_SERVING
        )
        for name in ("", READINESS, *self.service_names):
            self.health.set(name, status)

    def stop(self, grace: float | None = None) -> None:
        """Drain: every health name NOT_SERVING first, then refuse new calls and give in-flight
        calls ``grace`` seconds (settings.grace_seconds by default). Returns within
        ``grace + DRAIN_SLACK_SECONDS`` whatever state grpcio's own shutdown is in."""
        with self._stop_lock:
            if self._stopped.is_set():
                return
            grace = self.settings.grace_seconds if grace is None else grace
            _LOG.info("draining", extra={"grace_seconds": grace})
            self.health.enter_graceful_shutdown()
            self._drain(grace)
            self._release_listeners()
            self._stopped.set()
        _LOG.info("stopped")

    def _drain(self, grace: float) -> None:
        done = self.server.stop(grace)
        if not done.wait(grace + DRAIN_SLACK_SECONDS):
            _LOG.error(
                "drain did not finish within the grace period; stopping anyway",
                extra={"grace_seconds": grace},
            )

    def _release_listeners(self) -> None:
        if self._health_server is not None:
            self._health_server.stop(0).wait()
        if self._metrics_http is not None:
            self._metrics_http.shutdown()
            self._metrics_http.server_close()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until ``stop`` has finished; False on timeout."""
        return self._stopped.wait(timeout)

    def serve_until_signal(self) -> int:
        """Start (if needed), serve until SIGTERM/SIGINT, drain gracefully, return exit code 0."""
        if not self.port:
            self.start()
        try:
            wait_for_stop_signal()
        finally:
            self.stop()
        return 0


def _bind(server: grpc.Server, host: str, port: int, settings: ServiceSettings) -> int:
    address = f"{host}:{port}"
    try:
        if settings.tls_cert_file is not None and settings.tls_key_file is not None:
            creds = server_credentials(
                settings.tls_cert_file, settings.tls_key_file, settings.tls_client_ca_file
            )
            bound = server.add_secure_port(address, creds)
        else:
            bound = server.add_insecure_port(address)
    except RuntimeError as error:  # grpcio raises RuntimeError("Failed to bind ...")
        raise PortInUse(_port_message(address)) from error
    if bound == 0:
        raise PortInUse(_port_message(address))
    return int(bound)


def _port_message(address: str) -> str:
    return f"cannot listen on {address}: the port is in use (another instance?) or not available"


class PortInUse(OSError):
    """The gRPC port is taken (another instance?) or cannot be bound on this host."""


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
    saturation = _SaturationRelay()
    stages = default_stages(settings, method_roles, metrics, tokens, saturation)
    server = grpc.server(
        futures.ThreadPoolExecutor(settings.max_workers, thread_name_prefix="grpc-handler"),
        interceptors=[PipelineInterceptor(stages, settings.max_stream_message_bytes)],
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
    managed = ManagedServer(settings, server, health_servicer, names, registry, health_server)
    saturation.target = managed
    return managed


class _SaturationRelay:
    """Forwards the limit's saturation changes to the server built after the stages."""

    def __init__(self) -> None:
        self.target: ManagedServer | None = None

    def __call__(self, saturated: bool) -> None:
        if self.target is not None and self.target.port:
            self.target.set_saturated(saturated)


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
