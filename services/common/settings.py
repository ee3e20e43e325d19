"""Service settings from environment variables and command-line flags (flags win).

Each service subclasses ``ServiceSettings`` with its own env prefix and default ports::

    class RiskSettings(ServiceSettings):
        \"\"\"Settings of the risk scoring service.\"\"\"

        model_config = service_config("risk")
        service: ClassVar[str] = "risk"
        port: int = grpc_port_field(50051)
        metrics_port: int = metrics_port_field(9101)
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

S = TypeVar("S", bound="ServiceSettings")
_FLAG_PREFIX = "settings__"


class ConfigurationError(ValueError):
    """The service cannot start as configured (a key file missing, say); the message says what
    to fix, and the service exits with it rather than a traceback."""


@dataclass(frozen=True)
class ConcurrencyLimits:
    """Calls in flight at once: in total, per tenant, per principal (token)."""

    total: int
    per_tenant: int
    per_principal: int

    def __post_init__(self) -> None:
        if not 1 <= self.per_principal <= self.per_tenant <= self.total:
            raise ValueError("limits must satisfy 1 <= per_principal <= per_tenant <= total")


def service_config(service: str) -> SettingsConfigDict:
    """Config for a service's settings class: env prefix ``TRADEGUARD_<SERVICE>_``."""
    return SettingsConfigDict(
        env_prefix=f"TRADEGUARD_{service.upper()}_",
        populate_by_name=True,
        extra="ignore",
        validate_default=True,
    )


def grpc_port_field(default: int) -> Any:
    """The gRPC port field with a service-specific default."""
    return Field(default, ge=0, le=65535, description="gRPC listening port (0 = any free port).")


def metrics_port_field(default: int) -> Any:
    """The Prometheus port field with a service-specific default."""
    return Field(
        default, ge=0, le=65535, description="HTTP port serving /metrics (0 = any free port)."
    )


class ServiceSettings(BaseSettings):
    """Settings every TradeGuard server has; subclassed once per service."""

    model_config = service_config("service")
    #: Short service name (``risk``); used in the error domain ``tradeguard.<service>``.
    service: ClassVar[str] = "service"

    host: str = Field("0.0.0.0", description="Interface the gRPC and metrics servers bind to.")
    port: int = grpc_port_field(50050)
    metrics_port: int = metrics_port_field(9100)
    health_port: int = Field(
        0,
        ge=0,
        le=65535,
        description="Plaintext health-only port, started only with mTLS (for Kubernetes probes).",
    )
    tokens_file: Path = Field(
        Path("var/tokens.json"),
        validation_alias="TRADEGUARD_TOKENS_FILE",
        description="JSON file of hashed bearer tokens, shared by all services.",
    )
    tls_cert_file: Path | None = Field(None, description="PEM server certificate; enables TLS.")
    tls_key_file: Path | None = Field(None, description="PEM private key of the certificate.")
    tls_client_ca_file: Path | None = Field(
        None, description="PEM CA bundle for client certificates; when set, mTLS is required."
    )
    max_message_bytes: int = Field(
        4 * 1024 * 1024, ge=1024, description="Largest request or response message, in bytes."
    )
    max_concurrent_rpcs: int = Field(
        64, ge=1, description="Business calls handled at once; more get RESOURCE_EXHAUSTED."
    )
    max_concurrent_per_tenant: int | None = Field(
        None,
        ge=1,
        description="Business calls one tenant may have in flight (default: half the server's "
        "limit), so one tenant cannot lock the others out.",
    )
    max_concurrent_per_principal: int | None = Field(
        None,
        ge=1,
        description="Business calls one token may have in flight (default: the tenant's share).",
    )
    stream_idle_seconds: float = Field(
        30.0,
        gt=0,
        description="A request stream that sends no message for this long is closed "
        "(DEADLINE_EXCEEDED) and frees its slot.",
    )
    max_stream_message_bytes: int = Field(
        1024 * 1024,
        ge=1024,
        description="Largest single message of a request stream, refused before it is decoded.",
    )
    max_workers: int = Field(
        80,
        ge=2,
        description="Handler threads; must exceed max_concurrent_rpcs so excess calls are refused "
        "at once instead of queueing.",
    )
    grace_seconds: float = Field(
        10.0, ge=0, description="Drain time for in-flight calls on SIGTERM (< Kubernetes' 30 s)."
    )
    keepalive_time_ms: int = Field(
        30_000, ge=1000, description="Interval of server keepalive pings on idle connections."
    )
    keepalive_timeout_ms: int = Field(
        10_000, ge=100, description="Time to wait for a keepalive ping ack before closing."
    )
    keepalive_min_client_interval_ms: int = Field(
        10_000, ge=0, description="Shortest client ping interval accepted without data."
    )
    max_connection_age_ms: int = Field(
        300_000,
        ge=1000,
        description="Connections are closed after this age so clients rebalance across replicas.",
    )
    max_connection_age_grace_ms: int = Field(
        10_000, ge=0, description="Time in-flight calls get after a connection reached its age."
    )
    log_level: str = Field("INFO", description="Log level of the services.* loggers.")
    batch_scheduling: bool = Field(
        True,
        description="Run the server's threads under Linux SCHED_BATCH: a woken thread does not "
        "preempt the one holding the GIL only to find it taken (fewer context switches per "
        "call; the CPU share between processes is unchanged).",
    )

    @model_validator(mode="after")
    def _check_consistency(self) -> ServiceSettings:
        if self.max_workers <= self.max_concurrent_rpcs:
            raise ValueError("max_workers must be greater than max_concurrent_rpcs")
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("tls_cert_file and tls_key_file must be set together")
        if self.tls_client_ca_file is not None and self.tls_cert_file is None:
            raise ValueError("mTLS (tls_client_ca_file) needs tls_cert_file and tls_key_file")
        return self

    @property
    def concurrency_limits(self) -> ConcurrencyLimits:
        """The global limit and the fair shares of one tenant and one token inside it."""
        total = self.max_concurrent_rpcs
        tenant = min(total, self.max_concurrent_per_tenant or max(1, total // 2))
        principal = min(tenant, self.max_concurrent_per_principal or tenant)
        return ConcurrencyLimits(total, tenant, principal)

    @property
    def error_domain(self) -> str:
        """ErrorInfo domain of this service's errors."""
        return f"tradeguard.{self.service}"

    @property
    def tls_enabled(self) -> bool:
        return self.tls_cert_file is not None

    @property
    def mtls_enabled(self) -> bool:
        return self.tls_client_ca_file is not None


def add_settings_arguments(parser: argparse.ArgumentParser, cls: type[ServiceSettings]) -> None:
    """Add one ``--flag`` per settings field; absent flags leave env/defaults in charge."""
    group = parser.add_argument_group(f"{cls.service} settings (also from environment)")
    for name, info in cls.model_fields.items():
        group.add_argument(
            "--" + name.replace("_", "-"),
            dest=_FLAG_PREFIX + name,
            default=argparse.SUPPRESS,
            metavar=name.upper(),
            help=info.description,
        )


def settings_from_args(cls: type[S], args: argparse.Namespace | None = None) -> S:
    """Build settings from the environment, overridden by flags given on the command line."""
    overrides = {
        key.removeprefix(_FLAG_PREFIX): value
        for key, value in vars(args or argparse.Namespace()).items()
        if key.startswith(_FLAG_PREFIX)
    }
    return cls(**overrides)
