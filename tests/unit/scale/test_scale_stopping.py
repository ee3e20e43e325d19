"""The whole-validation early stopping agrees with LightGBM's own on one machine."""

from __future__ import annotations

from typing import Any

import lightgbm as lgb
import numpy as np
import pytest

from services.scale.stopping import WholeValidationStopping, binary_logloss

PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.2,
    "num_leaves": 7,
    "min_data_in_leaf": 5,
    "num_threads": 1,
    "seed": 3,
    "deterministic": True,
    "verbosity": -1,
}


def _data(seed: int, rows: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 5))
    logit = 1.5 * x[:, 0] - x[:, 1] + rng.normal(scale=1.5, size=rows)
    return x, (logit > 0).astype(np.float64)


@pytest.fixture(scope="module")
def sets() -> tuple[lgb.Dataset, np.ndarray, np.ndarray]:
    x, y = _data(0, 600)
    vx, vy = _data(1, 300)
    return lgb.Dataset(x, y, free_raw_data=False), vx, vy


def test_log_loss_matches_lightgbm_metric(sets: tuple[lgb.Dataset, np.ndarray, np.ndarray]) -> None:
    train, vx, vy = sets
    history: dict[str, Any] = {}
    booster = lgb.train(
        PARAMS,
        train,
        num_boost_round=20,
        valid_sets=[lgb.Dataset(vx, vy, reference=train)],
        callbacks=[lgb.record_evaluation(history)],
    )
    ours = [
        binary_logloss(vy, booster.predict(vx, raw_score=True, num_iteration=k + 1))
        for k in range(20)
    ]
    assert ours == pytest.approx(history["valid_0"]["binary_logloss"], rel=1e-9)


@pytest.mark.parametrize("rounds", [3, 10])
def test_stops_where_lightgbm_early_stopping_stops(
    sets: tuple[lgb.Dataset, np.ndarray, np.ndarray], rounds: int
) -> None:
    train, vx, vy = sets
    reference = lgb.train(
        PARAMS,
        train,
        num_boost_round=500,
        valid_sets=[lgb.Dataset(vx, vy, reference=train)],
        callbacks=[lgb.early_stopping(rounds, verbose=False)],
    )
    ours = lgb.train(
        PARAMS, train, num_boost_round=500, callbacks=[WholeValidationStopping(vx, vy, rounds)]
    )
    assert reference.best_iteration < 500, "the data should make early stopping happen"
    assert ours.best_iteration == reference.best_iteration
    assert ours.num_trees() == reference.num_trees()
    assert ours.best_score["valid_0"]["binary_logloss"] == pytest.approx(
        reference.best_score["valid_0"]["binary_logloss"], rel=1e-9
    )


def test_the_last_round_reports_the_best_so_far(
    sets: tuple[lgb.Dataset, np.ndarray, np.ndarray],
) -> None:
    train, vx, vy = sets
    booster = lgb.train(
        PARAMS, train, num_boost_round=4, callbacks=[WholeValidationStopping(vx, vy, 100)]
    )
    assert booster.num_trees() == 4
    assert 1 <= booster.best_iteration <= 4
