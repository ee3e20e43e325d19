"""Settings of the web console (env prefix ``TRADEGUARD_CONSOLE_``; flags override)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field
from pydantic_settings import BaseSettings

from services.common.settings import service_config


class ConsoleSettings(BaseSettings):
    """Settings of the web console; it holds no data of its own beyond sign-in sessions."""

    model_config = service_config("console")
    service: ClassVar[str] = "console"

    host: str = Field("127.0.0.1", description="Interface the web server binds to.")
    port: int = Field(8080, ge=0, le=65535, description="HTTP port of the console (0 = any).")
    aml_target: str = Field("127.0.0.1:50052", description="host:port of the AML service.")
    tokens_file: Path = Field(
        Path("var/tokens.json"),
        validation_alias="TRADEGUARD_TOKENS_FILE",
        description="JSON file of hashed bearer tokens; names who signed in (tenant, role).",
    )
    data_dir: Path | None = Field(
        None,
        description="Trade-data folder (orders, payments, waybills, declarations, financings, "
        "buyers) shown beside alerts and summarised in the statistics; unset = alerts only.",
    )
    tls_ca_file: Path | None = Field(
        None, description="PEM CA bundle to verify the AML service's certificate; enables TLS."
    )
    session_idle_minutes: float = Field(
        30.0, gt=0, description="A session unused this long is signed out."
    )
    session_max_hours: float = Field(
        10.0, gt=0, description="A session is signed out this long after sign-in, used or not."
    )
    secure_cookies: bool = Field(
        False, description="Mark the session cookie Secure (set when served behind HTTPS)."
    )
    reporting_entity_id: str = Field(
        "TRADEGUARD-PILOT-ZONE",
        description="rentity_id written into suspicious transaction reports (goAML layout).",
    )
    reporting_entity_name: str = Field(
        "Pilot zone single-window supervision office",
        description="Name of the reporting entity on the report's print view.",
    )
    rpc_timeout_seconds: float = Field(
        10.0, gt=0, description="Deadline of each call to the AML service."
    )
    log_level: str = Field("INFO", description="Log level of the services.* loggers.")
