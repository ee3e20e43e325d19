"""The AML model bundle: one LightGBM classifier per trade typology over the rule outputs and
features, with the market reference and the rule set it was trained with.

Layout of a bundle directory::

    bundle.json         version, trained_at, feature names, typologies, metrics
    model_<TYPOLOGY>.txt LightGBM text model per typology
    market.json         the fitted MarketReference
    ruleset.json        the RuleSet the features were computed with
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np

from services.aml.rules.pricing import MarketReference
from services.aml.ruleset import RuleSet

BUNDLE_FILE = "bundle.json"


@dataclass(slots=True)
class AmlModel:
    """Per-typology boosters plus everything needed to compute their inputs the same way."""

    version: str
    trained_at: str
    feature_names: tuple[str, ...]
    boosters: dict[str, lgb.Booster]
    market: MarketReference
    ruleset: RuleSet
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def typologies(self) -> tuple[str, ...]:
        return tuple(self.boosters)

    def matrix(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        """Rows of named features as a float matrix in the model's column order."""
        return np.array([[r[f] for f in self.feature_names] for r in rows], dtype=np.float64)

    def predict(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Probability of each typology for each row; one thread, the caller parallelises."""
        if len(x) == 0:
            return {t: np.zeros(0) for t in self.boosters}
        return {
            t: np.asarray(b.predict(x, num_threads=1), dtype=np.float64)
            for t, b in self.boosters.items()
        }

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for typology, booster in self.boosters.items():
            booster.save_model(str(directory / f"model_{typology}.txt"))
        self.market.save(directory / "market.json")
        self.ruleset.save(directory / "ruleset.json")
        meta = {
            "version": self.version,
            "trained_at": self.trained_at,
            "feature_names": list(self.feature_names),
            "typologies": list(self.boosters),
            "metrics": self.metrics,
        }
        (directory / BUNDLE_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True))

    @classmethod
    def load(cls, directory: Path) -> AmlModel:
        meta = json.loads((directory / BUNDLE_FILE).read_text())
        boosters = {
            t: lgb.Booster(model_file=str(directory / f"model_{t}.txt")) for t in meta["typologies"]
        }
        return cls(
            meta["version"],
            meta["trained_at"],
            tuple(meta["feature_names"]),
            boosters,
            MarketReference.load(directory / "market.json"),
            RuleSet.load(directory / "ruleset.json"),
            meta.get("metrics", {}),
        )
