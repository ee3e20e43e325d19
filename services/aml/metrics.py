"""Domain metrics of the AML service (the RPC metrics come from services.common.metrics)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge

from services.aml.alert_records import Backlog

SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")


class AmlMetrics:
    """Alert, review and rule counters plus store-derived gauges, in one registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.alerts_raised = Counter(
            "aml_alerts_raised_total",
            "Alerts newly raised (duplicates of stored alerts are not counted).",
            ("typology", "severity"),
            registry=registry,
        )
        self.alerts_open = Gauge(
            "aml_alerts_open",
            "Alerts awaiting a decision (any status that is not final), by severity.",
            ("severity",),
            registry=registry,
        )
        self.oldest_open_age = Gauge(
            "aml_oldest_open_alert_age_seconds",
            "Age of the oldest alert awaiting a decision, by severity; 0 when there is none.",
            ("severity",),
            registry=registry,
        )
        self.reviews = Counter(
            "aml_reviews_total", "Review decisions applied.", ("decision",), registry=registry
        )
        self.rule_hits = Counter(
            "aml_rule_hits_total", "Screening rule hits.", ("rule",), registry=registry
        )
        self.trades_screened = Counter(
            "aml_trades_screened_total",
            "Trades screened, by outcome (SCREENED, REPLAYED, FAILED).",
            ("outcome",),
            registry=registry,
        )
        self.store_up = Gauge(
            "aml_store_up", "1 when the alert store answered the last probe.", registry=registry
        )
        for severity in SEVERITIES:
            self.alerts_open.labels(severity)
            self.oldest_open_age.labels(severity)

    def set_open(self, backlog: Mapping[str, Backlog]) -> None:
        """Replace the open-alert gauges with fresh figures from the store."""
        now = datetime.now(UTC)
        for severity in {*SEVERITIES, *backlog}:
            entry = backlog.get(severity)
            count = entry.count if entry else 0
            age = (now - entry.oldest).total_seconds() if entry else 0.0
            self.alerts_open.labels(severity).set(count)
            self.oldest_open_age.labels(severity).set(max(age, 0.0))
