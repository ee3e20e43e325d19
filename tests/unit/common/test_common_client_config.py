"""The client's service config and call metadata."""

from __future__ import annotations

from services.common.client import ChannelConfig, call_metadata, service_config


def test_service_config_retries_only_unavailable_with_backoff() -> None:
    config = service_config(ChannelConfig("localhost:1", timeout_seconds=2.5, max_attempts=3))
    method = config["methodConfig"][0]
    assert method["name"] == [{}]
    assert "timeout" not in method  # set per call: see test_default_deadline_applies_per_call
    assert method["retryPolicy"]["retryableStatusCodes"] == ["UNAVAILABLE"]
    assert method["retryPolicy"]["maxAttempts"] == 3


def test_call_metadata_has_bearer_and_fresh_request_ids() -> None:
    first, second = dict(call_metadata("t0k")), dict(call_metadata("t0k"))
    assert first["authorization"] == "Bearer t0k"
    assert first["x-request-id"] != second["x-request-id"]
    assert dict(call_metadata(None, "r-9")) == {"x-request-id": "r-9"}
