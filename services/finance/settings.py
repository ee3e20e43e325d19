"""Settings of the credit insurance service (env prefix TRADEGUARD_FINANCE_, flags win)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import ClassVar

from pydantic import Field, SecretStr

from services.common.settings import (
    ServiceSettings,
    grpc_port_field,
    metrics_port_field,
    service_config,
)
from services.finance.appetite import (
    BUYER_CAPACITY_USD_BY_GRADE,
    COUNTRY_CAPACITY_USD_BY_CATEGORY,
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
        description="When risk is down, finance with fallback_exporter_pd "
        "and flag the quote, instead of answering UNAVAILABLE.",
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
    buyer_model_dir: Path | None = Field(
        None,
        description="Buyer default model bundle (`tradeguard train buyers`); buyers without a "
        "grade or rating are scored by it. Unset: such buyers need a grade.",
    )
    relations_file: Path | None = Field(
        None,
        description="Trade-data relations table (Parquet or CSV); buyers linked by ownership or "
        "a shared director form a group whose limits accumulate against one capacity.",
    )
    fx_rates_file: Path | None = Field(
        None,
        description='Dated FX rates, JSON {"as_of": "YYYY-MM-DD", "usd_per_unit": {...}}; '
        "reloaded when it changes. Unset: the project's reference snapshot.",
    )
    max_buyer_annual_pd: float = Field(
        0.10, gt=0, lt=1, description="Appetite: buyers with a higher annual PD are declined."
    )
    max_short_term_rate: float = Field(
        0.05, gt=0, le=1, description="Appetite: short-term premium rates above this decline."
    )
    max_medium_long_rate: float = Field(
        0.25, gt=0, le=1, description="Appetite: medium/long-term flat rates above this decline."
    )
    min_limit_usd: Decimal = Field(
        Decimal(10_000), ge=0, description="Smallest reduced credit limit granted, in USD."
    )
    max_amount_usd: Decimal = Field(
        Decimal(500_000_000), gt=0, description="Largest amount of one quote or limit, in USD."
    )
    buyer_capacity_usd: dict[int, Decimal] = Field(
        default_factory=lambda: dict(BUYER_CAPACITY_USD_BY_GRADE),
        description="Most held on one buyer, by buyer grade 1..10, in USD (JSON object).",
    )
    group_capacity_multiple: Decimal = Field(
        Decimal("1.5"), gt=0, description="A buyer group's capacity, as a multiple of a buyer's."
    )
    country_capacity_usd: dict[int, Decimal] = Field(
        default_factory=lambda: dict(COUNTRY_CAPACITY_USD_BY_CATEGORY),
        description="Most held in one OECD country category 0..7, in USD (JSON object).",
    )
    db_url: str = Field(
        "sqlite:///var/finance.db",
        description="SQLAlchemy URL of the quote store (SQLite default, PostgreSQL in production).",
    )
