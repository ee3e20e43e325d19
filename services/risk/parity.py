"""Train/serve parity: how far the latest serving population sits from the training sample.

For every model feature, the PSI of the serving population against the training sample's
quantile bins (the same bins live monitoring uses), the share missing on each side, and for
the model as a whole the mean raw score (log-odds) on each side. A feature over
``PSI_LIMIT`` fails the run's parity gate: the model would be scoring a population it was not
trained on. The mean raw-score gap is reported against ``RAW_SCORE_LIMIT`` with its standard
error but does not gate: once every feature is at parity, a gap is the served population
really being riskier or safer (a few hundred enterprises also move their mean by several
hundredths of a logit by chance), not a defect of the features.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from services.risk.features import FeatureSpec
from services.risk.psi import psi, reference_bins

PSI_LIMIT = 0.25
"""The industry's usual line for a significant population shift."""
RAW_SCORE_LIMIT = 0.1
"""Largest acceptable gap (logits) between the mean raw score served and trained on."""


@dataclass(frozen=True, slots=True)
class FeatureParity:
    feature: str
    psi: float
    training_missing: float
    serving_missing: float

    def to_json(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "psi": self.psi,
            "training_missing": self.training_missing,
            "serving_missing": self.serving_missing,
        }


def feature_parity(
    specs: Sequence[FeatureSpec],
    training: np.ndarray,
    serving: np.ndarray,
    vocab: Mapping[str, Sequence[str]],
) -> list[FeatureParity]:
    """PSI of each encoded serving column against the training column's bins."""
    rows = []
    for j, spec in enumerate(specs):
        ref = reference_bins(spec, training[:, j], len(vocab.get(spec.name, ())))
        counts = np.bincount(ref.bin_index(serving[:, j]), minlength=ref.size)
        rows.append(
            FeatureParity(
                spec.name,
                psi(np.asarray(ref.proportions), counts.astype(np.float64)),
                float(np.isnan(training[:, j]).mean()) if len(training) else 0.0,
                float(np.isnan(serving[:, j]).mean()) if len(serving) else 0.0,
            )
        )
    return rows


def unstable_features(
    specs: Sequence[FeatureSpec],
    training: np.ndarray,
    serving: np.ndarray,
    vocab: Mapping[str, Sequence[str]],
) -> dict[str, str]:
    """Features whose serving population has moved past ``PSI_LIMIT`` from training: left
    out of the model before fitting (a characteristic-stability screen), with the reason."""
    return {
        row.feature: f"PSI {row.psi:.2f} between the training sample and the latest serving "
        f"population exceeds {PSI_LIMIT}"
        for row in feature_parity(specs, training, serving, vocab)
        if row.psi > PSI_LIMIT
    }


def parity_summary(
    rows: Sequence[FeatureParity], training_raw: np.ndarray, serving_raw: np.ndarray
) -> dict[str, Any]:
    """The parity table and its verdict, as stored in the bundle's metrics."""
    gap = float(np.mean(serving_raw) - np.mean(training_raw)) if len(serving_raw) else 0.0
    error = float(np.std(serving_raw) / np.sqrt(len(serving_raw))) if len(serving_raw) else 0.0
    worst = max((r.psi for r in rows), default=0.0)
    return {
        "features": [r.to_json() for r in sorted(rows, key=lambda r: -r.psi)],
        "max_psi": worst,
        "psi_limit": PSI_LIMIT,
        "training_mean_raw_score": float(np.mean(training_raw)) if len(training_raw) else 0.0,
        "serving_mean_raw_score": float(np.mean(serving_raw)) if len(serving_raw) else 0.0,
        "mean_raw_score_gap": gap,
        "mean_raw_score_gap_standard_error": error,
        "raw_score_limit": RAW_SCORE_LIMIT,
        "raw_score_within_limit": abs(gap) <= RAW_SCORE_LIMIT,
        "serving_rows": len(serving_raw),
        "passed": worst <= PSI_LIMIT,
    }
