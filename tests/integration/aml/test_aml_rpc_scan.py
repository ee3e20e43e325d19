"""ScanTradeData through a real server, on a small generated data set."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import grpc
import polars as pl
import pytest
from google.protobuf import timestamp_pb2

from services._proto.tradeguard.aml.v1 import aml_pb2
from services.aml.api.server import load_detector
from services.tradedata.generator import GeneratorConfig, generate

from .conftest import Harness


@pytest.fixture
def dataset(harness: Harness) -> str:
    root = harness.service.settings.data_root
    generate(GeneratorConfig(enterprises=150, months=6, seed=3), root / "ds1")
    return "ds1"


def _scan(
    harness: Harness, request_id: str, dataset: str, **kw: object
) -> aml_pb2.ScanTradeDataResponse:
    request = aml_pb2.ScanTradeDataRequest(request_id=request_id, dataset=dataset, **kw)  # type: ignore[arg-type]
    return harness.stub.ScanTradeData(request, metadata=harness.md("regulator-1"), timeout=60)  # type: ignore[no-any-return]


def test_scan_raises_one_alert_per_structure_once(harness: Harness, dataset: str) -> None:
    first = _scan(harness, "scan-1", dataset)
    structures = sum(first.structures_by_typology.values())
    assert structures > 0 and "CIRCULAR_TRADING" in first.structures_by_typology
    assert first.alerts_raised == len(first.alert_ids) == structures
    assert first.alerts_existing == 0
    assert _scan(harness, "scan-1", dataset) == first
    rescan = _scan(harness, "scan-2", dataset)
    assert (rescan.alerts_raised, rescan.alerts_existing) == (0, structures)
    assert sorted(rescan.alert_ids) == sorted(first.alert_ids)
    alert = harness.stub.GetAlert(
        aml_pb2.GetAlertRequest(alert_id=first.alert_ids[0]), metadata=harness.md("regulator-1")
    )
    assert alert.source == aml_pb2.SCAN and alert.tenant == "" and len(alert.members) >= 2
    assert len(alert.flows) >= 2 and alert.flows[0].amount.currency_code
    assert [a.alert_id for a in first.alerts] == list(first.alert_ids)
    assert first.alerts[0] == alert and all(a.evidence.summary for a in first.alerts)
    assert harness.service.store.verify_audit().ok


def test_scan_can_be_limited_to_typologies(harness: Harness, dataset: str) -> None:
    response = _scan(harness, "scan-3", dataset, typologies=["FAN_IN"])
    assert set(response.structures_by_typology) == {"FAN_IN"}


@pytest.mark.parametrize(
    ("dataset", "code"),
    [
        ("../etc", grpc.StatusCode.INVALID_ARGUMENT),
        ("/tmp", grpc.StatusCode.INVALID_ARGUMENT),
        ("", grpc.StatusCode.INVALID_ARGUMENT),
        ("missing", grpc.StatusCode.NOT_FOUND),
    ],
)
def test_scan_only_reads_named_data_sets(
    harness: Harness, dataset: str, code: grpc.StatusCode
) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        _scan(harness, "scan-x", dataset)
    assert caught.value.code() is code


def test_a_bank_scan_is_its_own_tenant(harness: Harness, dataset: str) -> None:
    root = harness.service.settings.data_root
    shutil.copytree(root / dataset, root / "bank-1" / dataset)  # a bank's own data sets
    request = aml_pb2.ScanTradeDataRequest(request_id="b-1", dataset=dataset)
    response = harness.stub.ScanTradeData(request, metadata=harness.md("bank-1"), timeout=60)
    listed = harness.stub.ListAlerts(
        aml_pb2.ListAlertsRequest(page_size=500), metadata=harness.md("bank-1")
    )
    assert sorted(a.alert_id for a in listed.alerts) == sorted(response.alert_ids)
    assert {a.tenant for a in listed.alerts} == {"bank-1"}
    assert (
        list(
            harness.stub.ListAlerts(
                aml_pb2.ListAlertsRequest(), metadata=harness.md("bank-2")
            ).alerts
        )
        == []
    )


def test_scan_window_outside_the_data_finds_nothing(harness: Harness, dataset: str) -> None:
    start = timestamp_pb2.Timestamp()
    start.FromDatetime(datetime(2099, 1, 1, tzinfo=UTC))
    response = _scan(harness, "scan-w", dataset, window_start=start)
    assert dict(response.structures_by_typology) == {} and response.alerts_raised == 0


def test_scan_reports_the_flows_it_searched(harness: Harness, dataset: str) -> None:
    orders = pl.scan_parquet(harness.service.settings.data_root / dataset / "orders.parquet")
    counts = orders.select(n=pl.len(), mid=pl.col("ordered_at").sort().median()).collect()
    everything = _scan(harness, "scan-f1", dataset).flows_scanned
    assert 0 < everything <= counts["n"][0]
    start = timestamp_pb2.Timestamp()
    start.FromDatetime(counts["mid"][0])
    later = _scan(harness, "scan-f2", dataset, window_start=start).flows_scanned
    assert 0 < later < everything
    start.FromDatetime(datetime(2099, 1, 1, tzinfo=UTC))
    assert _scan(harness, "scan-f3", dataset, window_start=start).flows_scanned == 0


def test_reference_data_folder_feeds_the_detector(harness: Harness, dataset: str) -> None:
    folder = harness.service.settings.data_root / dataset
    settings = harness.service.settings.model_copy(update={"reference_dir": folder})
    detector, reference = load_detector(settings)
    assert reference.enterprises and reference.watchlist
    listed = reference.watchlist[0]
    matches = detector.screen_party(listed.name, listed.country)
    assert matches and matches[0].entry_id == listed.entry_id


def test_a_bank_cannot_scan_a_data_set_outside_its_tenant_folder(
    harness: Harness, dataset: str
) -> None:
    request = aml_pb2.ScanTradeDataRequest(request_id="b-2", dataset=dataset)
    with pytest.raises(grpc.RpcError) as caught:
        harness.stub.ScanTradeData(request, metadata=harness.md("bank-2"), timeout=60)
    assert caught.value.code() is grpc.StatusCode.NOT_FOUND
