"""Evidence from data the model was not shaped by: a trained bundle scores the labelled
financings of another trade-data folder (say one generated with other settings than the
training data: another seed, other order and financing intensity, fewer buyers, more
look-alikes), each as of its disbursement and under the coverage rule training used, and its
discrimination (AUC with a bootstrap 95 % interval) and calibration (ECE, observed default rate
against the mean PD, per PD decile, Spiegelhalter's test) are measured there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from services.risk.features import encode
from services.risk.model import ModelBundle
from services.risk.training.challengers import weighted_aucs
from services.risk.training.dataset import HISTORY, lookback_days, rows_and_serving
from services.risk.training.evaluation import evaluate
from services.risk.training.gates import spiegelhalter_p
from services.risk.training.trainer import LABEL, TENOR

BOOTSTRAP_ROUNDS = 1000


def holdout_rows(bundle: ModelBundle, data_dir: Path) -> pl.DataFrame:
    """The folder's labelled financings that see the bundle's longest look-back in full."""
    from services.tradedata.loading import load_dataset

    rows, _ = rows_and_serving(load_dataset(Path(data_dir)))
    longest = max(lookback_days(spec.name) for spec in bundle.metadata.features)
    return rows.filter(pl.col(HISTORY) >= longest)


def holdout_evaluation(
    bundle: ModelBundle, data_dir: Path, seed: int = 0, rounds: int = BOOTSTRAP_ROUNDS
) -> dict[str, Any]:
    """AUC with its bootstrap 95 % interval, ECE and observed against predicted default rate
    of the bundle's PDs on the folder's labelled financings."""
    rows = holdout_rows(bundle, data_dir)
    metadata = bundle.metadata
    x = encode(rows, metadata.features, metadata.categories)
    raw = np.asarray(bundle.booster.predict(x, raw_score=True), dtype=np.float64)
    tenors = rows.get_column(TENOR).cast(pl.Float64).to_numpy()
    pd_ = metadata.calibration.apply_at(raw, tenors)
    labels = rows.get_column(LABEL).cast(pl.Int8).to_numpy().astype(np.float64)
    if np.unique(labels).size < 2:
        raise ValueError("the hold-out has a single outcome class; more data needed")
    rng = np.random.default_rng(seed)
    n = len(labels)
    weights = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(rounds)])
    draws = weighted_aucs(labels, pd_, weights.astype(np.float64))
    low, high = np.percentile(draws[np.isfinite(draws)], [2.5, 97.5])
    result = evaluate(labels, pd_)
    return {
        "rows": n,
        "defaults": int(labels.sum()),
        "auc": result.auc,
        "auc_ci95": (float(low), float(high)),
        "ece": result.ece,
        "observed_default_rate": result.default_rate,
        "mean_pd": float(pd_.mean()),
        "calibration_p_value": spiegelhalter_p(labels, pd_),
        "calibration_table": result.calibration_table,
    }
