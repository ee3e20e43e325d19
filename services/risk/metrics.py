"""Risk domain metrics (Prometheus) and the periodic PSI refresh."""

from __future__ import annotations

import threading
from collections import Counter as Tally
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from services.risk.answers import Answers
from services.risk.domain import Decision
from services.risk.psi import PopulationDrift, PsiMonitor

PD_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.2, 0.5, 1.0)
"""Aligned with the grade bands, so the histogram reads as a grade distribution."""
BULK_OBSERVATIONS = 8
"""From this many values on, a histogram takes a batch's values bucket by bucket."""
MIN_PSI_OBSERVATIONS = 50
"""Below this many live scores PSI is noise, so the gauges are left as they were."""


class RiskMetrics:
    """risk_probability_of_default, risk_decisions_total, risk_model_info, risk_feature_psi
    (scored traffic), risk_population_psi and risk_score_psi (the whole served feature table),
    risk_feature_table_age_seconds and risk_reload_failures_total. Drift gauges carry the
    model version; a swap removes the old version's series."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.pd = Histogram(
            "risk_probability_of_default",
            "Tenor probability of default of scored financing requests.",
            ["model_version"],
            buckets=PD_BUCKETS,
            registry=registry,
        )
        self.decisions = Counter(
            "risk_decisions_total",
            "Financing decisions by outcome.",
            ["decision"],
            registry=registry,
        )
        self.model_info = Gauge(
            "risk_model_info",
            "The model bundle now serving (value 1).",
            ["version"],
            registry=registry,
        )
        self.feature_psi = Gauge(
            "risk_feature_psi",
            "Population stability index of live traffic against the training reference.",
            ["feature", "model_version"],
            registry=registry,
        )
        self.population_psi = Gauge(
            "risk_population_psi",
            "PSI of the whole served feature table against the training reference.",
            ["feature", "model_version"],
            registry=registry,
        )
        self.score_psi = Gauge(
            "risk_score_psi",
            "PSI of the served feature table's raw scores against the training sample's.",
            ["model_version"],
            registry=registry,
        )
        self.table_age = Gauge(
            "risk_feature_table_age_seconds",
            "Seconds since the as-of of the feature table now served.",
            registry=registry,
        )
        self.table_age.set_function(self._table_age)
        self.reload_failures = Counter(
            "risk_reload_failures_total",
            "New model bundles or feature tables that could not be loaded (the old snapshot "
            "kept serving).",
            registry=registry,
        )
        self._decisions = {d: self.decisions.labels(decision=d.value) for d in Decision}
        self._version = ""
        self._pd_children: dict[str, Any] = {}
        self._as_of: datetime | None = None
        self._drift_series: set[tuple[Gauge, tuple[str, ...]]] = set()

    def record_answers(self, answers: Answers) -> None:
        """`record` of a batch's answers, without building its scores."""
        child = self._pd_children.get(answers.model_version)
        if child is None:
            child = self._pd_children[answers.model_version] = self.pd.labels(answers.model_version)
        observe_all(child, answers.pd)
        decisions = answers.decisions
        if len(decisions) == 1:
            self._decisions[decisions[0]].inc()
            return
        for decision, count in Tally(decisions).items():
            self._decisions[decision].inc(count)

    def serving(self, version: str) -> None:
        if self._version and self._version != version:
            self.model_info.remove(self._version)
            self._forget_drift()
        self.model_info.labels(version=version).set(1)
        self._version = version

    def _forget_drift(self) -> None:
        """Drop every drift series of the model that stopped serving."""
        for gauge, labels in self._drift_series:
            gauge.remove(*labels)
        self._drift_series.clear()

    def _set_drift(self, gauge: Gauge, labels: tuple[str, ...], value: float) -> None:
        gauge.labels(*labels).set(value)
        self._drift_series.add((gauge, labels))

    def publish_psi(self, monitor: PsiMonitor, version: str = "") -> bool:
        if monitor.observations < MIN_PSI_OBSERVATIONS:
            return False
        for feature, value in monitor.compute().items():
            self._set_drift(self.feature_psi, (feature, version or self._version), value)
        return True

    def publish_population(self, drift: PopulationDrift) -> None:
        """The served table's drift, published when a snapshot starts serving."""
        for feature, value in drift.features.items():
            self._set_drift(self.population_psi, (feature, drift.version), value)
        if drift.score is not None:
            self._set_drift(self.score_psi, (drift.version,), drift.score)
        self._as_of = drift.as_of

    def _table_age(self) -> float:
        as_of = self._as_of
        return 0.0 if as_of is None else (datetime.now(UTC) - as_of).total_seconds()


class PsiRefresher:
    """Recomputes PSI from the current monitor every `interval` seconds on a daemon thread."""

    def __init__(
        self, metrics: RiskMetrics, monitor: Callable[[], PsiMonitor | None], interval: float
    ) -> None:
        self._metrics = metrics
        self._monitor = monitor
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="risk-psi", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def refresh(self) -> bool:
        monitor = self._monitor()
        return monitor is not None and self._metrics.publish_psi(monitor)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.refresh()


def observe_all(histogram: Any, values: Sequence[float]) -> None:
    """`histogram.observe` of every value; a batch's values are counted per bucket with array
    operations and each bucket incremented once (the same counts: a value goes to the first
    bucket whose bound it does not exceed), instead of one locked update per value."""
    bounds = getattr(histogram, "_upper_bounds", None)
    buckets = getattr(histogram, "_buckets", None)
    total = getattr(histogram, "_sum", None)
    if len(values) < BULK_OBSERVATIONS or bounds is None or buckets is None or total is None:
        for value in values:
            histogram.observe(value)
        return
    array = np.asarray(values, dtype=np.float64)
    index = np.searchsorted(np.asarray(bounds, dtype=np.float64), array, side="left")
    counts = np.bincount(index, minlength=len(bounds) + 1)[: len(bounds)]
    total.inc(float(array.sum()))
    for bucket, count in zip(buckets, counts.tolist(), strict=True):
        if count:
            bucket.inc(count)
