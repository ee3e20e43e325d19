"""Logistic-regression baseline on the same features, for the training report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
from services.risk.training.crossfit import FitScore, out_of_fold, pooled


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
    tree model and recalibrated the same way (out-of-fold development scores plus the
    calibration period, with the tenor term), so the two are compared on equal terms."""

    def fit_score(x: np.ndarray, y: np.ndarray, held_out: np.ndarray) -> np.ndarray:
        return _margin(baseline_pipeline(specs).fit(x, y).predict_proba(held_out)[:, 1])

    model = baseline_pipeline(specs).fit(development.x, development.y)
    return cross_fitted_test_pd(
        fit_score,
        lambda x: _margin(model.predict_proba(x)[:, 1]),
        (development, calibration_period, test),
        tenors,
        method,
    )


def _margin(pd: np.ndarray) -> np.ndarray:
    """Log-odds of a probability, kept finite."""
    return np.asarray(logit(np.clip(pd, 1e-9, 1.0 - 1e-9)), dtype=np.float64)


def cross_fitted_test_pd(
    fit_score: FitScore,
    score: Callable[[np.ndarray], np.ndarray],
    splits: tuple[Labelled, Labelled, Labelled],
    tenors: Sequence[np.ndarray | None],
    method: str = PLATT,
) -> np.ndarray:
    """A challenger through the champion's calibration recipe: calibrated on its out-of-fold
    development scores and its final model's calibration-period scores, applied to the test
    period's."""
    development, calibration_period, test = splits
    raw = np.concatenate([out_of_fold(development, fit_score), score(calibration_period.x)])
    labels = np.concatenate([development.y, calibration_period.y])
    calibration_tenors = pooled(tenors[:2])
    horizon = float(np.median(calibration_tenors)) if calibration_tenors is not None else 90.0
    calibrator = calibration.fit(method, raw, labels, horizon, calibration_tenors)
    test_tenors = tenors[2] if tenors[2] is not None else horizon
    return calibrator.apply_at(score(test.x), test_tenors)
