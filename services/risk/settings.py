"""Settings of the risk scoring service (env prefix TRADEGUARD_RISK_, flags win)."""

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
from services.risk.policy import DecisionPolicy


class RiskSettings(ServiceSettings):
    """Settings of the risk scoring service."""

    model_config = service_config("risk")
    service: ClassVar[str] = "risk"

    port: int = grpc_port_field(50051)
    metrics_port: int = metrics_port_field(9101)
    model_dir: Path = Field(
        Path("var/models/risk"),
        description="Folder of model bundles (the newest trained one is served) or one bundle.",
    )
    features: Path = Field(
        Path("var/features"),
        description="Feature table: a Parquet file, or a folder whose newest *.parquet is used.",
    )
    reload_seconds: float = Field(
        10.0, gt=0, description="How often to look for a newer model bundle or feature table."
    )
    psi_seconds: float = Field(30.0, gt=0, description="How often risk_feature_psi is refreshed.")
    psi_window: int = Field(
        10_000, ge=100, description="Live scores kept (as bins) for PSI; bounds its memory."
    )
    approve_max_pd: float | None = Field(
        None, gt=0, le=1, description="Approve below this tenor PD (default: the bundle's)."
    )
    decline_min_pd: float | None = Field(
        None, gt=0, le=1, description="Decline at or above this tenor PD (default: the bundle's)."
    )
    reason_count: int | None = Field(
        None, ge=1, le=50, description="Reasons listed per score (default: the bundle's)."
    )
    max_batch: int = Field(
        1000, ge=1, description="Largest batch a StreamScoreFinancing message may carry."
    )
    batch_linger_seconds: float = Field(
        0.005,
        ge=0,
        le=0.1,
        description="Under load, how long concurrent ScoreFinancing calls may wait in all for "
        "others to join their batch (0: never wait).",
    )
    batch_gap_seconds: float = Field(
        0.001,
        gt=0,
        le=0.01,
        description="A filling batch stops waiting after this long without a new call (and as "
        "soon as as many calls are queued as the last batch held).",
    )

    def policy_for(self, bundle_policy: DecisionPolicy) -> DecisionPolicy:
        """The bundle's decision policy with this service's overrides applied."""
        from dataclasses import replace

        overrides = {
            name: value
            for name, value in (
                ("approve_max_pd", self.approve_max_pd),
                ("decline_min_pd", self.decline_min_pd),
                ("reason_count", self.reason_count),
            )
            if value is not None
        }
        return replace(bundle_policy, **overrides)  # type: ignore[arg-type]
