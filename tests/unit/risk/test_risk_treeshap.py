"""The compiled explainer against LightGBM's own pred_contrib, on models built to hit every
decision rule: NaN and zero as missing, categorical splits, unseen and negative codes."""

from __future__ import annotations

from pathlib import Path

import lightgbm as lgb
import numpy as np
import pytest

from services.risk import model as model_io
from services.risk.treeshap import (
    BATCH_KERNEL_ROWS,
    STATE_NODES,
    VALUES_BUDGET_BYTES,
    TreeExplainer,
)


def _data(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 6))
    x[:, 4] = rng.integers(0, 7, rows)  # categorical codes
    x[rng.random(rows) < 0.15, 0] = np.nan
    x[rng.random(rows) < 0.30, 1] = 0.0
    logit = x[:, 1] - np.nan_to_num(x[:, 0]) + (x[:, 4] % 3 == 0) + 0.5 * x[:, 2] * x[:, 3]
    y = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    return x, y


def _probe_rows(x: np.ndarray) -> np.ndarray:
    odd = x[:40].copy()
    odd[0, :] = np.nan
    odd[1, 4] = 99  # unseen category
    odd[2, 4] = -3  # negative code
    odd[6, 4] = -0.5  # truncates to category 0, as LightGBM's int cast does
    odd[7, 4] = 2.9
    odd[3, 1] = 0.0
    odd[4, :] = 0.0
    odd[5, 1] = 1e-40  # inside LightGBM's zero band
    return odd


@pytest.mark.parametrize(
    ("budget", "state_nodes"),
    [(None, STATE_NODES), (0, STATE_NODES), (None, 0), (0, 6)],
    ids=["vectors", "pattern-tables", "no-state-tables", "state-tables-of-tables"],
)
@pytest.mark.parametrize(
    "params",
    [
        {"num_leaves": 4},
        {"num_leaves": 5, "zero_as_missing": True},
        {"num_leaves": 15},
        {"num_leaves": 31, "zero_as_missing": True},
        {"num_leaves": 63, "max_depth": 12, "use_missing": False},
        {"num_leaves": 7, "max_cat_to_onehot": 8},
    ],
)
def test_contributions_equal_lightgbm_pred_contrib(
    params: dict[str, object], budget: int | None, state_nodes: int
) -> None:
    x, y = _data(3000, seed=1)
    dataset = lgb.Dataset(x, y, categorical_feature=[4], params={"verbose": -1})
    booster = lgb.train(
        {"objective": "binary", "verbose": -1, "min_data_in_leaf": 5, **params},
        dataset,
        num_boost_round=40,
    )
    rows = np.vstack([_probe_rows(x), _data(300, seed=2)[0]])
    expected = booster.predict(rows, pred_contrib=True)
    explainer = TreeExplainer.from_booster(
        booster,
        values_budget_bytes=VALUES_BUDGET_BYTES if budget is None else budget,
        state_nodes=state_nodes,
    )
    np.testing.assert_allclose(explainer.contributions(rows), expected, rtol=0, atol=1e-9)
    # The few-rows kernel, without and with each leaf's commonest patterns kept together.
    for ready in (explainer, explainer.with_patterns_of(rows[::3])):
        for row in range(12):
            np.testing.assert_allclose(
                ready.contributions(rows[row]), expected[row : row + 1], rtol=0, atol=1e-9
            )


def test_rows_sum_to_the_raw_score_of_a_trained_bundle(bundle_dir: Path) -> None:
    bundle = model_io.load(bundle_dir)
    rows = np.random.default_rng(3).normal(size=(50, bundle.booster.num_feature()))
    contrib = TreeExplainer.from_booster(bundle.booster).contributions(rows)
    raw = bundle.booster.predict(rows, raw_score=True)
    np.testing.assert_allclose(contrib.sum(axis=1), raw, rtol=0, atol=1e-9)


def test_one_row_alone_equals_the_same_row_in_a_batch() -> None:
    x, y = _data(1000, seed=4)
    booster = lgb.train({"objective": "binary", "verbose": -1}, lgb.Dataset(x, y), 20)
    explainer = TreeExplainer.from_booster(booster)
    batch = explainer.contributions(x[:40])  # the batch kernel
    assert BATCH_KERNEL_ROWS > 1
    for row in (0, 7, 39):
        np.testing.assert_allclose(
            explainer.contributions(x[row]), batch[row : row + 1], atol=1e-12
        )
