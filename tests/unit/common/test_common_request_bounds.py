"""Every request field has bounds from the descriptors: string lengths, enum values, timestamps."""

from __future__ import annotations

from typing import cast

import grpc
import pytest
from google.protobuf import struct_pb2
from google.protobuf.message import Message

from services._proto.tradeguard.aml.v1 import aml_pb2
from services._proto.tradeguard.common.v1 import common_pb2
from services._proto.tradeguard.risk.v1 import risk_pb2
from services.common.decoding import RefusedMessage, UncheckedMessage, guarded_deserializer
from services.common.errors import ValidationError
from services.common.message_guard import MessageGuardStage
from services.common.pipeline import ActiveCall, CallInfo
from services.common.request_bounds import bound_violations, check_bounds, limit_for, out_of_bounds


def test_limits_follow_field_names() -> None:
    assert limit_for("request_id") == 128
    assert limit_for("alert_ids") == 128
    assert limit_for("currency_code") == 32
    assert limit_for("destination_country") == 32
    assert limit_for("page_token") == 1024
    assert limit_for("note") == 4096
    assert limit_for("name") == 512


def test_nested_and_repeated_strings_are_found_with_their_paths() -> None:
    request = risk_pb2.StreamScoreFinancingRequest(
        requests=[
            risk_pb2.ScoreFinancingRequest(request_id="ok"),
            risk_pb2.ScoreFinancingRequest(
                request_id="r" * 129,
                amount=common_pb2.Money(currency_code="U" * 1_000_000, units=1),
            ),
        ]
    )
    found = bound_violations(request)
    assert [v.field for v in found] == [
        "requests[1].request_id",
        "requests[1].amount.currency_code",
    ]
    assert found[1].description == "must be at most 32 characters"


def test_strings_at_their_limit_pass() -> None:
    request = aml_pb2.ScreenPartyRequest(name="n" * 512)
    check_bounds(request)
    request.name += "n"
    with pytest.raises(ValidationError) as err:
        check_bounds(request)
    assert err.value.reason == "FIELD_OUT_OF_BOUNDS"
    assert [v.field for v in err.value.field_violations] == ["name"]


def test_unknown_enum_values_are_found_in_single_and_repeated_fields() -> None:
    request = aml_pb2.ListAlertsRequest(status=7)
    assert [v.field for v in bound_violations(request)] == ["status"]
    assert bound_violations(aml_pb2.ListAlertsRequest(status=aml_pb2.NEW)) == []
    party = aml_pb2.ScreenPartyRequest(name="x", lists=[aml_pb2.SANCTIONS, 99])
    found = bound_violations(party)
    assert [(v.field, v.description) for v in found] == [("lists[1]", "is not a known value")]


def test_timestamps_outside_the_valid_range_are_found() -> None:
    trade = common_pb2.Trade()
    trade.order.ordered_at.seconds = 10**12
    trade.order.amount.currency_code = "USD"
    assert [v.field for v in bound_violations(trade)] == ["order.ordered_at"]
    trade.order.ordered_at.seconds = 1_700_000_000
    trade.order.ordered_at.nanos = -1
    assert [v.field for v in bound_violations(trade)] == ["order.ordered_at"]
    trade.order.ordered_at.nanos = 0
    assert bound_violations(trade) == []


@pytest.mark.parametrize(
    ("message_type", "field", "limit"),
    [
        (common_pb2.Money, "currency_code", 32),
        (aml_pb2.GetAlertRequest, "alert_id", 128),
        (aml_pb2.ScreenPartyRequest, "name", 512),
        (aml_pb2.ListAlertsRequest, "page_token", 1024),
        (aml_pb2.ReviewAlertRequest, "note", 4096),
    ],
)
def test_a_string_one_past_its_limit_is_found_in_the_smallest_message_holding_it(
    message_type: type[Message], field: str, limit: int
) -> None:
    # Strings a message is too small to push past their limit are not read: right at each
    # size boundary the one string that is too long must still be found.
    assert [v.field for v in bound_violations(message_type(**{field: "x" * (limit + 1)}))] == [
        field
    ]
    assert bound_violations(message_type(**{field: "x" * limit})) == []


def test_multibyte_strings_are_measured_in_characters() -> None:
    assert bound_violations(aml_pb2.ScreenPartyRequest(name="é" * 512)) == []
    found = bound_violations(aml_pb2.ScreenPartyRequest(name="é" * 513))
    assert [v.field for v in found] == ["name"]


def test_a_type_that_contains_itself_is_checked_at_every_depth() -> None:
    inner = struct_pb2.Value(string_value="s" * 513)
    value = struct_pb2.Value(list_value=struct_pb2.ListValue(values=[struct_pb2.Value(), inner]))
    outer = struct_pb2.Value(list_value=struct_pb2.ListValue(values=[value]))
    assert [v.field for v in bound_violations(outer)] == [
        "list_value.values[0].list_value.values[1].string_value"
    ]
    inner.string_value = "s" * 512
    outer = struct_pb2.Value(list_value=struct_pb2.ListValue(values=[inner]))
    assert bound_violations(outer) == []


def test_unary_requests_out_of_bounds_are_refused_as_they_are_decoded() -> None:
    request = aml_pb2.ScreenTradeRequest(
        request_id="r" * 129,
        trade=common_pb2.Trade(
            order=common_pb2.Order(order_id="o", amount=common_pb2.Money(currency_code="U" * 33))
        ),
    )
    decode = guarded_deserializer(aml_pb2.ScreenTradeRequest.FromString, None, True)
    assert decode is not None
    refused = decode(request.SerializeToString())
    assert isinstance(refused, RefusedMessage)
    assert isinstance(refused.error, ValidationError)
    assert refused.error.reason == "FIELD_OUT_OF_BOUNDS"
    fields = [v.field for v in refused.error.field_violations]
    assert fields == ["request_id", "trade.order.amount.currency_code"]
    assert fields == [v.field for v in bound_violations(request)]
    within = aml_pb2.ScreenTradeRequest(request_id="r" * 128)
    assert decode(within.SerializeToString()) == within


def test_a_string_just_past_its_limit_is_found_by_the_size_of_its_bytes() -> None:
    # 33 characters of a 32-character code in a message of at most 35 bytes: the smallest
    # size tier that holds it must still read it.
    money = common_pb2.Money(currency_code="U" * 33)
    data = money.SerializeToString()
    assert out_of_bounds(common_pb2.Money.FromString(data), len(data))
    assert not out_of_bounds(common_pb2.Money(currency_code="U" * 32), len(data) - 1)


def test_a_request_whose_check_failed_as_it_was_decoded_is_checked_again_in_the_pipeline() -> None:
    stage = MessageGuardStage(idle_seconds=60.0)
    info = CallInfo("/tradeguard.aml.v1.AmlService/ScreenTrade", "aml", "ScreenTrade", "UNARY", ())
    over = aml_pb2.ScreenTradeRequest(request_id="r" * 129)
    call = ActiveCall(info, cast(grpc.ServicerContext, None), UncheckedMessage(over))
    with pytest.raises(ValidationError) as refused:
        stage.enter(call)
    assert [v.field for v in refused.value.field_violations] == ["request_id"]
    within = aml_pb2.ScreenTradeRequest(request_id="r" * 128)
    call = ActiveCall(info, cast(grpc.ServicerContext, None), UncheckedMessage(within))
    stage.enter(call)
    assert call.request == within
