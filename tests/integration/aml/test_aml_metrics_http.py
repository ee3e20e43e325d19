"""The /metrics endpoint carries the AML domain families next to the gRPC ones."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import grpc
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from services._proto.tradeguard.aml.v1 import aml_pb2, aml_pb2_grpc
from services.aml.api.server import AmlService
from services.aml.detector import AmlDetector
from services.aml.domain import ReferenceData

from .conftest import Callers, aml_settings, screen

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _scrape(port: int | None) -> Samples:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _exercise(port: int, who: Callers) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = aml_pb2_grpc.AmlMonitoringStub(channel)
        alert = stub.ScreenTrade(screen("M-1", shipped=False), metadata=who.md("bank-1")).alert
        review = aml_pb2.ReviewAlertRequest(
            alert_id=alert.alert_id, decision=aml_pb2.START_REVIEW, expected_version=1
        )
        stub.ReviewAlert(review, metadata=who.md("regulator-1"))


def test_scrape_shows_domain_and_rpc_metrics(tmp_path: Path, callers: tuple[Path, Callers]) -> None:
    settings = aml_settings(tmp_path, callers[0], f"sqlite:///{tmp_path / 'aml.db'}")
    detector = AmlDetector.load(None, ReferenceData())
    service = AmlService(settings, detector, CollectorRegistry()).start(metrics=True)
    try:
        _exercise(service.port, callers[1])
        samples = _scrape(service.server.metrics_port)
    finally:
        service.stop(0)
    names = {name for name, _ in samples}
    assert {"aml_alerts_open", "aml_oldest_open_alert_age_seconds", "aml_store_up"} <= names
    raised = {k: v for k, v in samples.items() if k[0] == "aml_alerts_raised_total"}
    assert list(raised.values()) == [1.0]
    assert ("typology", "PHANTOM_SHIPMENT") in next(iter(raised))[1]
    assert samples[("aml_reviews_total", (("decision", "START_REVIEW"),))] == 1
    assert samples[("aml_rule_hits_total", (("rule", "phantom_shipment"),))] == 1
    review_ok = (
        ("grpc_code", "OK"),
        ("grpc_method", "ReviewAlert"),
        ("grpc_service", "tradeguard.aml.v1.AmlMonitoring"),
        ("grpc_type", "UNARY"),
    )
    assert samples[("grpc_server_handled_total", review_ok)] == 1
