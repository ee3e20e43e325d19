"""Finance domain metrics: quotes, premium rates, dependency errors, limit decisions, and the
book's exposure by country category and on its largest buyers."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from services.common.errors import UnavailableError

#: Premium rates are fractions of the insured amount: short-term cover mostly sits between
#: 0.05 % and 2 %, medium/long-term MPR-floored cover between 1 % and 25 %.
RATE_BUCKETS = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5,
)  # fmt: skip


COUNTRY_CATEGORIES = 8
TOP_BUYER_RANKS = 5


class FinanceMetrics:
    """finance_quotes_total, finance_premium_rate, finance_dependency_errors_total,
    finance_dependency_serving."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.quotes = Counter(
            "finance_quotes_total",
            "Quotes issued, by policy type (or POLICY_FINANCING) and outcome.",
            ["policy_type", "outcome"],
            registry=registry,
        )
        self.premium_rate = Histogram(
            "finance_premium_rate",
            "Premium rate of quoted policies, a fraction of the insured amount.",
            ["policy_type"],
            buckets=RATE_BUCKETS,
            registry=registry,
        )
        self.dependency_errors = Counter(
            "finance_dependency_errors_total",
            "Failed calls to a dependency (risk or aml): unavailable, deadline or refused.",
            ["dependency"],
            registry=registry,
        )
        self.dependency_up = Gauge(
            "finance_dependency_serving",
            "1 while the dependency (risk or aml) reports SERVING on its health stream.",
            ["dependency"],
            registry=registry,
        )
        for dependency in ("risk", "aml"):
            self.dependency_errors.labels(dependency=dependency)
            self.dependency_up.labels(dependency=dependency)
        self.limit_decisions = Counter(
            "finance_credit_limit_decisions_total",
            "Credit limit decisions, by decision (APPROVED, REDUCED, DECLINED).",
            ["decision"],
            registry=registry,
        )
        self._registry = registry
        self._quote_series: dict[tuple[str, str], Counter] = {}
        self._rate_series: dict[str, Histogram] = {}

    def quote(self, policy_type: str, outcome: str, rate: float | None) -> None:
        # A label lookup costs more than the update; the few series are looked up once.
        counted = self._quote_series.get((policy_type, outcome))
        if counted is None:
            counted = self.quotes.labels(policy_type=policy_type, outcome=outcome)
            self._quote_series[(policy_type, outcome)] = counted
        counted.inc()
        if rate is not None:
            rates = self._rate_series.get(policy_type)
            if rates is None:
                rates = self._rate_series[policy_type] = self.premium_rate.labels(policy_type)
            rates.observe(rate)

    def dependency_error(self, dependency: str) -> None:
        self.dependency_errors.labels(dependency=dependency).inc()

    def dependency_serving(self, dependency: str, serving: bool) -> None:
        self.dependency_up.labels(dependency=dependency).set(1 if serving else 0)

    def limit_decided(self, decision: str) -> None:
        self.limit_decisions.labels(decision=decision).inc()

    def watch_exposure(self, snapshot: Callable[[], ExposureSnapshot]) -> None:
        """Export the book's exposure, read from the store at each scrape (so every replica
        reports the shared book, however few limits it decided itself)."""
        self._registry.register(ExposureCollector(snapshot))


@dataclass(frozen=True)
class ExposureSnapshot:
    """USD on active limits by country category, and the largest buyers' capacity shares."""

    by_category: Mapping[int, Decimal]
    shares: Sequence[float]


class ExposureCollector(Collector):
    """finance_exposure_usd{country_category} and finance_buyer_capacity_share{rank}; labels
    are bounded (8 categories, 5 ranks). A store that cannot be read exports nothing rather
    than stale values."""

    def __init__(self, snapshot: Callable[[], ExposureSnapshot]) -> None:
        self._snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        try:
            snapshot = self._snapshot()
        except UnavailableError:
            return
        exposure = GaugeMetricFamily(
            "finance_exposure_usd",
            "Approved credit limits on the book in USD, by OECD country risk category 0..7.",
            labels=["country_category"],
        )
        for category in range(COUNTRY_CATEGORIES):
            held = snapshot.by_category.get(category, Decimal(0))
            exposure.add_metric([str(category)], float(held))
        yield exposure
        share = GaugeMetricFamily(
            "finance_buyer_capacity_share",
            "Share of its buyer capacity used by each of the largest buyer exposures "
            "(rank 1 is the largest in USD); above 1 means over capacity.",
            labels=["rank"],
        )
        for rank in range(1, TOP_BUYER_RANKS + 1):
            value = snapshot.shares[rank - 1] if rank <= len(snapshot.shares) else 0.0
            share.add_metric([str(rank)], value)
        yield share
