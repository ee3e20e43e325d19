"""Logistic-regression baseline on the same features, for the training report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from scipy.special import logit
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from services.risk.calibration import PLATT
from services.risk.features import FeatureSpec
from services.risk.training import calibration


class Labelled(Protocol):
    @property
    def x(self) -> np.ndarray: ...

    @property
    def y(self) -> np.ndarray: ...


def signed_log1p(x: np.ndarray) -> np.ndarray:
    """Tames heavy-tailed amounts (volumes, capital) so a linear model is not led by outliers."""
    return np.asarray(np.sign(x) * np.log1p(np.abs(x)))


def baseline_pipeline(specs: Sequence[FeatureSpec]) -> Pipeline:
    numeric = [i for i, s in enumerate(specs) if not s.is_categorical]
    categorical = [i for i, s in enumerate(specs) if s.is_categorical]
    columns = ColumnTransformer(
        [
            (
                "numeric",
                make_pipeline(
                    SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                    FunctionTransformer(signed_log1p),
                    StandardScaler(),
                ),
                numeric,
            ),
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="constant", fill_value=-1.0, keep_empty_features=True),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                categorical,
            ),
        ]
    )
    return make_pipeline(columns, LogisticRegression(C=1.0, max_iter=2000))


def fit_logistic_baseline(
    development: Labelled,
    calibration_period: Labelled,
    test: Labelled,
    specs: Sequence[FeatureSpec],
    tenors: Sequence[np.ndarray | None],
    method: str = PLATT,
) -> np.ndarray:
    """Test-period PDs of a logistic regression fitted on the same development period as the
    tree model and recalibrated the same way on the same calibration period (with the tenor
    term), so the two are compared on equal terms."""
    model = baseline_pipeline(specs)
    model.fit(development.x, development.y)
    return calibrated_test_pd(
        _margin(model.predict_proba(calibration_period.x)[:, 1]),
        calibration_period.y,
        _margin(model.predict_proba(test.x)[:, 1]),
        tenors,
        method,
    )


def _margin(pd: np.ndarray) -> np.ndarray:
    """Log-odds of a probability, kept finite."""
    return np.asarray(logit(np.clip(pd, 1e-9, 1.0 - 1e-9)), dtype=np.float64)


def calibrated_test_pd(
    raw_calibration: np.ndarray,
    labels: np.ndarray,
    raw_test: np.ndarray,
    tenors: Sequence[np.ndarray | None],
    method: str = PLATT,
) -> np.ndarray:
    """A challenger's raw scores through the champion's calibration recipe."""
    horizon = float(np.median(tenors[1])) if tenors[1] is not None else 90.0
    calibrator = calibration.fit(method, raw_calibration, labels, horizon, tenors[1])
    test_tenors = tenors[2] if tenors[2] is not None else horizon
    return calibrator.apply_at(raw_test, test_tenors)
