"""The serving runtime: holds the current scoring snapshot and swaps it atomically when a
newer model bundle or feature table appears.

A new snapshot is built completely (batch contributions included) before one reference
assignment publishes it. A call reads the reference once, so it is served entirely by the
old or entirely by the new snapshot: no failed or mixed-version call during a swap.

A new table for the bundle already served is read, checked, encoded and indexed by a child
process at the lowest priority (`table_build`), whose arrays the server maps: that work never
holds the interpreter lock the calls need. A new bundle (and the first load) is built here.

Building a snapshot of a large table takes seconds of CPU on the watcher thread. Request
threads come first meanwhile: the watcher runs at the lowest scheduling priority (its numpy,
numba and polars stretches without the interpreter lock yield the processor to calls), and
while it builds the interpreter hands the lock over every `BUILD_SWITCH_SECONDS` instead of
every 5 ms, so a call waits for the builder's Python stretches a fraction of a millisecond;
no cyclic collection runs meanwhile (`_short_switches`).
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from services.common.errors import UnavailableError
from services.risk import model as model_io
from services.risk.feature_table import (
    FeatureTable,
    FeatureTableError,
    latest_table_path,
    read_feature_table,
)
from services.risk.policy import DecisionPolicy
from services.risk.psi import PsiMonitor
from services.risk.registry import promoted_bundle_dir
from services.risk.scoring import ScoringSnapshot
from services.risk.table_build import build_in_child

log = logging.getLogger("services.risk")

BUILD_SWITCH_SECONDS = 0.0002
"""Interpreter switch interval while a snapshot builds (CPython's default is 0.005 s)."""
LOWEST_PRIORITY = 19

PolicyFor = Callable[[DecisionPolicy], DecisionPolicy]
"""Turns the bundle's default policy into the one to apply (service overrides)."""


@dataclass(frozen=True)
class SourceKey:
    """Identity of what a snapshot was built from; a change triggers a reload."""

    bundle_dir: str
    table_file: str
    table_mtime_ns: int
    table_size: int


class ScoringRuntime:
    def __init__(
        self,
        model_dir: Path,
        features: Path,
        usd_per_unit: Mapping[str, float],
        policy_for: PolicyFor = lambda policy: policy,
        psi_window: int = 10_000,
        on_swap: Callable[[ScoringSnapshot], None] = lambda snapshot: None,
        on_failure: Callable[[], None] = lambda: None,
    ) -> None:
        self._model_dir = Path(model_dir)
        self._features = Path(features)
        self._usd = dict(usd_per_unit)
        self._policy_for = policy_for
        self._psi_window = psi_window
        self._on_swap = on_swap
        self._on_failure = on_failure
        self._snapshot: ScoringSnapshot | None = None
        self._key: SourceKey | None = None
        self._failed: SourceKey | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def snapshot(self) -> ScoringSnapshot:
        current = self._snapshot
        if current is None:
            raise UnavailableError("no model and feature table loaded yet")
        return current

    def current_monitor(self) -> PsiMonitor | None:
        current = self._snapshot
        return None if current is None else current.monitor

    def current_key(self) -> SourceKey:
        bundle_dir = promoted_bundle_dir(self._model_dir)
        table = latest_table_path(self._features)
        stat = table.stat()
        return SourceKey(str(bundle_dir), str(table), stat.st_mtime_ns, stat.st_size)

    def reload(self) -> bool:
        """Build and publish a new snapshot if the sources changed; False when unchanged.
        Raises when the new sources are unusable (the old snapshot keeps serving)."""
        with self._lock:
            key = self.current_key()
            if key == self._key:
                return False
            with _short_switches():
                snapshot = self._build(key)
            self._snapshot = snapshot
            self._key = key
        self._on_swap(snapshot)
        log.info(
            "scoring snapshot loaded",
            extra={
                "model_version": snapshot.version,
                "features": key.table_file,
                "enterprises": snapshot.enterprise_count,
            },
        )
        return True

    def _build(self, key: SourceKey) -> ScoringSnapshot:
        bundle = model_io.load(Path(key.bundle_dir))
        previous = self._snapshot
        policy = self._policy_for(bundle.metadata.policy)
        if previous is not None and previous.version == bundle.version:
            # Only the table changed: keep the compiled model and the live PSI window, and
            # build the table's inputs in a child process while calls are being served.
            prepared = build_in_child(Path(key.bundle_dir), Path(key.table_file), policy)
            return ScoringSnapshot(
                previous.bundle,
                FeatureTable(pl.DataFrame(), prepared.as_of, prepared.source),
                policy,
                self._usd,
                previous.monitor,
                previous.explainer,
                previous.reasons,
                prepared=(prepared.inputs, prepared.index),
            )
        monitor = PsiMonitor(bundle.metadata.references, self._psi_window)
        table = read_feature_table(Path(key.table_file))
        return ScoringSnapshot(bundle, table, policy, self._usd, monitor)

    def poll_once(self) -> bool:
        """One watcher tick: reload on change, log (once per bad source) and keep serving."""
        try:
            return self.reload()
        except (model_io.BundleError, FeatureTableError, OSError, ValueError) as exc:
            key = self._safe_key()
            if key != self._failed:
                # Counted and logged once per bad source, not on every watcher tick.
                log.error(
                    "reload failed; still serving the previous snapshot", extra={"error": str(exc)}
                )
                self._on_failure()
                self._failed = key
            return False

    def _safe_key(self) -> SourceKey | None:
        try:
            return self.current_key()
        except (model_io.BundleError, FeatureTableError, OSError):
            return None

    def start_watching(self, interval: float) -> None:
        self._thread = threading.Thread(
            target=self._watch, args=(interval,), name="risk-reload", daemon=True
        )
        self._thread.start()

    def stop_watching(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _watch(self, interval: float) -> None:
        _lowest_priority()
        while not self._stop.wait(interval):
            self.poll_once()


def _lowest_priority() -> None:
    """The calling thread (on Linux a nice value is per thread) at the lowest priority."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOWEST_PRIORITY)
    except OSError as error:  # not Linux, or a sandbox forbids it: same results, slower calls
        log.warning("reload thread keeps normal priority", extra={"error": str(error)})


@contextmanager
def _short_switches() -> Iterator[None]:
    """While a snapshot builds: short interpreter switches, and no cyclic collection (the
    build's temporary objects are not garbage yet, and a full collection meanwhile would walk
    every object the process holds while calls wait); what the build made is then frozen out
    of the collector's reach, as start-up's objects are."""
    previous = sys.getswitchinterval()
    collecting = gc.isenabled()
    sys.setswitchinterval(BUILD_SWITCH_SECONDS)
    gc.disable()
    try:
        yield
    finally:
        sys.setswitchinterval(previous)
        if collecting:
            gc.freeze()
            gc.enable()
