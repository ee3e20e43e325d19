"""A model bundle trained once per session on synthetic financings with a known signal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from services.risk.policy import DecisionPolicy
from services.risk.training import synthetic
from services.risk.training.trainer import TrainingData, TrainingOptions, TrainingResult, train


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> TrainingResult:
    models = tmp_path_factory.mktemp("models")
    data = TrainingData(synthetic.financings(), synthetic.SPECS, serving=synthetic.feature_table())
    policy = DecisionPolicy(volume_feature=synthetic.VOLUME_FEATURE)
    options = TrainingOptions(num_threads=1, policy=policy, bootstrap_rounds=200)
    return train(data, models, options)


@pytest.fixture(scope="session")
def bundle_dir(trained: TrainingResult) -> Path:
    return trained.bundle_dir


@pytest.fixture(scope="session")
def make_feature_table() -> Callable[..., pl.DataFrame]:
    return synthetic.feature_table
