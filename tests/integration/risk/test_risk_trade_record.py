"""ScoreFinancing with the applicant's own trade record, through a real server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime

import grpc
import pytest

from services._proto.tradeguard.common.v1 import common_pb2
from services._proto.tradeguard.risk.v1 import risk_pb2
from services.risk.api.record_convert import to_message
from services.risk.record import TradeRecord, extract_record
from services.risk.training.dataset import training_data_from_dir
from services.risk.training.trainer import TrainingOptions, train, with_policy
from services.tradedata.features import compute_features
from services.tradedata.generator import GeneratorConfig, generate
from services.tradedata.loading import TradeDataset, load_dataset
from tests.integration.risk.conftest import RiskServer, start_server, stop_server
from tests.integration.risk.test_risk_service import violations

AS_OF = datetime(2025, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RiskServer, TradeDataset]]:
    root = tmp_path_factory.mktemp("risk-record")
    generate(GeneratorConfig(enterprises=200, months=24, seed=13), root / "trade")
    data, policy = training_data_from_dir(root / "trade")
    trained = train(data, root / "trained", with_policy(TrainingOptions(num_threads=1), policy))
    # The service is pinned to this bundle (a models folder that is itself a bundle): the test
    # compares two ways of scoring with one model, whatever its promotion gates say.
    shutil.copytree(trained.bundle_dir, root / "models")
    ds = load_dataset(root / "trade")
    (root / "features").mkdir()
    table = compute_features(ds, AS_OF).collect()
    table.write_parquet(root / "features" / "features-1.parquet")
    server = start_server(root, prepared=False)
    yield server, ds
    stop_server(server)


def _record(ds: TradeDataset, enterprise_id: str) -> TradeRecord:
    return extract_record(ds, enterprise_id, AS_OF)


def _request(
    enterprise: str, record: risk_pb2.TradeRecord | None
) -> risk_pb2.ScoreFinancingRequest:
    return risk_pb2.ScoreFinancingRequest(
        request_id="rec-1",
        enterprise_id=enterprise,
        product=risk_pb2.ORDER_FINANCING,
        amount=common_pb2.Money(currency_code="USD", units=5_000),
        tenor_days=90,
        trade_record=record,
    )


def _busy(ds: TradeDataset) -> str:

    counts = ds.orders.group_by("enterprise_id").len().sort("len", descending=True).collect()
    return str(counts["enterprise_id"][0])


def test_record_and_table_give_the_same_answer(served: tuple[RiskServer, TradeDataset]) -> None:
    server, ds = served
    enterprise = _busy(ds)
    by_table = server.stub.ScoreFinancing(_request(enterprise, None), metadata=server.auth())
    message = to_message(_record(ds, enterprise))
    by_record = server.stub.ScoreFinancing(_request(enterprise, message), metadata=server.auth())
    assert by_record.raw_score == pytest.approx(by_table.raw_score, abs=1e-12)
    assert [r.feature for r in by_record.reasons] == [r.feature for r in by_table.reasons]
    assert by_record.model_version == by_table.model_version
    assert by_record.features_as_of.ToDatetime(tzinfo=UTC) == AS_OF


def test_malformed_documents_are_invalid_argument_with_fields(
    served: tuple[RiskServer, TradeDataset],
) -> None:
    server, ds = served
    enterprise = _busy(ds)
    message = to_message(_record(ds, enterprise))
    message.orders[0].amount = -1.0
    message.waybills[0].status = "TELEPORTED"
    with pytest.raises(grpc.RpcError) as caught:
        server.stub.ScoreFinancing(_request(enterprise, message), metadata=server.auth())
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = violations(caught.value)
    assert "trade_record.orders[0].amount" in fields
    assert "trade_record.waybills[0].status" in fields


def test_a_record_without_as_of_is_invalid(served: tuple[RiskServer, TradeDataset]) -> None:
    server, ds = served
    enterprise = _busy(ds)
    message = to_message(_record(ds, enterprise))
    message.ClearField("as_of")
    with pytest.raises(grpc.RpcError) as caught:
        server.stub.ScoreFinancing(_request(enterprise, message), metadata=server.auth())
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violations(caught.value) == ["trade_record.as_of"]
