"""Odd but well-formed trades never make the server answer UNKNOWN or INTERNAL."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.common.tokens import Role, TokenStore

from .conftest import Callers, Harness, aml_settings, screen, start_harness

_text = st.text(max_size=40)
_number = st.floats(allow_nan=True, allow_infinity=True, width=64)
_seconds = st.integers(min_value=-62_135_596_800, max_value=253_402_300_799)


@pytest.fixture(scope="module")
def module_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    tmp = tmp_path_factory.mktemp("fuzz")
    store = TokenStore(tmp / "tokens.json")
    who = Callers({"bank-1": store.issue("bank-1", Role.BANK)[0]})
    settings_ = aml_settings(tmp, tmp / "tokens.json", f"sqlite:///{tmp / 'aml.db'}")
    harness = start_harness(settings_, who)
    yield harness
    harness.channel.close()
    harness.service.stop(0)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    order_id=_text,
    hs_code=_text,
    quantity=_number,
    units=st.integers(min_value=-(2**40), max_value=2**40),
    currency=_text,
    ordered=_seconds,
    paid=_seconds,
    payer=_text,
    weight=_number,
    shipped=st.booleans(),
)
def test_screening_never_fails_internally(
    module_harness: Harness,
    order_id: str,
    hs_code: str,
    quantity: float,
    units: int,
    currency: str,
    ordered: int,
    paid: int,
    payer: str,
    weight: float,
    shipped: bool,
) -> None:
    request = screen("F-1", request_id=f"fuzz-{order_id}-{units}-{ordered}", shipped=shipped)
    order = request.trade.order
    order.order_id, order.hs_code, order.quantity = order_id, hs_code, quantity
    order.amount.units, order.amount.currency_code = units, currency
    order.ordered_at.seconds = ordered
    request.trade.payments[0].paid_at.seconds = paid
    request.trade.payments[0].payer_name = payer
    if shipped:
        request.trade.waybills[0].gross_weight_kg = weight
    try:
        module_harness.stub.ScreenTrade(request, metadata=module_harness.md("bank-1"), timeout=30)
    except grpc.RpcError as exc:
        # ALREADY_EXISTS: the generated request id repeats with another body.
        assert exc.code() in (
            grpc.StatusCode.INVALID_ARGUMENT,
            grpc.StatusCode.NOT_FOUND,
            grpc.StatusCode.ALREADY_EXISTS,
        ), (exc.code(), exc.details())


def test_document_dates_out_of_range_are_invalid_arguments(module_harness: Harness) -> None:
    from google.rpc import error_details_pb2
    from grpc_status import rpc_status

    request = screen("F-1", request_id="fuzz-year-one", shipped=True)
    request.trade.order.ordered_at.seconds = -62_125_228_801  # year 1: window maths overflow
    with pytest.raises(grpc.RpcError) as err:
        module_harness.stub.ScreenTrade(request, metadata=module_harness.md("bank-1"), timeout=30)
    assert err.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    status = rpc_status.from_call(err.value)
    assert status is not None
    fields = []
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields += [v.field for v in bad.field_violations]
    assert fields == ["trade.order.ordered_at"]
