"""Wires the AML service: store, detector, servicer, the common server core, and a monitor
that keeps health, gauges and the watchlist in step with the store."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry

from services._proto.tradeguard.aml.v1 import aml_pb2_grpc
from services.aml import review
from services.aml.alert_records import Actor
from services.aml.api.servicer import AmlServicer
from services.aml.detector import AmlDetector, load_reference
from services.aml.domain import ReferenceData
from services.aml.metrics import AmlMetrics
from services.aml.migrations import upgrade
from services.aml.persistence import guard
from services.aml.retention import purge_screenings
from services.aml.ruleset import RuleSet
from services.aml.settings import AmlSettings
from services.aml.store import AlertStore
from services.aml.watchlist_store import WatchlistStore
from services.common import serving
from services.common.auth import Role
from services.common.errors import TradeGuardError, UnavailableError
from services.common.server import ManagedServer, ServiceRegistration, build_server
from services.common.tokens import TokenStore

log = logging.getLogger("services.aml")

Settings = AmlSettings
SERVICE_NAME = "tradeguard.aml.v1.AmlMonitoring"
SYSTEM_ACTOR = Actor("system", "ADMIN")
_PURGE_EVERY_S = 3600.0

_B, _I, _R, _A, _S = Role.BANK, Role.INSURER, Role.REGULATOR, Role.ADMIN, Role.SERVICE
#: Who may call what; a method missing here is refused.
ROLES_BY_METHOD: dict[str, frozenset[Role]] = {
    "ScreenTrade": frozenset({_B}),
    "StreamScreenTrades": frozenset({_B}),
    "ScanTradeData": frozenset({_B, _R}),
    "ScreenParty": frozenset({_B, _I, _R, _A, _S}),
    "UpsertWatchlistEntry": frozenset({_R, _A}),
    "DeleteWatchlistEntry": frozenset({_R, _A}),
    "ListWatchlistEntries": frozenset({_R, _A}),
    "ListAlerts": frozenset({_B, _R}),
    "GetAlert": frozenset({_B, _R}),
    "ReviewAlert": frozenset({_R}),
    "ListAlertEvents": frozenset({_B, _R}),
    "SummarizeAlerts": frozenset({_B, _R}),
    "VerifyAuditChain": frozenset({_R, _A}),
}
METHOD_ROLES = {f"/{SERVICE_NAME}/{m}": roles for m, roles in ROLES_BY_METHOD.items()}


class StoreMonitor:
    """Probes the store on a timer: health SERVING only while it answers (and is migrated),
    open-alert gauges refreshed, and the watchlist reloaded when another replica changed it."""

    def __init__(
        self,
        store: AlertStore,
        set_serving: Callable[[bool], None],
        metrics: AmlMetrics,
        on_ready: Callable[[], None],
        reload_watchlist: Callable[[], None],
        retention: timedelta = timedelta(days=30),
    ) -> None:
        self._store = store
        self._set_serving = set_serving
        self._metrics = metrics
        self._on_ready = on_ready
        self._reload_watchlist = reload_watchlist
        self._watchlist = WatchlistStore(store)
        self._ready = False
        self._seen: tuple[int, int] | None = None
        self._retention = retention
        self._next_purge = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> bool:
        """One probe; returns whether the store is serving."""
        try:
            self._probe()
        except TradeGuardError as exc:
            log.warning("alert store check failed", extra={"error": exc.message})
            serving = False
        except Exception:
            # The monitor must outlive any surprise; the next probe tries again.
            log.exception("alert store check crashed")
            serving = False
        else:
            serving = True
        self._set_serving(serving)
        self._metrics.store_up.set(1 if serving else 0)
        return serving

    def _probe(self) -> None:
        if not self._store.ping():
            raise UnavailableError("the alert store does not answer")
        if not self._ready:
            with guard():
                upgrade(self._store.engine)
            self._on_ready()
            self._ready = True
        self._refresh()

    def _refresh(self) -> None:
        statuses = [s.value for s in review.OPEN_STATUSES]
        self._metrics.set_open(self._store.backlog_by_severity(statuses))
        seen = self._watchlist.fingerprint()
        if seen != self._seen:
            self._reload_watchlist()
            self._seen = seen
        if time.monotonic() >= self._next_purge:
            purged = purge_screenings(self._store, datetime.now(UTC) - self._retention)
            log.info("expired stored responses purged", extra={"rows": purged})
            self._next_purge = time.monotonic() + _PURGE_EVERY_S

    def start(self, interval: float) -> None:
        def loop() -> None:
            while not self._stop.wait(interval):
                self.check()

        self._thread = threading.Thread(target=loop, name="aml-store-monitor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


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
        self.store = AlertStore.open(settings.db_url, migrate=False)
        self.servicer = AmlServicer(
            self.store,
            detector,
            self.metrics,
            data_root=settings.data_root,
            max_batch=settings.max_batch,
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
            self.servicer.reload_watchlist,
            timedelta(days=settings.request_retention_days),
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
