"""Discrimination and calibration measures for a PD model on a labelled period."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve

BINS = 10


@dataclass(frozen=True, slots=True)
class Evaluation:
    auc: float
    ks: float
    brier: float
    ece: float
    count: int
    default_rate: float
    calibration_table: list[dict[str, float]]
    lift_by_decile: list[dict[str, float]]

    def to_json(self) -> dict[str, Any]:
        return {
            "auc": self.auc,
            "ks": self.ks,
            "brier": self.brier,
            "ece": self.ece,
            "count": self.count,
            "default_rate": self.default_rate,
            "calibration_table": self.calibration_table,
            "lift_by_decile": self.lift_by_decile,
        }


def ks_statistic(labels: np.ndarray, scores: np.ndarray) -> float:
    fpr, tpr, _ = roc_curve(labels, scores)
    return float(np.max(tpr - fpr))


def _quantile_groups(pd: np.ndarray, bins: int) -> list[np.ndarray]:
    """Equal-count groups by predicted PD, so low-PD portfolios are not lumped in one bin."""
    order = np.argsort(pd, kind="stable")
    return [group for group in np.array_split(order, bins) if len(group)]


def calibration_table(
    labels: np.ndarray, pd: np.ndarray, bins: int = BINS
) -> list[dict[str, float]]:
    rows = []
    for group in _quantile_groups(pd, bins):
        rows.append(
            {
                "count": float(len(group)),
                "mean_pd": float(pd[group].mean()),
                "observed_rate": float(labels[group].mean()),
                "min_pd": float(pd[group].min()),
                "max_pd": float(pd[group].max()),
            }
        )
    return rows


def expected_calibration_error(labels: np.ndarray, pd: np.ndarray, bins: int = BINS) -> float:
    """Count-weighted mean |observed rate - mean PD| over equal-count PD bins."""
    total = len(pd)
    error = 0.0
    for group in _quantile_groups(pd, bins):
        error += len(group) / total * abs(float(labels[group].mean()) - float(pd[group].mean()))
    return error


def lift_by_decile(labels: np.ndarray, scores: np.ndarray) -> list[dict[str, float]]:
    """Decile 1 holds the riskiest tenth; lift is its default rate over the overall rate."""
    overall = float(labels.mean()) or 1.0
    order = np.argsort(-scores, kind="stable")
    rows = []
    for decile, group in enumerate(np.array_split(order, BINS), start=1):
        if len(group) == 0:
            continue
        rate = float(labels[group].mean())
        rows.append(
            {
                "decile": float(decile),
                "count": float(len(group)),
                "default_rate": rate,
                "lift": rate / overall,
            }
        )
    return rows


def evaluate(labels: np.ndarray, pd: np.ndarray) -> Evaluation:
    y = np.asarray(labels, dtype=np.float64)
    p = np.asarray(pd, dtype=np.float64)
    return Evaluation(
        auc=float(roc_auc_score(y, p)),
        ks=ks_statistic(y, p),
        brier=float(brier_score_loss(y, p)),
        ece=expected_calibration_error(y, p),
        count=len(y),
        default_rate=float(y.mean()),
        calibration_table=calibration_table(y, p),
        lift_by_decile=lift_by_decile(y, p),
    )
