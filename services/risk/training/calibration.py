"""Fits the PD calibration of a bundle on the calibration period (Platt with the tenor term, or
isotonic)."""

from __future__ import annotations

from dataclasses import replace

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


def fit_platt(
    raw: np.ndarray, labels: np.ndarray, horizon_days: float, tenors: np.ndarray | None = None
) -> Calibrator:
    """Logistic map of the raw score, with a ln(tenor) term when tenors vary."""
    score = np.asarray(raw, dtype=np.float64).reshape(-1, 1)
    varied = tenors is not None and len(np.unique(tenors)) > 1
    columns = [score]
    if varied and tenors is not None:
        columns.append(np.log(np.asarray(tenors, dtype=np.float64) / horizon_days).reshape(-1, 1))
    model = LogisticRegression(C=1e6, max_iter=1000)
    model.fit(np.hstack(columns), labels)
    coef = model.coef_[0]
    return Calibrator(
        PLATT,
        horizon_days,
        a=float(coef[0]),
        b=float(model.intercept_[0]),
        tenor_coef=float(coef[1]) if varied else 0.0,
        tenor_range=_span(tenors),
    )


def _span(tenors: np.ndarray | None) -> tuple[float, float]:
    if tenors is None or len(tenors) == 0:
        return 0.0, 0.0
    return float(np.min(tenors)), float(np.max(tenors))


def fit(
    method: str,
    raw: np.ndarray,
    labels: np.ndarray,
    horizon_days: float,
    tenors: np.ndarray | None = None,
) -> Calibrator:
    if method == ISOTONIC:
        fitted = fit_isotonic(raw, labels, horizon_days)
        return replace(fitted, tenor_range=_span(tenors))
    if method == PLATT:
        return fit_platt(raw, labels, horizon_days, tenors)
    raise ValueError(f"unknown calibration method {method!r}")
