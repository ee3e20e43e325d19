"""Challenger models and the evidence that compares them with the champion.

Two challengers, both fitted on the champion's development period and recalibrated with the
champion's recipe (out-of-fold development scores plus the calibration period), then scored on
the same test period:

- a logistic regression on the same features (``baseline``);
- a binned-logistic scorecard: optbinning's optimal monotone binning of every feature into
  weight-of-evidence bins, then a logistic regression on the WoE values, the model a credit
  bureau would build.

AUCs carry paired bootstrap 95 % intervals (the same resampled test rows for every model), and
so does each champion-minus-challenger difference: an interval that straddles zero means the
champion is not shown to beat that challenger, and the report says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from optbinning import OptimalBinning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from services.risk.features import FeatureSpec
from services.risk.training.baseline import (
    Labelled,
    cross_fitted_test_pd,
    fit_logistic_baseline,
)

BOOTSTRAP_ROUNDS = 1000
LOGISTIC = "logistic regression"
SCORECARD = "binned-logistic scorecard"
MIN_BIN_SIZE = 0.05
"""Least share of the development rows in any scorecard bin."""


def _scorecard(
    x: np.ndarray, y: np.ndarray, specs: Sequence[FeatureSpec]
) -> Callable[[np.ndarray], np.ndarray]:
    """Optimal WoE binning + logistic regression fitted on (x, y); returns its margin.

    Each feature is binned on its own with optbinning's ``OptimalBinning`` (what its
    ``BinningProcess`` runs per variable, with the same settings), without the process's
    variable-selection statistics, which the scorecard does not use and which cost as much as a
    third of the fit."""
    binnings = [
        OptimalBinning(
            name=s.name,
            dtype="categorical" if s.is_categorical else "numerical",
            min_bin_size=MIN_BIN_SIZE,
        ).fit(x[:, j], y)
        for j, s in enumerate(specs)
    ]

    def woe(rows: np.ndarray) -> np.ndarray:
        columns = [b.transform(rows[:, j], metric="woe") for j, b in enumerate(binnings)]
        return np.column_stack(columns).astype(np.float64)

    model = LogisticRegression(C=1.0, max_iter=2000).fit(woe(x), y)

    def margin(rows: np.ndarray) -> np.ndarray:
        return np.asarray(model.decision_function(woe(rows)), dtype=np.float64)

    return margin


def scorecard_test_pd(
    development: Labelled,
    calibration_period: Labelled,
    test: Labelled,
    specs: Sequence[FeatureSpec],
    tenors: Sequence[np.ndarray | None],
) -> np.ndarray:
    """Optimal WoE binning + logistic regression, recalibrated like the champion."""
    return cross_fitted_test_pd(
        lambda x, y, held_out: _scorecard(x, y, specs)(held_out),
        _scorecard(development.x, development.y, specs),
        (development, calibration_period, test),
        tenors,
    )


def challenger_test_pds(
    development: Labelled,
    calibration_period: Labelled,
    test: Labelled,
    specs: Sequence[FeatureSpec],
    tenors: Sequence[np.ndarray | None],
) -> dict[str, np.ndarray]:
    return {
        LOGISTIC: fit_logistic_baseline(development, calibration_period, test, specs, tenors),
        SCORECARD: scorecard_test_pd(development, calibration_period, test, specs, tenors),
    }


def _auc(y: np.ndarray, p: np.ndarray) -> float:
    return float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else float("nan")


def _interval(values: np.ndarray) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if not len(finite):
        return float("nan"), float("nan")
    low, high = np.percentile(finite, [2.5, 97.5])
    return float(low), float(high)


def weighted_aucs(labels: np.ndarray, scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """AUC (Mann-Whitney, ties counted half) under each row of ``weights`` (draws x rows).

    A bootstrap resample is a vector of counts per row, so all resamples are scored in one
    pass over the rows sorted by score instead of one ROC computation per resample."""
    order = np.argsort(scores, kind="stable")
    sorted_scores = scores[order]
    starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
    w = weights[:, order]
    bad = labels[order] == 1
    pos = np.add.reduceat(np.where(bad, w, 0.0), starts, axis=1)
    neg = np.add.reduceat(np.where(bad, 0.0, w), starts, axis=1)
    below = np.cumsum(neg, axis=1) - neg
    pairs = pos.sum(axis=1) * neg.sum(axis=1)
    wins = (pos * (below + 0.5 * neg)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(pairs > 0, wins / pairs, np.nan)


def bootstrap_comparison(
    labels: np.ndarray,
    champion: np.ndarray,
    challengers: Mapping[str, np.ndarray],
    seed: int,
    rounds: int = BOOTSTRAP_ROUNDS,
) -> dict[str, Any]:
    """AUC of every model and champion-minus-challenger differences with paired 95 % CIs."""
    rng = np.random.default_rng(seed)
    n = len(labels)
    weights = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(rounds)])
    models = {"champion": champion, **challengers}
    draws = {
        name: weighted_aucs(labels, pd_, weights.astype(np.float64)) for name, pd_ in models.items()
    }
    point = {name: _auc(labels, pd_) for name, pd_ in models.items()}
    aucs = {name: {"auc": point[name], "ci95": _interval(draws[name])} for name in models}
    differences = {}
    for name in challengers:
        low, high = _interval(draws["champion"] - draws[name])
        differences[name] = {
            "difference": point["champion"] - point[name],
            "ci95": (low, high),
            "verdict": _verdict(low, high),
        }
    return {"auc": aucs, "champion_minus": differences, "rounds": rounds}


def _verdict(low: float, high: float) -> str:
    if low > 0:
        return "champion beats it"
    if high < 0:
        return "champion is worse"
    return "champion not shown to beat it"


def segment_performance(
    segments: Mapping[str, np.ndarray], labels: np.ndarray, pd_: np.ndarray
) -> dict[str, list[dict[str, Any]]]:
    """Out-of-time AUC, default rate and mean PD per value of each segmenting column."""
    report: dict[str, list[dict[str, Any]]] = {}
    for column, values in segments.items():
        rows = []
        for value in sorted({str(v) for v in values}):
            mask = np.asarray([str(v) == value for v in values])
            y, p = labels[mask], pd_[mask]
            rows.append(
                {
                    "segment": value,
                    "count": int(mask.sum()),
                    "defaults": int(y.sum()),
                    "default_rate": float(y.mean()),
                    "mean_pd": float(p.mean()),
                    "auc": _auc(y, p) if min(y.sum(), len(y) - y.sum()) >= 5 else None,
                }
            )
        report[column] = rows
    return report


def roc_points(
    labels: np.ndarray, pds: Mapping[str, np.ndarray], points: int = 200
) -> dict[str, Any]:
    """Each model's ROC curve, thinned to at most ``points`` points, for the model document."""
    from sklearn.metrics import roc_curve

    curves = {}
    for name, pd_ in pds.items():
        fpr, tpr, _ = roc_curve(labels, pd_)
        keep = np.unique(np.linspace(0, len(fpr) - 1, min(points, len(fpr))).astype(int))
        curves[name] = {"fpr": fpr[keep].tolist(), "tpr": tpr[keep].tolist()}
    return curves


def score_histogram(labels: np.ndarray, pd_: np.ndarray, bins: int = 30) -> dict[str, Any]:
    """Counts of defaulted and repaid test financings over log-spaced PD bins."""
    edges = np.geomspace(max(float(pd_.min()), 1e-5), max(float(pd_.max()), 2e-5), bins + 1)
    bad, _ = np.histogram(pd_[labels == 1], edges)
    good, _ = np.histogram(pd_[labels == 0], edges)
    return {"edges": edges.tolist(), "defaulted": bad.tolist(), "repaid": good.tolist()}
