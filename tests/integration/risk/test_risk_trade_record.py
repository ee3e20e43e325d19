"""ScoreFinancing with the applicant's own trade record, through a real server."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import grpc
import pytest
from google.protobuf import json_format

from services._proto.tradeguard.common.v1 import common_pb2
from services._proto.tradeguard.risk.v1 import risk_pb2
from services.cli import main as cli_main
from services.common.tokens import Role
from services.risk.api.record_convert import to_message
from services.risk.record import TradeRecord, extract_record
from services.risk.training.dataset import training_data_from_dir
from services.risk.training.trainer import TrainingOptions, train, with_policy
from services.tradedata.features import compute_features
from services.tradedata.generator import GeneratorConfig, generate
from services.tradedata.loading import TradeDataset, load_dataset
from tests.integration.risk.applicants import DISTRESSED, STEADY, Applicant, trade_record
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


def _score_cli(
    server: RiskServer, enterprise: str, record: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    argv = [
        "score",
        "--enterprise",
        enterprise,
        "--amount",
        "5000",
        "--tenor",
        "90",
        "--product",
        "ORDER_FINANCING",
        "--record",
        str(record),
        "--target",
        f"127.0.0.1:{server.service.server.port}",
        f"--token={server.tokens[Role.BANK]}",
    ]
    try:
        code = cli_main(argv)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_score_command_sends_a_record_file(
    served: tuple[RiskServer, TradeDataset],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server, ds = served
    enterprise = _busy(ds)
    message = to_message(_record(ds, enterprise))
    by_record = server.stub.ScoreFinancing(_request(enterprise, message), metadata=server.auth())
    path = tmp_path / "record.json"
    path.write_text(json_format.MessageToJson(message))
    code, out, err = _score_cli(server, enterprise, path, capsys)
    assert code == 0, err
    assert f"model version       {by_record.model_version}" in out
    assert f"{by_record.probability_of_default:.4%}" in out
    assert "thin file" not in out


def test_the_score_command_shows_a_thin_file(
    served: tuple[RiskServer, TradeDataset],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server, ds = served
    enterprise = _busy(ds)
    message = to_message(_record(ds, enterprise))
    del message.orders[3:]  # three orders: far fewer than the policy's minimum
    kept = {order.order_id for order in message.orders}
    for name in ("payments", "waybills", "declarations"):
        documents = [d for d in getattr(message, name) if d.order_id in kept]
        message.ClearField(name)
        getattr(message, name).extend(documents)
    path = tmp_path / "thin.json"
    path.write_text(json_format.MessageToJson(message))
    code, out, err = _score_cli(server, enterprise, path, capsys)
    assert code == 0, err
    assert "thin file           yes" in out
    assert "decision            APPROVE" not in out


def test_the_score_command_names_a_file_that_is_not_a_record(
    served: tuple[RiskServer, TradeDataset],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server, ds = served
    path = tmp_path / "bad.json"
    path.write_text('{"orders": [{"amount": "lots"}]}')
    code, out, err = _score_cli(server, _busy(ds), path, capsys)
    assert code == 2
    assert err.startswith(f"error: {path} is not a trade record") and "Traceback" not in err
    assert out == ""


def _score_applicant(server: RiskServer, applicant: Applicant) -> risk_pb2.ScoreFinancingResponse:
    request = _request(applicant.enterprise_id, to_message(trade_record(applicant)))
    request.request_id = f"hand-written-{applicant.enterprise_id}"
    return server.stub.ScoreFinancing(request, metadata=server.auth())


def test_hand_written_applicants_are_told_apart_as_an_officer_would(
    served: tuple[RiskServer, TradeDataset],
) -> None:
    """Two exporters written by hand, not by the generator: a steady, diversified one whose
    buyers pay on time, and one whose volume is falling, whose main buyer pays late or not at
    all and whose last loan defaulted. The model must approve the first, put the second well
    above it, and name late payments among the reasons it refuses the second."""
    server, _ = served
    steady = _score_applicant(server, STEADY)
    distressed = _score_applicant(server, DISTRESSED)
    assert not steady.thin_file and not distressed.thin_file
    assert distressed.probability_of_default > 2 * steady.probability_of_default
    assert distressed.raw_score > steady.raw_score
    assert steady.decision == risk_pb2.APPROVE
    assert distressed.decision in (risk_pb2.REFER, risk_pb2.DECLINE)
    assert "R01" in [reason.code for reason in distressed.reasons]
    assert all(reason.contribution > 0 for reason in distressed.reasons if reason.feature)
