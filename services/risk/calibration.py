"""PD calibration from the model's raw score (log-odds margin), as applied when scoring.

Stored as plain numbers in the bundle so scoring needs neither scikit-learn nor pickles; the
fitting lives in `services.risk.training.calibration`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit

ISOTONIC = "isotonic"
PLATT = "platt"

ANNUAL_PD_FLOOR = 0.0005
"""Basel III (CRE31.6) floor of 0.05 % a year on a corporate PD: a validation period without a
default in the best score bucket is no evidence of a zero PD."""


@dataclass(frozen=True, slots=True)
class Calibrator:
    """Raw margin -> PD over `horizon_days`. Isotonic: piecewise linear through (x, y);
    Platt: sigmoid(a * margin + b)."""

    method: str
    horizon_days: float
    x: tuple[float, ...] = ()
    y: tuple[float, ...] = ()
    a: float = 1.0
    b: float = 0.0

    def apply(self, raw: np.ndarray) -> np.ndarray:
        values = np.asarray(raw, dtype=np.float64)
        if self.method == ISOTONIC:
            pd = np.interp(values, np.asarray(self.x), np.asarray(self.y))
        else:
            pd = expit(self.a * values + self.b)
        return np.asarray(np.maximum(pd, self.pd_floor))

    @property
    def pd_floor(self) -> float:
        """The annual regulatory floor over this calibration's horizon (constant hazard)."""
        return float(1.0 - (1.0 - ANNUAL_PD_FLOOR) ** (self.horizon_days / 365.0))

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "horizon_days": self.horizon_days,
            "x": list(self.x),
            "y": list(self.y),
            "a": self.a,
            "b": self.b,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Calibrator:
        return cls(
            method=str(data["method"]),
            horizon_days=float(data["horizon_days"]),
            x=tuple(float(v) for v in data.get("x", ())),
            y=tuple(float(v) for v in data.get("y", ())),
            a=float(data.get("a", 1.0)),
            b=float(data.get("b", 0.0)),
        )
