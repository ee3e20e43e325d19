"""Deletes expired quotes from the store on a schedule, in a daemon thread.

Expired quotes are already invisible to GetQuote; purging keeps the table small and frees their
request ids. A store that is down is logged and tried again at the next tick, never fatal.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from services.common.errors import UnavailableError
from services.finance.store import QuoteStore

_LOG = logging.getLogger(__name__)


class QuotePurger:
    """``start`` runs ``purge_expired`` every ``interval_seconds`` until ``stop``."""

    def __init__(
        self, store: QuoteStore, interval_seconds: float, clock: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._interval = interval_seconds
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="finance-quote-purge", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop and wait for a purge in progress to finish."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def purge_once(self) -> int:
        """One purge now; the number of quotes deleted (0 when the store is unreachable)."""
        try:
            deleted = self._store.purge_expired(self._clock())
        except UnavailableError:
            _LOG.warning("quote purge skipped: store unavailable")
            return 0
        if deleted:
            _LOG.info("expired quotes purged", extra={"deleted": deleted})
        return deleted

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.purge_once()
