"""Finance domain metrics: quotes by policy type and outcome, premium rates, dependency errors."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

#: Premium rates are fractions of the insured amount: short-term cover mostly sits between
#: 0.05 % and 2 %, medium/long-term MPR-floored cover between 1 % and 25 %.
RATE_BUCKETS = (
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5,
)  # fmt: skip


class FinanceMetrics:
    """finance_quotes_total, finance_premium_rate, finance_dependency_errors_total."""

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
        for dependency in ("risk", "aml"):
            self.dependency_errors.labels(dependency=dependency)

    def quote(self, policy_type: str, outcome: str, rate: float | None) -> None:
        self.quotes.labels(policy_type=policy_type, outcome=outcome).inc()
        if rate is not None:
            self.premium_rate.labels(policy_type=policy_type).observe(rate)

    def dependency_error(self, dependency: str) -> None:
        self.dependency_errors.labels(dependency=dependency).inc()
