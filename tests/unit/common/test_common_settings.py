"""Settings from env with a per-service prefix, overridden by command-line flags."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import ClassVar

import pytest
from pydantic import ValidationError

from services.common.settings import (
    ServiceSettings,
    add_settings_arguments,
    grpc_port_field,
    metrics_port_field,
    service_config,
    settings_from_args,
)


class RiskLike(ServiceSettings):
    """A service declared the way real services do."""

    model_config = service_config("risk")
    service: ClassVar[str] = "risk"
    port: int = grpc_port_field(50051)
    metrics_port: int = metrics_port_field(9101)


def test_defaults_and_error_domain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRADEGUARD_TOKENS_FILE", raising=False)
    settings = RiskLike()
    assert (settings.port, settings.metrics_port) == (50051, 9101)
    assert settings.tokens_file == Path("var/tokens.json")
    assert settings.grace_seconds < 30
    assert settings.error_domain == "tradeguard.risk"


def test_env_uses_service_prefix_and_shared_tokens_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADEGUARD_RISK_PORT", "6001")
    monkeypatch.setenv("TRADEGUARD_AML_PORT", "7001")
    monkeypatch.setenv("TRADEGUARD_TOKENS_FILE", "/etc/tg/tokens.json")
    settings = RiskLike()
    assert settings.port == 6001
    assert settings.tokens_file == Path("/etc/tg/tokens.json")


def test_flags_win_over_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADEGUARD_RISK_PORT", "6001")
    monkeypatch.setenv("TRADEGUARD_RISK_MAX_WORKERS", "100")
    parser = argparse.ArgumentParser()
    add_settings_arguments(parser, RiskLike)
    args = parser.parse_args(["--port", "6002", "--tokens-file", "/tmp/t.json"])
    settings = settings_from_args(RiskLike, args)
    assert (settings.port, settings.max_workers) == (6002, 100)
    assert settings.tokens_file == Path("/tmp/t.json")


def test_inconsistent_values_are_rejected() -> None:
    with pytest.raises(ValidationError):
        RiskLike(max_concurrent_rpcs=10, max_workers=10)
    with pytest.raises(ValidationError):
        RiskLike(tls_cert_file=Path("cert.pem"))
    with pytest.raises(ValidationError):
        RiskLike(port=70000)
