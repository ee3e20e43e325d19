"""Training rows from a trade-data folder: each financing with the exporter's features as of
its disbursement (point in time, so nothing after disbursement leaks into the row)."""

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


def observed_financings(financings: pl.DataFrame, data_end: datetime) -> pl.DataFrame:
    """Financings whose outcome is known by the end of the data (due on or before it)."""
    return financings.filter(pl.col("due_at") <= data_end).with_columns(
        ((pl.col("due_at") - pl.col(TIME)).dt.total_days()).alias(TENOR),
        pl.col("defaulted").alias(LABEL),
    )


def training_frame(data_dir: Path, features_at: FeaturesAt | None = None) -> pl.DataFrame:
    from services.tradedata.features import compute_features_at
    from services.tradedata.loading import load_dataset

    ds = load_dataset(data_dir)
    data_end = ds.orders.select(pl.col("ordered_at").max()).collect().item()
    financings = observed_financings(ds.financings.collect(), data_end)
    points = financings.select("enterprise_id", pl.col(TIME).alias("as_of"))
    features = (features_at or compute_features_at)(ds, points).lazy().collect()
    keyed = financings.with_columns(pl.col(TIME).cast(features.schema["as_of"]).alias("as_of"))
    return keyed.join(features, on=["enterprise_id", "as_of"], how="left")


def training_data_from_dir(
    data_dir: Path, features_at: FeaturesAt | None = None
) -> tuple[TrainingData, DecisionPolicy]:
    specs = registry_specs()
    policy = DecisionPolicy(volume_feature=VOLUME_FEATURE, volume_window_days=VOLUME_WINDOW_DAYS)
    return TrainingData(training_frame(Path(data_dir), features_at), specs), policy
