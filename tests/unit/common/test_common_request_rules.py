"""The shared field-violation collector, per-item stream errors and the reused request_id rule."""

from __future__ import annotations

import grpc
import pytest

from services.common.errors import AlreadyExists, NotFoundError, ValidationError
from services.common.idempotency import REQUEST_ID_REUSED, body_digest, check_same_body
from services.common.item_errors import item_error, item_path
from services.common.violations import MAX_ID_CHARS, FieldViolations


def test_collector_reports_every_bad_field_at_once() -> None:
    found = FieldViolations()
    found.require_id("", "order_id")
    found.require_id("x" * (MAX_ID_CHARS + 1), "buyer_id")
    found.limit_text("y" * 600, "buyer_name")
    found.fraction("share", 1.5, low=0, high=1)
    found.require(False, "currency", "is not supported")
    with pytest.raises(ValidationError) as err:
        found.raise_if_any("invalid quote request")
    fields = [v.field for v in err.value.field_violations]
    assert fields == ["order_id", "buyer_id", "buyer_name", "share", "currency"]
    assert err.value.message.startswith("invalid quote request: order_id, buyer_id")
    assert "must be at most 128 characters" in err.value.field_violations[1].description


def test_collector_without_violations_does_not_raise() -> None:
    found = FieldViolations()
    found.require_id("ok", "order_id")
    found.limit_text("", "note")
    found.raise_if_any()
    assert not found


def test_item_error_prefixes_every_field_with_the_items_path() -> None:
    error = ValidationError.for_field("amount.units", "must be positive")
    item = item_error(error, 3)
    assert item.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert [v.field for v in item.field_violations] == ["requests[3].amount.units"]
    assert item_path(2) == "requests[2]"
    assert item_path(2, "[0].x", "trades") == "trades[2][0].x"


def test_item_error_hides_internal_errors() -> None:
    item = item_error(RuntimeError("postgres://secret"), 0)
    assert item.code == grpc.StatusCode.INTERNAL.value[0]
    assert "secret" not in item.message
    assert item_error(NotFoundError("gone"), 1).code == grpc.StatusCode.NOT_FOUND.value[0]


def test_reused_request_id_with_another_body_is_already_exists() -> None:
    first, second = body_digest(b"one"), body_digest(b"two")
    check_same_body("req-1", first, first)
    with pytest.raises(AlreadyExists) as err:
        check_same_body("req-1", first, second)
    assert err.value.reason == REQUEST_ID_REUSED
    assert "req-1" in err.value.message
