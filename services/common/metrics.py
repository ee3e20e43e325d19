"""RPC metrics with the names the gRPC ecosystem uses (py-grpc-prometheus / go-grpc-prometheus).

Service-specific domain metrics live in each service; this module only knows about RPCs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import grpc
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import start_http_server

from services.common.pipeline import ActiveCall, CallInfo, status_code

_LABELS = ("grpc_type", "grpc_service", "grpc_method")
# Sub-millisecond buckets matter: a scoring call is a few hundred microseconds.
_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class GrpcServerMetrics:
    """The RPC metric families, registered in ``registry`` (a fresh one per test)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.started = Counter(
            "grpc_server_started_total", "RPCs started on the server.", _LABELS, registry=registry
        )
        self.handled = Counter(
            "grpc_server_handled_total",
            "RPCs completed on the server, regardless of success or failure.",
            (*_LABELS, "grpc_code"),
            registry=registry,
        )
        self.handling_seconds = Histogram(
            "grpc_server_handling_seconds",
            "Time from the start of an RPC until the server finished handling it.",
            _LABELS,
            buckets=_BUCKETS,
            registry=registry,
        )
        self.msg_received = Counter(
            "grpc_server_msg_received_total",
            "Stream messages received from clients.",
            _LABELS,
            registry=registry,
        )
        self.msg_sent = Counter(
            "grpc_server_msg_sent_total",
            "Stream messages sent to clients.",
            _LABELS,
            registry=registry,
        )
        self.shed = Counter(
            "grpc_server_shed_total",
            "RPCs refused with RESOURCE_EXHAUSTED because the concurrency limit was reached.",
            ("grpc_service", "grpc_method"),
            registry=registry,
        )

    def count_shed(self, info: CallInfo) -> None:
        self.shed.labels(info.service, info.method).inc()


class _MethodSeries:
    """One method's series, looked up once (a label lookup costs more than the update)."""

    __slots__ = ("labels", "started", "seconds", "handled")

    def __init__(self, metrics: GrpcServerMetrics, labels: tuple[str, str, str]) -> None:
        self.labels = labels
        self.started = metrics.started.labels(*labels)
        self.seconds = metrics.handling_seconds.labels(*labels)
        self.handled: dict[grpc.StatusCode, Any] = {}


class MetricsStage:
    """Counts and times every call; outermost stage, so it sees the final status code."""

    def __init__(self, metrics: GrpcServerMetrics) -> None:
        self._metrics = metrics
        self._series: dict[str, _MethodSeries] = {}

    def _method(self, call: ActiveCall) -> _MethodSeries:
        info = call.info
        series = self._series.get(info.full_method)
        if series is None or series.labels[0] != info.grpc_type:
            series = _MethodSeries(self._metrics, (info.grpc_type, info.service, info.method))
            self._series[info.full_method] = series
        return series

    def enter(self, call: ActiveCall) -> None:
        series = self._method(call)
        call.state["metrics_series"] = series
        call.state["metrics_start"] = time.perf_counter()
        series.started.inc()
        self._count_stream_messages(call, series.labels)

    def exit(self, call: ActiveCall, error: BaseException | None) -> None:
        series: _MethodSeries = call.state["metrics_series"]
        elapsed = time.perf_counter() - call.state["metrics_start"]
        code = status_code(call, error)  # keyed by the enum member: its .name costs more
        handled = series.handled.get(code)
        if handled is None:
            labels = (*series.labels, code.name)
            handled = series.handled[code] = self._metrics.handled.labels(*labels)
        handled.inc()
        series.seconds.observe(elapsed)

    def _count_stream_messages(self, call: ActiveCall, labels: tuple[str, str, str]) -> None:
        if call.info.grpc_type in ("CLIENT_STREAM", "BIDI_STREAM"):
            call.request = _counted(call.request, self._metrics.msg_received.labels(*labels))
        if call.info.grpc_type in ("SERVER_STREAM", "BIDI_STREAM"):
            call.on_response.append(self._metrics.msg_sent.labels(*labels).inc)


def _counted(requests: Iterator[Any], counter: Any) -> Iterator[Any]:
    for request in requests:
        counter.inc()
        yield request


def start_metrics_server(port: int, host: str, registry: CollectorRegistry) -> Any:
    """Serve ``/metrics`` over HTTP in a daemon thread; returns the server (``server_port``)."""
    server, _thread = start_http_server(port, addr=host, registry=registry)
    return server
