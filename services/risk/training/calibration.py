"""Fits the PD calibration of a bundle on the validation period (isotonic or Platt)."""

from __future__ import annotations

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from services.risk.calibration import ISOTONIC, PLATT, Calibrator


def fit_isotonic(raw: np.ndarray, labels: np.ndarray, horizon_days: float) -> Calibrator:
    model = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    model.fit(raw, labels)
    x = np.asarray(model.X_thresholds_, dtype=np.float64)
    y = np.asarray(model.y_thresholds_, dtype=np.float64)
    return Calibrator(ISOTONIC, horizon_days, tuple(x.tolist()), tuple(y.tolist()))


def fit_platt(raw: np.ndarray, labels: np.ndarray, horizon_days: float) -> Calibrator:
    model = LogisticRegression(C=1e6, max_iter=1000)
    model.fit(np.asarray(raw).reshape(-1, 1), labels)
    a = float(model.coef_[0][0])
    b = float(model.intercept_[0])
    return Calibrator(PLATT, horizon_days, a=a, b=b)


def fit(method: str, raw: np.ndarray, labels: np.ndarray, horizon_days: float) -> Calibrator:
    if method == ISOTONIC:
        return fit_isotonic(raw, labels, horizon_days)
    if method == PLATT:
        return fit_platt(raw, labels, horizon_days)
    raise ValueError(f"unknown calibration method {method!r}")
