"""The ``--dask SCHEDULER`` paths of ``tradeguard features`` and ``tradeguard train risk``.

The command modules import this lazily, so commands without ``--dask`` never load dask. An
unreachable scheduler ends the command with a one-line error, as argparse does for bad input.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from services.risk.training import TrainingOptions, TrainingResult
from services.scale.cluster import ClusterUnavailableError
from services.scale.features import features_on_scheduler
from services.scale.training import train_risk_on_scheduler


def cluster_features(
    scheduler: str, data_dir: Path, as_of: str | None, points_file: Path | None
) -> pl.DataFrame:
    """The feature table of ``tradeguard features`` computed on ``scheduler``."""
    request = as_of if points_file is None else pl.read_parquet(points_file)
    if request is None:
        raise SystemExit("error: give exactly one of --as-of and --points")
    try:
        return features_on_scheduler(scheduler, data_dir, request)
    except ClusterUnavailableError as exc:
        raise SystemExit(f"error: {exc}") from exc


def cluster_training(
    scheduler: str, data_dir: Path, models_dir: Path, options: TrainingOptions
) -> TrainingResult:
    """``tradeguard train risk --data DIR`` with features and the fit on ``scheduler``."""
    try:
        return train_risk_on_scheduler(scheduler, data_dir, models_dir, options)
    except ClusterUnavailableError as exc:
        raise SystemExit(f"error: {exc}") from exc
