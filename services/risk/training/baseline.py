"""Logistic-regression baseline on the same features, for the training report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from services.risk.features import FeatureSpec


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
    train: Labelled, test: Labelled, specs: Sequence[FeatureSpec]
) -> np.ndarray:
    """Test-period PDs of a logistic regression fitted on the same training period as the
    tree model (a logistic model is calibrated by construction, so it needs no extra step)."""
    model = baseline_pipeline(specs)
    model.fit(train.x, train.y)
    return np.asarray(model.predict_proba(test.x)[:, 1], dtype=np.float64)
