"""Settings of the credit insurance service (env prefix TRADEGUARD_FINANCE_, flags win)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr

from services.common.settings import (
    ServiceSettings,
    grpc_port_field,
    metrics_port_field,
    service_config,
)


class FinanceSettings(ServiceSettings):
    """Settings of the credit insurance service."""

    model_config = service_config("finance")
    service: ClassVar[str] = "finance"

    port: int = grpc_port_field(50053)
    metrics_port: int = metrics_port_field(9103)
    risk_target: str = Field(
        "127.0.0.1:50051", description="host:port of the risk service (buyer and exporter PDs)."
    )
    aml_target: str = Field(
        "127.0.0.1:50052", description="host:port of the aml service (party screening)."
    )
    risk_token: SecretStr | None = Field(
        None, description="Bearer token this service presents to the risk service (BANK role)."
    )
    aml_token: SecretStr | None = Field(
        None, description="Bearer token this service presents to the aml service."
    )
    dependency_ca_file: Path | None = Field(
        None, description="PEM CA that signed risk's and aml's certificates; enables TLS to them."
    )
    dependency_cert_file: Path | None = Field(
        None, description="PEM client certificate presented to risk and aml (their mTLS)."
    )
    dependency_key_file: Path | None = Field(
        None, description="PEM private key of dependency_cert_file."
    )
    dependency_deadline_seconds: float = Field(
        0.8,
        gt=0,
        description="Deadline of each call to risk or aml; also capped by the caller's deadline.",
    )
    risk_fallback: bool = Field(
        False,
        description="When risk is down, price with fallback_buyer_grade / fallback_exporter_pd "
        "and flag the quote, instead of answering UNAVAILABLE.",
    )
    fallback_buyer_grade: int = Field(
        8, ge=1, le=10, description="Buyer grade assumed under the risk fallback (cautious)."
    )
    fallback_exporter_pd: float = Field(
        0.05, gt=0, lt=1, description="Annual exporter PD assumed under the risk fallback."
    )
    aml_fallback: bool = Field(
        False,
        description="When aml is down, quote anyway with the parties flagged as not screened "
        "(the quote must be screened before binding); off means UNAVAILABLE.",
    )
    screen_parties: bool = Field(
        True,
        description="Screen exporter and buyer through aml on every quote. Off only where "
        "screening happens upstream; each quote then says it was not screened.",
    )
    screening_min_score: float = Field(
        0.90,
        gt=0,
        le=1,
        description="Watchlist similarity at or above which a party match declines the quote.",
    )
    quote_validity_seconds: float = Field(
        30 * 86400.0, gt=0, description="How long a premium quote stays valid and retrievable."
    )
    financing_validity_seconds: float = Field(
        7 * 86400.0, gt=0, description="How long a policy-financing quote stays valid."
    )
    purge_interval_seconds: float = Field(
        3600.0,
        gt=0,
        description="How often expired quotes are deleted from the store (their request ids "
        "become usable again).",
    )
    db_url: str = Field(
        "sqlite:///var/finance.db",
        description="SQLAlchemy URL of the quote store (SQLite default, PostgreSQL in production).",
    )
