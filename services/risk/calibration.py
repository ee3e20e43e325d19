"""PD calibration from the model's raw score (log-odds margin), as applied when scoring.

Platt scaling (the default) is a smooth map, so calibrated PDs do not plateau the way isotonic
steps do on a small slice. Where the labelled financings carry different tenors it also holds
the PD term structure estimated from the data: a coefficient on ln(tenor / horizon). The
tenors the calibration data held bound the validated range; scoring refuses a tenor outside it
rather than extrapolating.

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
    tenor_coef: float = 0.0
    """Coefficient on ln(tenor / horizon_days); 0 when the data held a single tenor."""
    tenor_range: tuple[float, float] = (0.0, 0.0)
    """Shortest and longest tenor (days) in the calibration data: the validated range."""

    def apply(self, raw: np.ndarray) -> np.ndarray:
        """PD over ``horizon_days``."""
        values = np.asarray(raw, dtype=np.float64)
        if self.method == ISOTONIC:
            pd = np.interp(values, np.asarray(self.x), np.asarray(self.y))
        else:
            pd = expit(self.a * values + self.b)
        return np.asarray(np.maximum(pd, self.pd_floor))

    def apply_at(self, raw: np.ndarray, tenor_days: np.ndarray | float | None) -> np.ndarray:
        """PD over each tenor (the horizon when None): the estimated term structure for
        Platt, else constant hazard."""
        values = np.asarray(raw, dtype=np.float64)
        days = self.horizon_days if tenor_days is None else tenor_days
        tenor = np.asarray(days, dtype=np.float64)
        if tenor.shape != values.shape:  # a batch's own tenors need no broadcast view
            tenor = np.broadcast_to(tenor, values.shape)
        ratio = tenor / self.horizon_days
        if self.method == PLATT and self.tenor_coef != 0.0:
            pd = expit(self.a * values + self.b + self.tenor_coef * np.log(ratio))
        else:
            pd = 1.0 - (1.0 - self.apply(values)) ** ratio
        floor = 1.0 - (1.0 - ANNUAL_PD_FLOOR) ** (tenor / 365.0)
        return np.asarray(np.maximum(pd, floor))

    def validates(self, tenor_days: float) -> bool:
        """Whether a tenor lies in the range the calibration data covered."""
        low, high = self.tenor_range
        return high <= 0.0 or low <= tenor_days <= high

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
            "tenor_coef": self.tenor_coef,
            "tenor_range": list(self.tenor_range),
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
            tenor_coef=float(data.get("tenor_coef", 0.0)),
            tenor_range=_pair(data.get("tenor_range", (0.0, 0.0))),
        )


def _pair(values: Any) -> tuple[float, float]:
    low, high = (float(v) for v in values)
    return low, high
