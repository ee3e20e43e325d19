"""The store monitor: health SERVING only while the alert store answers and is migrated, the
open-alert gauges, the watchlist reloaded when another replica changed it, old stored
responses purged."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from services.aml import review
from services.aml.metrics import AmlMetrics
from services.aml.migrations import upgrade
from services.aml.party_registry import PartyRegistry
from services.aml.persistence import guard
from services.aml.retention import purge_screenings
from services.aml.store import AlertStore
from services.aml.watchlist_store import WatchlistStore
from services.common.errors import TradeGuardError, UnavailableError

log = logging.getLogger("services.aml")

_PURGE_EVERY_S = 3600.0


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
        parties: PartyRegistry | None = None,
        purge_history: Callable[[datetime], int] | None = None,
    ) -> None:
        self._store = store
        self._set_serving = set_serving
        self._metrics = metrics
        self._on_ready = on_ready
        self._reload_watchlist = reload_watchlist
        self._watchlist = WatchlistStore(store)
        self._ready = False
        self._seen: tuple[int, int] | None = None
        self._parties = parties
        self._purge_history = purge_history
        self._seen_parties: tuple[int, int, int] | None = None
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
        self._refresh_parties()
        self._store.checkpoint_audit()
        if time.monotonic() >= self._next_purge:
            purged = purge_screenings(self._store, datetime.now(UTC) - self._retention)
            log.info("expired stored responses purged", extra={"rows": purged})
            if self._purge_history is not None:
                dropped = self._purge_history(datetime.now(UTC))
                log.info("history entries past every window purged", extra={"rows": dropped})
            self._next_purge = time.monotonic() + _PURGE_EVERY_S

    def _refresh_parties(self) -> None:
        """Reload the parties when another replica upserted some."""
        if self._parties is None:
            return
        seen = self._parties.fingerprint()
        if seen != self._seen_parties:
            self._parties.reload()
            self._seen_parties = seen

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
