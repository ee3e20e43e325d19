"""Settings of the AML service (env prefix ``TRADEGUARD_AML_``; flags override)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field

from services.common.settings import (
    ServiceSettings,
    grpc_port_field,
    metrics_port_field,
    service_config,
)


class AmlSettings(ServiceSettings):
    """Settings of the AML monitoring service."""

    model_config = service_config("aml")
    service: ClassVar[str] = "aml"

    port: int = grpc_port_field(50052)
    metrics_port: int = metrics_port_field(9102)
    db_url: str = Field(
        "sqlite:///var/aml.db",
        description="Alert store: sqlite:///PATH (default) or postgresql://USER@HOST/DB.",
    )
    model_dir: Path | None = Field(
        None, description="Model bundle from `tradeguard train aml`; unset = rules only."
    )
    reference_dir: Path | None = Field(
        None,
        description="Trade-data folder with the enterprises, buyers, relations and watchlist "
        "tables screening looks parties up in; the watchlist seeds an empty store.",
    )
    ruleset_file: Path | None = Field(
        None, description="Rule set JSON to run live instead of the one in the model bundle."
    )
    shadow_ruleset_file: Path | None = Field(
        None,
        description="Rule set JSON scored in shadow beside the live one: its would-be alerts are "
        "recorded and compared, never raised.",
    )
    data_root: Path = Field(
        Path("var/data"),
        description="Folder whose sub-folders ScanTradeData may scan (by name, no paths): a "
        "regulator's data sets directly inside it, a bank's inside its tenant's sub-folder.",
    )
    audit_key_file: Path = Field(
        Path("var/aml-audit.key"),
        description="Hex MAC key of the audit log, kept out of the database (a Secret in "
        "production); a missing file is created (mode 0600) when the service starts, unless "
        "audit_key_create is false.",
    )
    audit_key_create: bool = Field(
        True,
        description="Create the audit key file when it is missing. Kubernetes sets false: the "
        "key comes from a Secret, and a missing one must stop the service rather than start "
        "a log under a new key.",
    )
    audit_checkpoint_dir: Path = Field(
        Path("var/aml-audit-checkpoints"),
        description="Folder outside the database for MACed checkpoints of the audit chain's "
        "tip, written at every store check; the newest 100 are kept. Replicas may share it.",
    )
    store_check_seconds: float = Field(
        2.0, gt=0, description="How often the store is probed for health and the gauges refreshed."
    )
    request_retention_days: float = Field(
        30.0,
        gt=0,
        description="How long a request id's stored response is kept for idempotent replays.",
    )
    history_in_database: bool = Field(
        default=True,
        description="Keep the behaviour rules' history windows (structuring, pass-through, "
        "shell volume) in the alert store's database, shared by every replica; false keeps "
        "them in this process only.",
    )
    max_batch: int = Field(
        1000, ge=1, le=10_000, description="Most trades one StreamScreenTrades message may carry."
    )
