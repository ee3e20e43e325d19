"""Training the risk model with ``lightgbm.dask`` on a Dask cluster.

Everything but the booster fit is the local trainer's (``services.risk.training.trainer``):
the rows come from ``services.risk.training.dataset`` with the features computed on the cluster,
and the split, calibration, evaluation and bundle are the same code. The fit spreads the training
rows over the workers and runs LightGBM's data-parallel learner there.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import lightgbm as lgb
import numpy as np
import polars as pl

from services.risk.features import FeatureSpec, categorical_indices
from services.risk.training.dataset import training_data_from_dir
from services.risk.training.trainer import (
    FitBooster,
    Split,
    TrainingOptions,
    TrainingResult,
    lgb_params,
    train,
    with_policy,
)
from services.scale.cluster import dask_client, worker_addresses
from services.scale.features import dask_features_at
from services.scale.stopping import WholeValidationStopping
from services.tradedata.loading import TradeDataset

if TYPE_CHECKING:
    import dask.array as da
    from distributed import Client


def spread_rows(client: Client, x: np.ndarray, y: np.ndarray) -> tuple[da.Array, da.Array]:
    """Row ``i`` on worker ``i mod n``: every worker sees the whole time range (the rows
    arrive sorted by disbursement), so its share looks like the whole."""
    import dask.array as da

    workers = worker_addresses(client)
    xs, ys = [], []
    for k, worker in enumerate(workers):
        rows = slice(k, None, len(workers))
        part_x, part_y = client.scatter([x[rows], y[rows]], workers=[worker], hash=False)
        xs.append(da.from_delayed(part_x, shape=x[rows].shape, dtype=x.dtype))
        ys.append(da.from_delayed(part_y, shape=y[rows].shape, dtype=y.dtype))
    return da.concatenate(xs), da.concatenate(ys)


def dask_params(specs: Sequence[FeatureSpec], options: TrainingOptions) -> dict[str, Any]:
    """The local parameters; threads per worker come from the cluster."""
    params = lgb_params(specs, options)
    params.pop("num_threads")
    return params


def fit_on_cluster(
    client: Client,
    train: Split,
    valid: Split,
    specs: Sequence[FeatureSpec],
    options: TrainingOptions,
) -> lgb.Booster:
    """``services.risk.training.trainer.fit_booster`` with ``DaskLGBMClassifier`` on ``client``."""
    from lightgbm.dask import DaskLGBMClassifier

    model = DaskLGBMClassifier(
        client=client, n_estimators=options.max_rounds, **dask_params(specs, options)
    )
    x, y = spread_rows(client, train.x, train.y)
    stopping = WholeValidationStopping(valid.x, valid.y, options.early_stopping_rounds)
    with warnings.catch_warnings():
        # The estimator's own n_jobs default; the cluster sets threads per worker anyway.
        warnings.filterwarnings("ignore", message="Parameter n_jobs will be ignored")
        model.fit(
            x,
            y,
            feature_name=[spec.name for spec in specs],
            categorical_feature=categorical_indices(specs),
            callbacks=[stopping],
        )
    booster: lgb.Booster = model.booster_
    booster.best_iteration = model.best_iteration_
    return booster


def cluster_fitter(client: Client) -> FitBooster:
    return partial(fit_on_cluster, client)


def train_risk_on_cluster(
    client: Client, data_dir: Path, models_dir: Path, options: TrainingOptions
) -> TrainingResult:
    """``tradeguard train risk --data DIR`` with features and the fit on the cluster; the
    workers read ``data_dir`` themselves, so it must be on storage they share."""

    def features_at(_validated: TradeDataset, points: pl.DataFrame) -> pl.DataFrame:
        return dask_features_at(client, data_dir, points)

    data, policy = training_data_from_dir(data_dir, features_at=features_at)
    return train(data, models_dir, with_policy(options, policy), fit=cluster_fitter(client))


def train_risk_on_scheduler(
    scheduler: str, data_dir: Path, models_dir: Path, options: TrainingOptions
) -> TrainingResult:
    """``train_risk_on_cluster`` on ``scheduler`` (an address, or ``local``)."""
    with dask_client(scheduler) as client:
        return train_risk_on_cluster(client, data_dir, models_dir, options)
