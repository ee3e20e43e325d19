"""Wires the AML service: store, detector, the domain flows, servicer, the common server core,
and the monitor that keeps health, gauges and the watchlist in step with the store."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from prometheus_client import CollectorRegistry

from services._proto.tradeguard.aml.v1 import aml_pb2_grpc
from services.aml.alert_records import Actor
from services.aml.api.servicer import AmlServicer
from services.aml.audit_trail import AuditTrail
from services.aml.data_scans import DataScans
from services.aml.detector import AmlDetector, load_reference
from services.aml.domain import ReferenceData
from services.aml.history_store import history_horizon, keep_history_in_database
from services.aml.metrics import AmlMetrics
from services.aml.party_registry import PartyRegistry
from services.aml.party_store import PartyStore
from services.aml.review import Reviews
from services.aml.ruleset import RuleSet
from services.aml.screening_store import ScreeningStore
from services.aml.settings import AmlSettings
from services.aml.store import AlertStore
from services.aml.store_monitor import StoreMonitor
from services.aml.trade_screening import TradeScreening
from services.aml.watchlist import Watchlist
from services.aml.watchlist_store import WatchlistStore
from services.common import serving
from services.common.auth import Role
from services.common.paging import page_bytes
from services.common.server import ManagedServer, ServiceRegistration, build_server
from services.common.tokens import TokenStore

log = logging.getLogger("services.aml")

Settings = AmlSettings
SERVICE_NAME = "tradeguard.aml.v1.AmlMonitoring"
SYSTEM_ACTOR = Actor("system", "ADMIN")

_B, _I, _R, _A, _S = Role.BANK, Role.INSURER, Role.REGULATOR, Role.ADMIN, Role.SERVICE
#: Who may call what; a method missing here is refused.
ROLES_BY_METHOD: dict[str, frozenset[Role]] = {
    "ScreenTrade": frozenset({_B}),
    "StreamScreenTrades": frozenset({_B}),
    "ScanTradeData": frozenset({_B, _R}),
    "ScreenParty": frozenset({_B, _I, _R, _A, _S}),
    "ScreenParties": frozenset({_B, _I, _R, _A, _S}),
    "UpsertWatchlistEntry": frozenset({_R, _A}),
    "DeleteWatchlistEntry": frozenset({_R, _A}),
    "ListWatchlistEntries": frozenset({_R, _A}),
    "ListAlerts": frozenset({_B, _R}),
    "GetAlert": frozenset({_B, _R}),
    "ReviewAlert": frozenset({_R}),
    "ListAlertEvents": frozenset({_B, _R}),
    "UpsertCustomer": frozenset({_B, _R, _A}),
    "UpsertBuyer": frozenset({_B, _R, _A}),
    "UpsertPartyRelation": frozenset({_B, _R, _A}),
    "SummarizeAlerts": frozenset({_B, _R}),
    "VerifyAuditChain": frozenset({_R, _A}),
}
METHOD_ROLES = {f"/{SERVICE_NAME}/{m}": roles for m, roles in ROLES_BY_METHOD.items()}


def _registration(servicer: AmlServicer) -> ServiceRegistration:
    return ServiceRegistration(
        add=lambda server: aml_pb2_grpc.add_AmlMonitoringServicer_to_server(servicer, server),
        names=(SERVICE_NAME,),
    )


class AmlService:
    """The running AML service: gRPC server, store and monitor, started and stopped together."""

    def __init__(
        self,
        settings: AmlSettings,
        detector: AmlDetector,
        registry: CollectorRegistry | None = None,
        tokens: TokenStore | None = None,
        reference: ReferenceData | None = None,
    ) -> None:
        self.settings = settings
        self.registry = registry if registry is not None else CollectorRegistry()
        self.metrics = AmlMetrics(self.registry)
        trail = AuditTrail.from_files(
            settings.audit_key_file,
            settings.audit_checkpoint_dir,
            create=settings.audit_key_create,
        )
        self.store = AlertStore.open(settings.db_url, trail, migrate=False)
        screenings = ScreeningStore(self.store)
        self.watchlist = Watchlist(WatchlistStore(self.store), detector)
        self.parties = PartyRegistry(PartyStore(self.store), detector)
        history = (
            keep_history_in_database(detector, self.store) if settings.history_in_database else None
        )
        self.servicer = AmlServicer(
            self.store,
            TradeScreening(screenings, detector, self.metrics),
            DataScans(screenings, detector, self.metrics, settings.data_root),
            self.watchlist,
            Reviews(self.store, self.metrics),
            self.parties,
            max_batch=settings.max_batch,
            page_bytes=page_bytes(settings.max_message_bytes),
        )
        self.server: ManagedServer = build_server(
            settings, [_registration(self.servicer)], METHOD_ROLES, self.registry, tokens=tokens
        )
        self._reference = reference
        self.monitor = StoreMonitor(
            self.store,
            self.server.set_serving,
            self.metrics,
            self._seed_watchlist,
            self.watchlist.reload,
            timedelta(days=settings.request_retention_days),
            self.parties,
            (lambda now: history.purge(history_horizon(detector, now))) if history else None,
        )

    def _seed_watchlist(self) -> None:
        """An empty store takes the reference data's watchlist, so screening starts with it."""
        if self._reference is None or not self._reference.watchlist:
            return
        watchlist = WatchlistStore(self.store)
        if watchlist.fingerprint()[0]:
            return
        for entry in self._reference.watchlist:
            watchlist.upsert(entry, SYSTEM_ACTOR)
        log.info("watchlist seeded", extra={"entries": len(self._reference.watchlist)})

    def start(self, *, metrics: bool = True) -> AmlService:
        self.server.start(metrics=metrics)
        self.monitor.check()
        self.monitor.start(self.settings.store_check_seconds)
        return self

    @property
    def port(self) -> int:
        return self.server.port

    def stop(self, grace: float | None = None) -> None:
        self.monitor.stop()
        self.server.stop(grace)
        self.store.close()


def load_detector(settings: AmlSettings) -> tuple[AmlDetector, ReferenceData]:
    """The detector for the configured model bundle and reference data."""
    reference = (
        load_reference(settings.reference_dir) if settings.reference_dir else ReferenceData()
    )
    live = RuleSet.load(settings.ruleset_file) if settings.ruleset_file else None
    shadow = RuleSet.load(settings.shadow_ruleset_file) if settings.shadow_ruleset_file else None
    detector = AmlDetector.load(settings.model_dir, reference, ruleset=live, shadow=shadow)
    return detector, reference


def build(settings: AmlSettings) -> AmlService:
    """The service for ``settings``, with its model bundle and reference data loaded."""
    detector, reference = load_detector(settings)
    return AmlService(settings, detector, reference=reference)


def serve(settings: AmlSettings) -> int:
    """Run until SIGTERM/SIGINT, then drain; the exit code (0) for `tradeguard serve aml`."""
    return serving.serve(settings, build)


def main(argv: Sequence[str] | None = None) -> int:
    return serving.main(argv, AmlSettings, build, __doc__)
