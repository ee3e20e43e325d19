"""Monitoring that tells the truth: drift of the served population by model version, the feature
table's age, counted reload failures and the table with the latest as-of."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from prometheus_client import CollectorRegistry, Histogram

from services.risk.feature_table import FeatureTableError, latest_table_path, read_feature_table
from services.risk.metrics import PD_BUCKETS, RiskMetrics, observe_all
from services.risk.psi import PopulationDrift
from services.risk.registry import promote
from services.risk.reload import ScoringRuntime
from services.risk.training import synthetic
from services.tradedata.features.table_file import write_feature_table

FX = {"USD": 1.0}


def _value(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    return registry.get_sample_value(name, labels)


@pytest.fixture
def sources(bundle_dir: Path, tmp_path: Path) -> tuple[Path, Path]:
    models, features = tmp_path / "models", tmp_path / "features"
    shutil.copytree(bundle_dir, models / bundle_dir.name)
    promote(models, bundle_dir.name, "model-risk", "monitoring tests")
    write_feature_table(synthetic.feature_table(), features / "a.parquet")
    return models, features


def test_served_population_drift_is_published_by_model_version(
    sources: tuple[Path, Path],
) -> None:
    registry = CollectorRegistry()
    metrics = RiskMetrics(registry)
    runtime = ScoringRuntime(*sources, FX, on_swap=lambda s: _publish(metrics, s))
    assert runtime.reload()
    version = runtime.snapshot.version
    psi = _value(registry, "risk_population_psi", feature="overdue_share_6m", model_version=version)
    score = _value(registry, "risk_score_psi", model_version=version)
    # The served table is drawn like the training sample: no drift on the features or score.
    assert psi is not None and psi < 0.1
    assert score is not None and score < 0.1
    age = _value(registry, "risk_feature_table_age_seconds")
    assert age is not None and age > 0  # the synthetic table is dated 2026-01-01


def _publish(metrics: RiskMetrics, snapshot: object) -> None:
    metrics.serving(snapshot.version)  # type: ignore[attr-defined]
    metrics.publish_population(snapshot.population_drift())  # type: ignore[attr-defined]


def test_a_swap_removes_the_old_model_s_drift_series() -> None:
    registry = CollectorRegistry()
    metrics = RiskMetrics(registry)
    metrics.serving("v1")
    metrics.publish_population(PopulationDrift("v1", {"f": 0.3}, 0.2, None))
    assert _value(registry, "risk_population_psi", feature="f", model_version="v1") == 0.3
    metrics.serving("v2")
    metrics.publish_population(PopulationDrift("v2", {"f": 0.01}, 0.02, None))
    assert _value(registry, "risk_population_psi", feature="f", model_version="v1") is None
    assert _value(registry, "risk_score_psi", model_version="v1") is None
    assert _value(registry, "risk_population_psi", feature="f", model_version="v2") == 0.01


def test_a_broken_table_keeps_the_old_snapshot_and_is_counted_once(
    sources: tuple[Path, Path],
) -> None:
    registry = CollectorRegistry()
    metrics = RiskMetrics(registry)
    runtime = ScoringRuntime(*sources, FX, on_failure=metrics.reload_failures.inc)
    assert runtime.reload()
    before = runtime.snapshot
    # A later table that lacks a model feature: it is picked and cannot be served.
    broken = synthetic.feature_table().drop("overdue_share_6m")
    write_feature_table(broken.with_columns(as_of=pl.lit("2026-03-01")), sources[1] / "b.parquet")
    assert runtime.poll_once() is False
    assert runtime.poll_once() is False
    assert runtime.snapshot is before
    assert _value(registry, "risk_reload_failures_total") == 1.0


def test_the_table_with_the_latest_as_of_is_served_not_the_newest_file(tmp_path: Path) -> None:
    later = synthetic.feature_table().with_columns(as_of=pl.lit("2026-03-01"))
    write_feature_table(later, tmp_path / "march.parquet")
    earlier = synthetic.feature_table()  # as of 2026-01-01, written afterwards (a backfill)
    write_feature_table(earlier, tmp_path / "january.parquet")
    os.utime(tmp_path / "january.parquet", (2e9, 2e9))
    assert latest_table_path(tmp_path) == tmp_path / "march.parquet"


def test_a_table_dated_after_the_clock_is_not_served_and_the_age_never_goes_negative(
    sources: tuple[Path, Path],
) -> None:
    registry = CollectorRegistry()
    metrics = RiskMetrics(registry)
    runtime = ScoringRuntime(
        *sources,
        FX,
        on_swap=lambda s: _publish(metrics, s),
        on_failure=metrics.reload_failures.inc,
    )
    assert runtime.reload()
    before = runtime.snapshot
    # A table claiming an as-of a day ahead of the clock (a features job run "as of" a date
    # that has not come): it is the latest as-of, yet it cannot describe what is known now.
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    ahead = synthetic.feature_table().with_columns(as_of=pl.lit(tomorrow))
    write_feature_table(ahead, sources[1] / "ahead.parquet")
    assert runtime.poll_once() is False
    assert runtime.snapshot is before
    assert _value(registry, "risk_reload_failures_total") == 1.0
    age = _value(registry, "risk_feature_table_age_seconds")
    assert age is not None and age > 0
    with pytest.raises(FeatureTableError, match="after the current time"):
        read_feature_table(sources[1])
    # Once its time has come, the same file serves.
    later = datetime.now(UTC) + timedelta(days=2)
    assert read_feature_table(sources[1], now=later).as_of == tomorrow


@pytest.mark.parametrize("count", [3, 40, 500])
def test_a_batch_of_pds_counts_as_each_observed_alone(count: int) -> None:
    bounds = list(PD_BUCKETS)
    values = [
        *bounds,
        0.0,
        0.0005,
        0.07,
        0.3,
        0.999,
        1.0,
        *np.random.default_rng(count).random(count),
    ]
    alone, batched = CollectorRegistry(), CollectorRegistry()
    one = Histogram("pd", "pd", buckets=PD_BUCKETS, registry=alone)
    for value in values:
        one.observe(value)
    observe_all(Histogram("pd", "pd", buckets=PD_BUCKETS, registry=batched), values)
    for bound in [*bounds, float("inf")]:
        le = {"le": str(bound) if bound != float("inf") else "+Inf"}
        assert _value(batched, "pd_bucket", **le) == _value(alone, "pd_bucket", **le)
    assert _value(batched, "pd_count") == len(values)
    assert _value(batched, "pd_sum") == pytest.approx(_value(alone, "pd_sum"), rel=1e-12)
