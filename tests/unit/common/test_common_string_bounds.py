"""Every string field of a request has a length limit, found from its name in the descriptors."""

from __future__ import annotations

import pytest

from services._proto.tradeguard.aml.v1 import aml_pb2
from services._proto.tradeguard.common.v1 import common_pb2
from services._proto.tradeguard.risk.v1 import risk_pb2
from services.common.errors import ValidationError
from services.common.string_bounds import check_strings, limit_for, string_violations


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
    found = string_violations(request)
    assert [v.field for v in found] == [
        "requests[1].request_id",
        "requests[1].amount.currency_code",
    ]
    assert found[1].description == "must be at most 32 characters"


def test_strings_at_their_limit_pass() -> None:
    request = aml_pb2.ScreenPartyRequest(name="n" * 512)
    check_strings(request)
    request.name += "n"
    with pytest.raises(ValidationError) as err:
        check_strings(request)
    assert err.value.reason == "FIELD_TOO_LONG"
    assert [v.field for v in err.value.field_violations] == ["name"]
