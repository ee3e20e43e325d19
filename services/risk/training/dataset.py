"""Training rows from a trade-data folder: each financing with the exporter's features as of
its disbursement (point in time, so nothing after disbursement leaks into the row).

A training row is built exactly as a serving row would have been on its as-of date: the same
pipeline, the same coverage rule (a look-back reaching before the extract is missing, never a
truncated value). A feature that most training rows cannot see in full is left out of the
model; rows that cannot see the kept features in full are left out of the sample. Both are
reported. The latest serving population (every enterprise at the end of the extract) comes
along so the training run can measure train/serve parity.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from services.risk.features import CATEGORICAL, NUMERIC, FeatureSpec
from services.risk.policy import DecisionPolicy
from services.risk.training.trainer import LABEL, TENOR, TIME, TrainingData

if TYPE_CHECKING:
    from services.tradedata.loading import TradeDataset

FeaturesAt = Callable[["TradeDataset", pl.DataFrame], pl.DataFrame | pl.LazyFrame]
"""Features at (enterprise_id, as_of) points: ``compute_features_at`` or a cluster's."""

VOLUME_FEATURE = "volume_3m_usd"
VOLUME_WINDOW_DAYS = 91.0
"""The limit policy reads recent trade volume from this feature and its window."""
HISTORY = "history_days"
MIN_COVERED_SHARE = 0.3
MIN_COVERED_DEFAULTS = 30
"""The longest look-back kept is the longest that at least this share of labelled rows, and
this many defaults, see in full: longer windows would leave too small a sample."""


def registry_specs() -> tuple[FeatureSpec, ...]:
    """The trade-data feature registry as model inputs (descriptions, units, directions)."""
    from services.tradedata.features import FEATURE_NAMES, FEATURE_REGISTRY

    return tuple(
        FeatureSpec(
            name=name,
            description=FEATURE_REGISTRY[name].description,
            unit=FEATURE_REGISTRY[name].unit,
            kind=CATEGORICAL if FEATURE_REGISTRY[name].kind == "categorical" else NUMERIC,
            direction=FEATURE_REGISTRY[name].monotone,
        )
        for name in FEATURE_NAMES
    )


def seasonal_features(specs: tuple[FeatureSpec, ...]) -> dict[str, str]:
    """Features whose level follows the calendar's order seasons, left out of the model: it
    would score the whole book better in peak months. Year-on-year changes stand in for them."""
    from services.tradedata.features import FEATURE_REGISTRY

    return {
        s.name: "its level follows the order seasons; year-on-year changes are used instead"
        for s in specs
        if FEATURE_REGISTRY[s.name].seasonal
    }


def lookback_days(name: str) -> int:
    from services.tradedata.features import FEATURE_REGISTRY

    return FEATURE_REGISTRY[name].lookback_days


def observed_financings(financings: pl.DataFrame, data_end: datetime) -> pl.DataFrame:
    """Financings whose outcome is known by the end of the data, with their label and tenor."""
    from services.tradedata.outcomes import observed_default, recognised_by

    return financings.filter(recognised_by(data_end)).with_columns(
        ((pl.col("due_at") - pl.col(TIME)).dt.total_days()).alias(TENOR),
        observed_default().alias(LABEL),
    )


SIZE_BANDS = ((50, "small (<50 staff)"), (250, "medium (50-249 staff)"))
LARGE = "large (250+ staff)"


def _with_segments(ds: TradeDataset, frame: pl.DataFrame) -> pl.DataFrame:
    """Region and size band of each row's enterprise, for the out-of-time segment report."""
    staff = pl.col("employees")
    band = (
        pl.when(staff < SIZE_BANDS[0][0])
        .then(pl.lit(SIZE_BANDS[0][1]))
        .when(staff < SIZE_BANDS[1][0])
        .then(pl.lit(SIZE_BANDS[1][1]))
        .otherwise(pl.lit(LARGE))
    )
    profile = ds.enterprises.select("enterprise_id", "region", band.alias("size_band")).collect()
    return frame.join(profile, on="enterprise_id", how="left", maintain_order="left")


def _with_history(ds: TradeDataset, frame: pl.DataFrame, start: datetime | None) -> pl.DataFrame:
    from services.tradedata.features.coverage import REGISTERED_AT, history_days

    if start is None:
        return frame.with_columns(pl.lit(float("inf")).alias(HISTORY))
    registered = ds.enterprises.select(
        "enterprise_id", pl.col("registered_at").alias(REGISTERED_AT)
    )
    return (
        frame.join(registered.collect(), on="enterprise_id", how="left", maintain_order="left")
        .with_columns(history_days(start).alias(HISTORY))
        .drop(REGISTERED_AT)
    )


def _covered(ds: TradeDataset, features: pl.DataFrame, start: datetime | None) -> pl.DataFrame:
    from services.tradedata.features.coverage import cover_table

    return cover_table(ds, features, start)


def rows_and_serving(
    ds: TradeDataset, features_at: FeaturesAt | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Labelled rows and the serving population at the end of the extract."""
    from services.tradedata.features import compute_features_at, extract_start

    start = extract_start(ds)
    data_end = ds.orders.select(pl.col("ordered_at").max()).collect().item()
    financings = observed_financings(ds.financings.collect(), data_end)
    points = financings.select("enterprise_id", pl.col(TIME).alias("as_of"))
    serving_points = ds.enterprises.select("enterprise_id", pl.lit(data_end).alias("as_of"))
    compute = features_at or compute_features_at
    features = _covered(ds, compute(ds, points).lazy().collect(), start)
    serving = _covered(ds, compute(ds, serving_points.collect()).lazy().collect(), start)
    keyed = financings.with_columns(pl.col(TIME).cast(features.schema["as_of"]).alias("as_of"))
    rows = keyed.join(features, on=["enterprise_id", "as_of"], how="left", maintain_order="left")
    return _with_segments(ds, _with_history(ds, rows, start)), serving


def training_frame(data_dir: Path, features_at: FeaturesAt | None = None) -> pl.DataFrame:
    """The labelled rows of a trade-data folder (features, label, tenor, history days)."""
    from services.tradedata.loading import load_dataset

    return rows_and_serving(load_dataset(Path(data_dir)), features_at)[0]


def longest_lookback(frame: pl.DataFrame, lookbacks: list[int]) -> int:
    """The longest look-back that enough labelled rows (and defaults) see in full."""
    history, label = frame.get_column(HISTORY), frame.get_column(LABEL)
    for days in sorted(set(lookbacks), reverse=True):
        covered = history >= days
        enough_rows = int(covered.sum()) >= MIN_COVERED_SHARE * len(frame)
        if enough_rows and int((covered & label).sum()) >= MIN_COVERED_DEFAULTS:
            return days
    return 0


def select_by_lookback(
    frame: pl.DataFrame, specs: tuple[FeatureSpec, ...]
) -> tuple[pl.DataFrame, tuple[FeatureSpec, ...], dict[str, str]]:
    """Keep the features whose look-back enough rows see in full, then those rows."""
    limit = longest_lookback(frame, [lookback_days(s.name) for s in specs])
    kept = tuple(s for s in specs if lookback_days(s.name) <= limit)
    excluded = {
        s.name: f"look-back of {lookback_days(s.name)} days is longer than the history "
        f"enough training rows have ({limit} days)"
        for s in specs
        if lookback_days(s.name) > limit
    }
    return frame.filter(pl.col(HISTORY) >= limit), kept, excluded


def training_data_from_dir(
    data_dir: Path, features_at: FeaturesAt | None = None
) -> tuple[TrainingData, DecisionPolicy]:
    from services.tradedata.loading import load_dataset

    ds = load_dataset(Path(data_dir))
    rows, serving = rows_and_serving(ds, features_at)
    seasonal = seasonal_features(registry_specs())
    candidates = tuple(s for s in registry_specs() if s.name not in seasonal)
    frame, specs, excluded = select_by_lookback(rows, candidates)
    excluded.update(seasonal)
    policy = DecisionPolicy(volume_feature=VOLUME_FEATURE, volume_window_days=VOLUME_WINDOW_DAYS)
    sample = {"labelled_rows": rows.height, "rows_without_full_history": rows.height - frame.height}
    data = TrainingData(frame, specs, serving=serving, excluded=excluded, sample=sample)
    return data, policy
