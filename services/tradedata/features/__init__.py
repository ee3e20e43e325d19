"""Point-in-time enterprise features from the trade tables (polars, lazy)."""

from .coverage import extract_start
from .pipeline import compute_features, compute_features_at
from .registry import (
    CATEGORICAL_FEATURES,
    FEATURE_NAMES,
    FEATURE_REGISTRY,
    NUMERIC_FEATURES,
    FeatureSpec,
)

__all__ = [
    "CATEGORICAL_FEATURES",
    "FEATURE_NAMES",
    "FEATURE_REGISTRY",
    "NUMERIC_FEATURES",
    "FeatureSpec",
    "compute_features",
    "compute_features_at",
    "extract_start",
]
