"""Wires the risk service: runtime (snapshot + reload), servicer, metrics, gRPC server."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from prometheus_client import CollectorRegistry

from services._proto.tradeguard.risk.v1 import risk_pb2_grpc
from services.common import serving
from services.common.auth import MethodRoles
from services.common.paging import page_bytes
from services.common.server import ManagedServer, ServiceRegistration, build_server
from services.common.tokens import Role, TokenStore
from services.risk.api.registry import ModelRegistryRpcs
from services.risk.api.servicer import RiskScoringServicer
from services.risk.metrics import PsiRefresher, RiskMetrics
from services.risk.reload import ScoringRuntime
from services.risk.scoring import ScoringSnapshot
from services.risk.settings import RiskSettings
from services.tradedata.fx import USD_PER_UNIT

Settings = RiskSettings
"""The settings class `tradeguard serve risk` builds from env and flags."""
SERVICE_NAME = "tradeguard.risk.v1.RiskScoring"
_LOG = logging.getLogger("services.risk")
_SCORERS = frozenset({Role.BANK, Role.ADMIN, Role.SERVICE})
METHOD_ROLES: MethodRoles = {
    f"/{SERVICE_NAME}/ScoreFinancing": _SCORERS,
    f"/{SERVICE_NAME}/StreamScoreFinancing": _SCORERS,
    f"/{SERVICE_NAME}/GetModel": frozenset({Role.BANK, Role.ADMIN}),
    **{
        f"/{SERVICE_NAME}/{method}": frozenset({Role.ADMIN})
        for method in ("ListModels", "PromoteModel", "RollbackModel")
    },
}


class _OnSwap:
    """Publishes a new snapshot: model info gauge, and readiness once the server runs."""

    def __init__(self, metrics: RiskMetrics) -> None:
        self.metrics = metrics
        self.server: ManagedServer | None = None

    def __call__(self, snapshot: ScoringSnapshot) -> None:
        self.metrics.serving(snapshot.version)
        self.metrics.publish_population(snapshot.population_drift())
        if self.server is not None and self.server.port:
            self.server.set_serving(True)


@dataclass
class RiskService:
    """A running risk service: the gRPC server plus its background reload and PSI threads."""

    settings: RiskSettings
    server: ManagedServer
    runtime: ScoringRuntime
    metrics: RiskMetrics
    psi: PsiRefresher

    def start(self, *, metrics: bool = True) -> RiskService:
        """Load the first snapshot, then serve. Without a model or feature table yet, the
        server still starts but reports NOT_SERVING (calls get UNAVAILABLE) until the watcher
        finds one."""
        loaded = self.runtime.poll_once()
        self.server.start(metrics=metrics)
        if not loaded:
            _LOG.warning(
                "no model bundle or feature table yet: not ready",
                extra={
                    "model_dir": str(self.settings.model_dir),
                    "features": str(self.settings.features),
                },
            )
            self.server.set_serving(False)
        self.runtime.start_watching(self.settings.reload_seconds)
        self.psi.start()
        return self

    def stop(self, grace: float | None = None) -> None:
        """Drain the server, then stop the reload and PSI threads."""
        self.server.stop(grace)
        self.runtime.stop_watching()
        self.psi.stop()


def build(
    settings: RiskSettings,
    registry: CollectorRegistry | None = None,
    tokens: TokenStore | None = None,
) -> RiskService:
    """Wire the runtime, servicer and server; `start` loads the first snapshot."""
    registry = registry if registry is not None else CollectorRegistry()
    metrics = RiskMetrics(registry)
    on_swap = _OnSwap(metrics)
    runtime = ScoringRuntime(
        settings.model_dir,
        settings.features,
        USD_PER_UNIT,
        policy_for=settings.policy_for,
        psi_window=settings.psi_window,
        on_swap=on_swap,
        on_failure=metrics.reload_failures.inc,
    )
    models = ModelRegistryRpcs(settings.model_dir, runtime, page_bytes(settings.max_message_bytes))
    servicer = RiskScoringServicer(
        runtime,
        metrics,
        frozenset(USD_PER_UNIT),
        settings.max_batch,
        models,
        linger=settings.batch_linger_seconds,
        gap=settings.batch_gap_seconds,
    )
    registration = ServiceRegistration(
        add=lambda server: risk_pb2_grpc.add_RiskScoringServicer_to_server(servicer, server),
        names=(SERVICE_NAME,),
    )
    server = build_server(settings, [registration], METHOD_ROLES, registry, tokens=tokens)
    on_swap.server = server
    psi = PsiRefresher(metrics, runtime.current_monitor, settings.psi_seconds)
    return RiskService(settings, server, runtime, metrics, psi)


def serve(settings: RiskSettings) -> int:
    """Run until SIGTERM/SIGINT, then drain; returns the exit code."""
    return serving.serve(settings, build)


def main(argv: Sequence[str] | None = None) -> int:
    return serving.main(argv, RiskSettings, build, __doc__)


if __name__ == "__main__":
    sys.exit(main())
