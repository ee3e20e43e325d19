"""The risk model trained with lightgbm.dask on two worker processes matches the local one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from distributed import Client
from polars.testing import assert_frame_equal

from services.risk import model as model_io
from services.risk.features import encode
from services.risk.training.dataset import training_data_from_dir, training_frame
from services.risk.training.trainer import (
    TrainingData,
    TrainingOptions,
    TrainingResult,
    split_out_of_time,
    train,
    with_policy,
)
from services.scale.features import dask_features_at
from services.scale.training import train_risk_on_cluster
from services.tradedata.generator import GeneratorConfig, generate
from services.tradedata.loading import TradeDataset

Trained = tuple[TrainingData, TrainingOptions, TrainingResult, TrainingResult]


@pytest.fixture(scope="module")
def training_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Enough financings (about 1,700) that the test period's AUC is not a handful of rows.
    out = tmp_path_factory.mktemp("scale-training")
    generate(GeneratorConfig(enterprises=800, months=15, seed=5), out)
    return out


@pytest.fixture(scope="module")
def trained(
    client: Client, training_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Trained:
    models = tmp_path_factory.mktemp("scale-models")
    data, policy = training_data_from_dir(training_dir)
    options = with_policy(TrainingOptions(num_threads=1), policy)
    local = train(data, models / "local", options)
    cluster = train_risk_on_cluster(client, training_dir, models / "cluster", TrainingOptions())
    return data, options, local, cluster


def test_the_cluster_builds_the_local_training_rows(
    client: Client, training_dir: Path, trained: Trained
) -> None:
    data = trained[0]

    def on_cluster(_ds: TradeDataset, points: pl.DataFrame) -> pl.DataFrame:
        return dask_features_at(client, training_dir, points)

    rows = training_frame(training_dir, features_at=on_cluster)
    local = training_frame(training_dir)
    assert_frame_equal(rows, local, check_exact=False, rel_tol=1e-9, abs_tol=1e-9)
    assert data.frame.height <= local.height


def test_both_bundles_share_periods_categories_and_policy(trained: Trained) -> None:
    _, _, local, cluster = trained
    ours = model_io.load(cluster.bundle_dir).metadata
    theirs = model_io.load(local.bundle_dir).metadata
    assert ours.metrics["periods"] == theirs.metrics["periods"]
    assert ours.categories == theirs.categories
    assert ours.policy == theirs.policy


def test_test_auc_is_within_two_points_of_the_local_model(trained: Trained) -> None:
    _, _, local, cluster = trained
    assert cluster.test.auc > 0.7
    assert abs(cluster.test.auc - local.test.auc) <= 0.02


def test_predictions_are_strongly_correlated(trained: Trained) -> None:
    data, options, local, cluster = trained
    test_rows = split_out_of_time(data, options)[2]
    scores = []
    for result in (local, cluster):
        bundle = model_io.load(result.bundle_dir)
        x = encode(test_rows, bundle.metadata.features, bundle.metadata.categories)
        scores.append(bundle.booster.predict(x, raw_score=True))
    assert np.corrcoef(scores[0], scores[1])[0, 1] > 0.9


def test_early_stopping_kept_the_best_round(trained: Trained) -> None:
    _, options, _, cluster = trained
    booster = model_io.load(cluster.bundle_dir).booster
    assert 0 < cluster.best_iteration < options.max_rounds
    assert booster.num_trees() >= cluster.best_iteration
