"""Undecodable stream messages, drain, the SERVICE role and oversized batches on the risk server."""

from __future__ import annotations

import threading
from typing import Any

import grpc
import pytest

from services._proto.tradeguard.common.v1 import common_pb2
from services._proto.tradeguard.risk.v1 import risk_pb2
from services.common.tokens import Role

STREAM = "/tradeguard.risk.v1.RiskScoring/StreamScoreFinancing"


def _raw_stream(server: Any) -> Any:
    """The stream with bytes in and out, so a test can send bytes no client library would."""
    return server.channel.stream_stream(STREAM)


def test_undecodable_stream_message_is_invalid_argument(risk_server: Any) -> None:
    with pytest.raises(grpc.RpcError) as err:
        list(_raw_stream(risk_server)(iter([b"\x0b"]), metadata=risk_server.auth(), timeout=10))
    assert err.value.code() is grpc.StatusCode.INVALID_ARGUMENT


def test_drain_completes_after_twenty_undecodable_streams(risk_server_factory: Any) -> None:
    server = risk_server_factory(grace_seconds=1)
    stream = _raw_stream(server)
    calls = [stream(iter([b"\x0b"]), metadata=server.auth(), timeout=30) for _ in range(20)]
    for call in calls:
        with pytest.raises(grpc.RpcError):
            list(call)
    stopper = threading.Thread(target=server.service.stop)
    stopper.start()
    stopper.join(30)
    assert not stopper.is_alive(), "drain hung"


def test_service_role_may_score_but_not_read_the_model(risk_server: Any) -> None:
    request = risk_pb2.ScoreFinancingRequest(
        request_id="svc-1",
        enterprise_id="ENT00001",
        product=risk_pb2.RECEIVABLES_FINANCING,
        amount=common_pb2.Money(currency_code="USD", units=10_000),
        tenor_days=90,
    )
    score = risk_server.stub.ScoreFinancing(request, metadata=risk_server.auth(Role.SERVICE))
    assert score.probability_of_default > 0
    with pytest.raises(grpc.RpcError) as err:
        risk_server.stub.GetModel(
            risk_pb2.GetModelRequest(), metadata=risk_server.auth(Role.SERVICE)
        )
    assert err.value.code() is grpc.StatusCode.PERMISSION_DENIED


def _score_request(request_id: str, currency: str = "USD") -> risk_pb2.ScoreFinancingRequest:
    return risk_pb2.ScoreFinancingRequest(
        request_id=request_id,
        enterprise_id="ENT00001",
        product=risk_pb2.RECEIVABLES_FINANCING,
        amount=common_pb2.Money(currency_code=currency, units=10_000),
        tenor_days=90,
    )


def test_over_long_string_in_a_unary_request_is_invalid_argument(risk_server: Any) -> None:
    with pytest.raises(grpc.RpcError) as err:
        risk_server.stub.ScoreFinancing(
            _score_request("r-1", currency="U" * 1_000_000), metadata=risk_server.auth()
        )
    assert err.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "amount.currency_code" in (err.value.details() or "")


def test_over_long_string_in_a_stream_item_is_that_items_error(risk_server: Any) -> None:
    batch = risk_pb2.StreamScoreFinancingRequest(
        requests=[_score_request("a"), _score_request("b" * 200), _score_request("c")]
    )
    later = risk_pb2.StreamScoreFinancingRequest(requests=[_score_request("d")])
    first, second = risk_server.stub.StreamScoreFinancing(
        iter([batch, later]), metadata=risk_server.auth()
    )
    outcomes = [r.WhichOneof("outcome") for r in first.results]
    assert outcomes == ["score", "error", "score"]
    violation = first.results[1].error.field_violations[0]
    assert violation.field == "requests[1].request_id"
    assert second.results[0].WhichOneof("outcome") == "score"
