"""UpsertCustomer, UpsertBuyer and UpsertPartyRelation: roles, tenants and bad input."""

from __future__ import annotations

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from services._proto.tradeguard.aml.v1 import aml_pb2

from .conftest import PAST, Harness, _ts


def _violations(error: grpc.RpcError) -> list[str]:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None
    fields: list[str] = []
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields += [v.field for v in bad.field_violations]
    return fields


def _customer(**kw: object) -> aml_pb2.Customer:
    values: dict[str, object] = {"enterprise_id": "E-9", "name": "Ningbo Star Co", **kw}
    customer = aml_pb2.Customer(**values)  # type: ignore[arg-type]
    customer.registered_at.CopyFrom(_ts(PAST))
    return customer


def test_a_bank_writes_its_own_customer_under_its_tenant(harness: Harness) -> None:
    answer = harness.stub.UpsertCustomer(
        aml_pb2.UpsertCustomerRequest(customer=_customer()), metadata=harness.md("bank-1")
    )
    assert answer.tenant == "bank-1" and answer.enterprise_id == "E-9"


def test_a_regulator_writes_shared_records(harness: Harness) -> None:
    buyer = aml_pb2.Buyer(buyer_id="B-9", name="Acme Imports GmbH", country_code="DE")
    answer = harness.stub.UpsertBuyer(
        aml_pb2.UpsertBuyerRequest(buyer=buyer), metadata=harness.md("regulator-1")
    )
    assert answer.tenant == ""


def test_an_insurer_may_not_write_parties(harness: Harness) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        harness.stub.UpsertCustomer(
            aml_pb2.UpsertCustomerRequest(customer=_customer()), metadata=harness.md("insurer-1")
        )
    assert caught.value.code() is grpc.StatusCode.PERMISSION_DENIED


def test_bad_customer_lists_every_bad_field(harness: Harness) -> None:
    bad = _customer(enterprise_id="", registered_capital_cny=-1.0, industry_hs2="851")
    with pytest.raises(grpc.RpcError) as caught:
        harness.stub.UpsertCustomer(
            aml_pb2.UpsertCustomerRequest(customer=bad), metadata=harness.md("bank-1")
        )
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert set(_violations(caught.value)) == {
        "customer.enterprise_id",
        "customer.registered_capital_cny",
        "customer.industry_hs2",
    }


def test_a_relation_needs_two_parties_and_a_kind(harness: Harness) -> None:
    relation = aml_pb2.PartyRelation(party_a="B-1", party_b="B-1")
    with pytest.raises(grpc.RpcError) as caught:
        harness.stub.UpsertPartyRelation(
            aml_pb2.UpsertPartyRelationRequest(relation=relation), metadata=harness.md("bank-1")
        )
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert set(_violations(caught.value)) == {"relation.party_b", "relation.kind"}


def test_as_of_in_the_future_is_invalid(harness: Harness) -> None:
    from datetime import UTC, datetime, timedelta

    from .conftest import screen

    request = screen("F-1")
    request.as_of.CopyFrom(_ts(datetime.now(UTC) + timedelta(days=3)))
    with pytest.raises(grpc.RpcError) as caught:
        harness.stub.ScreenTrade(request, metadata=harness.md("bank-1"))
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert _violations(caught.value) == ["as_of"]
