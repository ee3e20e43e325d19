"""Scoring through a real server: exact reasons, error codes, streaming, GetModel, metrics."""

from __future__ import annotations

import urllib.request
from typing import Any

import grpc
import polars as pl
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from services._proto.tradeguard.common.v1 import common_pb2
from services._proto.tradeguard.risk.v1 import risk_pb2
from services.common.tokens import Role
from services.risk.features import encode


def request(
    enterprise: str = "ENT00001",
    units: int = 10_000,
    currency: str = "USD",
    tenor: int = 90,
    product: int = risk_pb2.RECEIVABLES_FINANCING,
    request_id: str = "r-1",
) -> risk_pb2.ScoreFinancingRequest:
    return risk_pb2.ScoreFinancingRequest(
        request_id=request_id,
        enterprise_id=enterprise,
        product=product,  # type: ignore[arg-type]
        amount=common_pb2.Money(currency_code=currency, units=units),
        tenor_days=tenor,
    )


def violations(error: grpc.RpcError) -> list[str]:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None
    fields: list[str] = []
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields.extend(v.field for v in bad.field_violations)
    return fields


def expected_raw(server: Any, row: int) -> float:
    snapshot = server.service.runtime.snapshot
    meta = snapshot.bundle.metadata
    table = pl.read_parquet(server.features / "features-1.parquet")
    x = encode(table, meta.features, meta.categories)
    return float(snapshot.bundle.booster.predict(x[row : row + 1], raw_score=True)[0])


def test_raw_score_is_the_model_s_and_reasons_carry_codes(risk_server: Any) -> None:
    for row in (0, 1, 42):
        score = risk_server.stub.ScoreFinancing(
            request(f"ENT{row:05d}"), metadata=risk_server.auth(), timeout=5
        )
        assert score.raw_score == pytest.approx(expected_raw(risk_server, row), abs=1e-9)
        if score.decision == risk_pb2.APPROVE:
            assert not score.reasons
        else:
            assert score.reasons and all(r.code[0] in "PR" for r in score.reasons)


def test_score_carries_pd_grade_decision_limit_and_sentences(risk_server: Any) -> None:
    score = risk_server.stub.ScoreFinancing(request(), metadata=risk_server.auth(), timeout=5)
    assert 0 < score.probability_of_default < 1
    assert score.grade != risk_pb2.GRADE_UNSPECIFIED
    assert score.decision != risk_pb2.DECISION_UNSPECIFIED
    assert score.recommended_limit.currency_code == "USD"
    assert score.model_version == risk_server.service.runtime.snapshot.version
    assert score.features_as_of.ToDatetime().date().isoformat() == "2026-01-01"
    assert all(r.message.endswith(".") and r.code for r in score.reasons)
    assert score.request_id == "r-1"


def test_admin_may_score_other_roles_may_not(risk_server: Any) -> None:
    risk_server.stub.ScoreFinancing(request(), metadata=risk_server.auth(Role.ADMIN), timeout=5)
    with pytest.raises(grpc.RpcError) as denied:
        risk_server.stub.ScoreFinancing(
            request(), metadata=risk_server.auth(Role.INSURER), timeout=5
        )
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as anonymous:
        risk_server.stub.ScoreFinancing(request(), timeout=5)
    assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_unknown_enterprise_is_not_found(risk_server: Any) -> None:
    with pytest.raises(grpc.RpcError) as error:
        risk_server.stub.ScoreFinancing(request("NOBODY"), metadata=risk_server.auth(), timeout=5)
    assert error.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"units": 0}, "amount"),
        ({"units": -5}, "amount"),
        ({"currency": "XXX"}, "amount.currency_code"),
        ({"currency": ""}, "amount.currency_code"),
        ({"tenor": 0}, "tenor_days"),
        ({"tenor": 1000}, "tenor_days"),
        ({"product": risk_pb2.FINANCING_PRODUCT_UNSPECIFIED}, "product"),
        ({"enterprise": ""}, "enterprise_id"),
    ],
)
def test_each_bad_input_is_invalid_argument_with_its_field(
    risk_server: Any, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(grpc.RpcError) as error:
        risk_server.stub.ScoreFinancing(request(**kwargs), metadata=risk_server.auth(), timeout=5)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert violations(error.value) == [field]


def test_money_with_mismatched_sign_is_invalid(risk_server: Any) -> None:
    bad = request()
    bad.amount.nanos = -5
    with pytest.raises(grpc.RpcError) as error:
        risk_server.stub.ScoreFinancing(bad, metadata=risk_server.auth(), timeout=5)
    assert violations(error.value) == ["amount.nanos"]


def test_stream_reports_item_errors_and_keeps_going(risk_server: Any) -> None:
    batches = [
        risk_pb2.StreamScoreFinancingRequest(
            requests=[request("ENT00003"), request("NOBODY"), request(tenor=0)]
        ),
        risk_pb2.StreamScoreFinancingRequest(
            requests=[request(f"ENT{i:05d}", request_id=str(i)) for i in range(50)]
        ),
    ]
    responses = list(
        risk_server.stub.StreamScoreFinancing(
            iter(batches), metadata=risk_server.auth(), timeout=10
        )
    )
    first, second = responses
    assert [r.WhichOneof("outcome") for r in first.results] == ["score", "error", "error"]
    assert first.results[1].error.code == grpc.StatusCode.NOT_FOUND.value[0]
    assert first.results[2].error.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert [v.field for v in first.results[2].error.field_violations] == ["requests[2].tenor_days"]
    assert [r.score.request_id for r in second.results] == [str(i) for i in range(50)]
    assert [r.index for r in second.results] == list(range(50))


def test_stream_scores_equal_unary_scores(risk_server: Any) -> None:
    unary = risk_server.stub.ScoreFinancing(request("ENT00007"), metadata=risk_server.auth())
    batch = risk_pb2.StreamScoreFinancingRequest(requests=[request("ENT00007")])
    (streamed,) = risk_server.stub.StreamScoreFinancing(iter([batch]), metadata=risk_server.auth())
    assert streamed.results[0].score == unary


def test_get_model_documents_scaling_and_metrics(risk_server: Any) -> None:
    info = risk_server.stub.GetModel(risk_pb2.GetModelRequest(), metadata=risk_server.auth())
    assert info.version == risk_server.service.runtime.snapshot.version
    assert info.score_scaling.base_points == 600
    assert info.score_scaling.base_odds == 50
    assert info.score_scaling.points_to_double_odds == 20
    assert {"auc", "ks", "brier", "ece", "baseline_auc"} <= set(info.metrics)
    assert [f.name for f in info.features][0] == "overdue_share_6m"
    assert sum(f.importance for f in info.features) == pytest.approx(1.0)
    assert info.features[0].monotone_direction == 1
    assert [b.grade for b in info.grade_bands][0] == risk_pb2.AAA
    assert info.enterprises == 300
    assert info.calibration == "platt"


def scrape(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode())


def test_domain_metrics_are_exported(risk_server: Any) -> None:
    risk_server.stub.ScoreFinancing(request(), metadata=risk_server.auth(), timeout=5)
    text = scrape(risk_server.metrics_url)
    version = risk_server.service.runtime.snapshot.version
    assert f'risk_model_info{{version="{version}"}} 1.0' in text
    assert "risk_probability_of_default_bucket" in text
    assert 'risk_decisions_total{decision="' in text
    assert 'grpc_server_handled_total{grpc_code="OK",grpc_method="ScoreFinancing"' in text


def test_score_cli_prints_decision_pd_grade_limit_and_reasons(
    risk_server: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from services.cli import main

    code = main(
        [
            "score", "--enterprise", "ENT00004", "--amount", "100000", "--currency", "USD",
            "--tenor", "90", "--product", "ORDER_FINANCING",
            "--target", f"127.0.0.1:{risk_server.service.server.port}",
            "--token", risk_server.tokens[Role.BANK],
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    for label in ("decision", "probability of default", "grade", "recommended limit", "reasons"):
        assert label in out
    # 100,000 USD is over the synthetic exporters' limits: the policy reason is listed.
    assert "P03" in out.split("reasons:")[1]


def test_score_cli_reports_not_found(risk_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from services.cli import main

    code = main(
        [
            "score", "--enterprise", "NOBODY", "--amount", "1", "--tenor", "90",
            "--product", "INVENTORY_PLEDGE",
            "--target", f"127.0.0.1:{risk_server.service.server.port}",
            "--token", risk_server.tokens[Role.BANK],
        ]
    )  # fmt: skip
    assert code == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("error: NOT_FOUND: ")


def test_a_message_over_the_batch_limit_is_refused_before_any_item_is_scored(
    risk_server_factory: Any,
) -> None:
    server = risk_server_factory(max_batch=3)
    fits = risk_pb2.StreamScoreFinancingRequest(requests=[request()] * 3)
    too_big = risk_pb2.StreamScoreFinancingRequest(requests=[request()] * 5)
    responses = server.stub.StreamScoreFinancing(iter([fits, too_big]), metadata=server.auth())
    first = next(responses)
    assert [r.WhichOneof("outcome") for r in first.results] == ["score"] * 3
    with pytest.raises(grpc.RpcError) as err:
        next(responses)
    assert err.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "at most 3 items" in (err.value.details() or "")
    # Only the first message's three items were ever scored.
    assert _scored(server) == 3


def _scored(server: Any) -> float:
    """Requests scored so far, from the PD histogram's count over every model version."""
    return sum(
        sample.value
        for metric in server.service.server.registry.collect()
        if metric.name == "risk_probability_of_default"
        for sample in metric.samples
        if sample.name == "risk_probability_of_default_count"
    )
