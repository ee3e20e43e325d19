"""Training of the buyer default model: LightGBM on buyer payment-behaviour features, validated
out of time.

Rows are (buyer, as-of date) at quarterly points: the buyer's features as of the date, and
whether it defaulted within ``horizon_days`` after it (ground truth from the generator's
``labels/buyer_defaults.parquet``, or any table of buyer_id, defaulted_at). A buyer that had
already defaulted by the date is not a row: it is in claims, not underwriting. The last points
(``validation_points``) are held out: the model is judged on later quarters than it learned
from, as it will be used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lightgbm as lgb
import numpy as np
import polars as pl
from sklearn.metrics import brier_score_loss, roc_auc_score

from services.finance.buyer_features import FEATURES, buyer_features
from services.finance.model import BuyerModelBundle
from services.tradedata.loading import TradeDataset

DEFAULT_HORIZON_DAYS = 180
PARAMS = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 7,
    "min_data_in_leaf": 150,
    "feature_fraction": 0.9,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "verbose": -1,
}


@dataclass(frozen=True)
class TrainingOptions:
    horizon_days: int = DEFAULT_HORIZON_DAYS
    validation_points: int = 1
    rounds: int = 200
    seed: int = 0
    num_threads: int = 1


def as_of_points(start: datetime, end: datetime, horizon_days: int) -> list[datetime]:
    """Quarter starts from six months after ``start`` (some history to measure) to the last
    one whose horizon has passed."""
    points = []
    month = (datetime(start.year, start.month, 1, tzinfo=UTC) + timedelta(days=183)).replace(day=1)
    while month + timedelta(days=horizon_days) <= end:
        points.append(month)
        month = (month + timedelta(days=92)).replace(day=1)
    return points


def labelled_rows(
    data: TradeDataset, defaults: pl.DataFrame, points: list[datetime], horizon_days: int
) -> pl.DataFrame:
    """Features and the ``defaulted`` label for every buyer at every point."""
    frames = []
    for as_of in points:
        features = buyer_features(data.orders, data.payments, data.waybills, data.buyers, as_of)
        ends = as_of + timedelta(days=horizon_days)
        frames.append(
            features.join(defaults, on="buyer_id", how="left")
            .filter(pl.col("defaulted_at").is_null() | (pl.col("defaulted_at") >= as_of))
            .with_columns(
                defaulted=pl.col("defaulted_at").is_not_null() & (pl.col("defaulted_at") < ends)
            )
            .drop("defaulted_at")
        )
    return pl.concat(frames)


def _matrix(rows: pl.DataFrame) -> np.ndarray:
    return rows.select(FEATURES).cast(pl.Float64).to_numpy()


def evaluate(booster: lgb.Booster, rows: pl.DataFrame) -> dict[str, float]:
    """AUC, Brier score and default rates of the model on ``rows``."""
    labels = rows["defaulted"].to_numpy()
    predicted = booster.predict(_matrix(rows))
    auc = roc_auc_score(labels, predicted) if 0 < labels.sum() < labels.shape[0] else float("nan")
    return {
        "rows": float(rows.height),
        "default_rate": float(labels.mean()),
        "mean_predicted": float(np.mean(predicted)),
        "auc": float(auc),
        "brier": float(brier_score_loss(labels, predicted)),
    }


def train_buyer_model(
    data: TradeDataset, defaults: pl.DataFrame, options: TrainingOptions
) -> tuple[BuyerModelBundle, dict[str, dict[str, float]]]:
    """Fit on the earlier points, report on the held-out later ones, then serve the fit."""
    span = data.orders.select(
        pl.col("ordered_at").min().alias("a"), pl.col("ordered_at").max().alias("b")
    ).collect()
    start, end = span["a"][0], span["b"][0]
    points = as_of_points(start, end, options.horizon_days)
    if len(points) <= options.validation_points:
        raise ValueError(
            f"{len(points)} as-of points between {start:%Y-%m} and {end:%Y-%m}: too few to hold "
            f"{options.validation_points} out; generate more months"
        )
    rows = labelled_rows(data, defaults, points, options.horizon_days)
    cutoff = points[-options.validation_points]
    train_rows = rows.filter(pl.col("as_of") < cutoff)
    held_out = rows.filter(pl.col("as_of") >= cutoff)
    params = {**PARAMS, "seed": options.seed, "num_threads": options.num_threads}
    dataset = lgb.Dataset(
        _matrix(train_rows), train_rows["defaulted"].to_numpy(), feature_name=list(FEATURES)
    )
    booster = lgb.train(params, dataset, num_boost_round=options.rounds)
    metrics = {"train": evaluate(booster, train_rows), "out_of_time": evaluate(booster, held_out)}
    serving_as_of = datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=1)
    table = buyer_features(data.orders, data.payments, data.waybills, data.buyers, serving_as_of)
    bundle = BuyerModelBundle(
        booster=booster,
        horizon_days=options.horizon_days,
        features=table,
        version=f"buyer-pd-{datetime.now(UTC):%Y%m%d%H%M%S}",
        metrics=metrics,
        trained_through=cutoff,
    )
    return bundle, metrics


def write_report(path: Path, bundle: BuyerModelBundle) -> None:
    """The validation report beside the model: what was measured on which rows."""
    report = {
        "version": bundle.version,
        "horizon_days": bundle.horizon_days,
        "trained_on_as_of_before": bundle.trained_through.isoformat(),
        "features": list(FEATURES),
        "metrics": bundle.metrics,
        "importance_gain": dict(
            zip(FEATURES, map(float, bundle.booster.feature_importance("gain")), strict=True)
        ),
    }
    path.write_text(json.dumps(report, indent=2) + "\n")
