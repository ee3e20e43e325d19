"""Arbitrary requests never produce UNKNOWN or INTERNAL, and a stream survives any batch."""

from __future__ import annotations

from typing import Any

import grpc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services._proto.tradeguard.common.v1 import common_pb2
from services._proto.tradeguard.risk.v1 import risk_pb2

EXPECTED = {grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND}

requests = st.builds(
    lambda eid, product, currency, units, nanos, tenor: risk_pb2.ScoreFinancingRequest(
        request_id="fuzz",
        enterprise_id=eid,
        product=product,
        amount=common_pb2.Money(currency_code=currency, units=units, nanos=nanos),
        tenor_days=tenor,
    ),
    eid=st.one_of(st.sampled_from(["ENT00001", "ENT00299"]), st.text(max_size=12)),
    product=st.integers(0, 6),
    currency=st.one_of(st.sampled_from(["USD", "EUR", "CNY"]), st.text(max_size=4)),
    units=st.integers(-(2**40), 2**40),
    nanos=st.integers(-999_999_999, 999_999_999),
    tenor=st.integers(-1000, 5000),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(request=requests)
def test_unary_codes_are_always_expected(risk_server: Any, request: Any) -> None:
    try:
        risk_server.stub.ScoreFinancing(request, metadata=risk_server.auth(), timeout=5)
        code = grpc.StatusCode.OK
    except grpc.RpcError as error:
        code = error.code()
    assert code in EXPECTED


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batch=st.lists(requests, max_size=20))
def test_stream_answers_every_item(risk_server: Any, batch: list[Any]) -> None:
    message = risk_pb2.StreamScoreFinancingRequest(requests=batch)
    (response,) = risk_server.stub.StreamScoreFinancing(
        iter([message]), metadata=risk_server.auth(), timeout=5
    )
    assert [r.index for r in response.results] == list(range(len(batch)))
    codes = {r.error.code for r in response.results if r.WhichOneof("outcome") == "error"}
    assert codes <= {3, 5}
