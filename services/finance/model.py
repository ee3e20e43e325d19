"""The buyer default model bundle, and the model the service scores buyers with.

A bundle folder holds ``buyer_pd.txt`` (the LightGBM booster), ``buyer_pd.json`` (version,
horizon, features, metrics) and ``buyer_features.parquet`` (each buyer's features as of the
data's end, the rows the service scores). Scoring runs the booster on the buyer's row at each
request; the PD over the horizon is turned into an annual one at a constant hazard.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import polars as pl

from services.finance.buyer_features import FEATURES

BOOSTER_FILE = "buyer_pd.txt"
META_FILE = "buyer_pd.json"
FEATURES_FILE = "buyer_features.parquet"


@dataclass(frozen=True)
class BuyerModelBundle:
    booster: lgb.Booster
    horizon_days: int
    features: pl.DataFrame
    version: str
    metrics: dict[str, dict[str, float]]
    trained_through: datetime

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.booster.save_model(str(folder / BOOSTER_FILE))
        self.features.write_parquet(folder / FEATURES_FILE)
        meta = {
            "version": self.version,
            "horizon_days": self.horizon_days,
            "features": list(FEATURES),
            "metrics": self.metrics,
            "trained_through": self.trained_through.isoformat(),
        }
        (folder / META_FILE).write_text(json.dumps(meta, indent=2) + "\n")

    @classmethod
    def load(cls, folder: Path) -> BuyerModelBundle:
        meta: dict[str, Any] = json.loads((folder / META_FILE).read_text())
        if tuple(meta["features"]) != FEATURES:
            raise ValueError(f"{folder}: the model's features are not this version's")
        return cls(
            booster=lgb.Booster(model_file=str(folder / BOOSTER_FILE)),
            horizon_days=int(meta["horizon_days"]),
            features=pl.read_parquet(folder / FEATURES_FILE),
            version=str(meta["version"]),
            metrics=meta["metrics"],
            trained_through=datetime.fromisoformat(meta["trained_through"]),
        )


class BuyerModel:
    """Annual PD of buyers with a payment record in the bundle's feature table."""

    def __init__(self, bundle: BuyerModelBundle) -> None:
        self._booster = bundle.booster
        self._horizon = bundle.horizon_days
        self._rows = bundle.features.select(FEATURES).cast(pl.Float64).to_numpy()
        ids = bundle.features["buyer_id"].to_list()
        self._index = {buyer: row for row, buyer in enumerate(ids)}
        self._version = bundle.version

    @property
    def version(self) -> str:
        return self._version

    def annual_pd(self, buyer_id: str) -> float | None:
        row = self._index.get(buyer_id)
        if row is None:
            return None
        horizon_pd = float(self._booster.predict(self._rows[row : row + 1])[0])
        return annual_from_horizon(horizon_pd, self._horizon)


def annual_from_horizon(probability: float, horizon_days: int) -> float:
    """Annual PD equivalent to ``probability`` over ``horizon_days``, at a constant hazard."""
    clipped = min(max(probability, 0.0), 1.0 - 1e-9)
    return float(-np.expm1(np.log1p(-clipped) * 365.0 / horizon_days))
