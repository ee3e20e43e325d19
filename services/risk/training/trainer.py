"""Training a PD model: out-of-time split, LightGBM with monotone constraints and native
categoricals, early stopping, calibration on the validation period, a test-period report
against a logistic-regression baseline, and a model bundle."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import polars as pl

from services.risk import model as model_io
from services.risk.calibration import ISOTONIC
from services.risk.features import (
    FeatureSpec,
    categorical_indices,
    category_vocabulary,
    encode,
    monotone_constraints,
)
from services.risk.policy import DecisionPolicy
from services.risk.psi import ReferenceBins, reference_bins
from services.risk.training import calibration
from services.risk.training.baseline import fit_logistic_baseline
from services.risk.training.evaluation import Evaluation, evaluate

LABEL = "defaulted"
TIME = "disbursed_at"
TENOR = "tenor_days"


@dataclass(frozen=True)
class TrainingData:
    """One row per financing: features as of its disbursement, its outcome and tenor."""

    frame: pl.DataFrame
    specs: tuple[FeatureSpec, ...]
    label: str = LABEL
    time: str = TIME


@dataclass(frozen=True)
class TrainingOptions:
    seed: int = 7
    num_threads: int = 2
    learning_rate: float = 0.05
    num_leaves: int = 15
    min_data_in_leaf: int = 40
    max_rounds: int = 2000
    early_stopping_rounds: int = 100
    calibration_method: str = ISOTONIC
    split: tuple[float, float] = (0.6, 0.8)
    """Time quantiles where validation and test begin."""
    policy: DecisionPolicy = field(default_factory=DecisionPolicy)


@dataclass(frozen=True)
class Split:
    x: np.ndarray
    y: np.ndarray
    start: str
    end: str


@dataclass(frozen=True)
class TrainingResult:
    bundle_dir: Path
    version: str
    test: Evaluation
    baseline: Evaluation
    validation: Evaluation
    best_iteration: int
    metrics: dict[str, Any]


def lgb_params(specs: Sequence[FeatureSpec], options: TrainingOptions) -> dict[str, Any]:
    return {
        "objective": "binary",
        "learning_rate": options.learning_rate,
        "num_leaves": options.num_leaves,
        "min_data_in_leaf": options.min_data_in_leaf,
        "feature_fraction": 0.8,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "lambda_l2": 1.0,
        "cat_smooth": 10.0,
        "monotone_constraints": monotone_constraints(specs),
        "monotone_constraints_method": "advanced",
        "num_threads": options.num_threads,
        "seed": options.seed,
        "deterministic": True,
        "force_row_wise": True,
        "verbosity": -1,
    }


def split_out_of_time(data: TrainingData, options: TrainingOptions) -> tuple[pl.DataFrame, ...]:
    """Train on the earliest disbursements, validate on the next, test on the latest."""
    frame = data.frame.sort(data.time)
    times = frame.get_column(data.time)
    cuts = [times.quantile(q, interpolation="nearest") for q in options.split]
    train = frame.filter(pl.col(data.time) < cuts[0])
    valid = frame.filter((pl.col(data.time) >= cuts[0]) & (pl.col(data.time) < cuts[1]))
    test = frame.filter(pl.col(data.time) >= cuts[1])
    for name, part in (("train", train), ("validation", valid), ("test", test)):
        if part.get_column(data.label).n_unique() < 2:
            raise ValueError(f"the {name} period has a single outcome class; more data needed")
    return train, valid, test


def _split(part: pl.DataFrame, data: TrainingData, vocab: dict[str, list[str]]) -> Split:
    times = part.get_column(data.time)
    return Split(
        x=encode(part, data.specs, vocab),
        y=part.get_column(data.label).cast(pl.Int8).to_numpy().astype(np.float64),
        start=str(times.min()),
        end=str(times.max()),
    )


def fit_booster(
    train: Split, valid: Split, specs: Sequence[FeatureSpec], options: TrainingOptions
) -> lgb.Booster:
    names = [spec.name for spec in specs]
    cats = categorical_indices(specs)
    dtrain = lgb.Dataset(train.x, train.y, feature_name=names, categorical_feature=cats)
    dvalid = lgb.Dataset(valid.x, valid.y, reference=dtrain)
    return lgb.train(
        lgb_params(specs, options),
        dtrain,
        num_boost_round=options.max_rounds,
        valid_sets=[dvalid],
        callbacks=[lgb.early_stopping(options.early_stopping_rounds, verbose=False)],
    )


FitBooster = Callable[[Split, Split, Sequence[FeatureSpec], TrainingOptions], lgb.Booster]
"""How ``train`` fits the booster: ``fit_booster`` here, or on a cluster (``services.scale``)."""


def fingerprint(frame: pl.DataFrame) -> str:
    """Order-independent hash of the training rows (values and column names)."""
    hashes = np.sort(frame.hash_rows(seed=0).to_numpy())
    digest = hashlib.sha256(",".join(frame.columns).encode())
    digest.update(hashes.tobytes())
    return "sha256:" + digest.hexdigest()


def _horizon_days(frame: pl.DataFrame) -> float:
    if TENOR in frame.columns and len(frame):
        median = frame.get_column(TENOR).cast(pl.Float64).median()
        if isinstance(median, float) and median > 0:
            return median
    return 90.0


def json_safe(value: Any) -> Any:
    """JSON-safe metrics: NaN/inf become None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    return value


def raw_scores(booster: lgb.Booster, split: Split) -> np.ndarray:
    return np.asarray(booster.predict(split.x, raw_score=True), dtype=np.float64)


def reference_distributions(
    specs: Sequence[FeatureSpec], x: np.ndarray, vocab: dict[str, list[str]]
) -> tuple[ReferenceBins, ...]:
    """Training-period bins of every feature, the baseline for live PSI."""
    return tuple(
        reference_bins(spec, x[:, j], len(vocab.get(spec.name, ()))) for j, spec in enumerate(specs)
    )


def train(
    data: TrainingData,
    models_dir: Path,
    options: TrainingOptions,
    fit: FitBooster = fit_booster,
) -> TrainingResult:
    """Fit, calibrate, evaluate and write a bundle; returns where it went and the report."""
    parts = split_out_of_time(data, options)
    vocab = category_vocabulary(parts[0], data.specs)
    train_s, valid_s, test_s = (_split(p, data, vocab) for p in parts)
    booster = fit(train_s, valid_s, data.specs, options)
    raw_valid, raw_test = raw_scores(booster, valid_s), raw_scores(booster, test_s)
    calibrator = calibration.fit(
        options.calibration_method, raw_valid, valid_s.y, _horizon_days(parts[1])
    )
    validation = evaluate(valid_s.y, calibrator.apply(raw_valid))
    test = evaluate(test_s.y, calibrator.apply(raw_test))
    baseline = evaluate(test_s.y, fit_logistic_baseline(train_s, test_s, data.specs))
    metrics = _metrics(booster, test, baseline, validation, (train_s, valid_s, test_s))
    metadata = model_io.BundleMetadata(
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
        data_fingerprint=fingerprint(data.frame),
        features=tuple(data.specs),
        categories=vocab,
        calibration=calibrator,
        references=reference_distributions(data.specs, train_s.x, vocab),
        metrics=json_safe(metrics),
        policy=options.policy,
        training={"params": json_safe(lgb_params(data.specs, options)), "label": data.label},
    )
    bundle_dir = model_io.save(booster, metadata, models_dir)
    return TrainingResult(
        bundle_dir, bundle_dir.name, test, baseline, validation, booster.best_iteration, metrics
    )


def _metrics(
    booster: lgb.Booster,
    test: Evaluation,
    baseline: Evaluation,
    validation: Evaluation,
    splits: tuple[Split, Split, Split],
) -> dict[str, Any]:
    periods = {
        name: {"rows": len(s.y), "default_rate": float(s.y.mean()), "from": s.start, "to": s.end}
        for name, s in zip(("train", "validation", "test"), splits, strict=True)
    }
    return {
        "test": test.to_json(),
        "baseline_logistic_test": baseline.to_json(),
        "validation": validation.to_json(),
        "periods": periods,
        "best_iteration": booster.best_iteration,
        "num_trees": booster.num_trees(),
    }


def with_policy(options: TrainingOptions, policy: DecisionPolicy) -> TrainingOptions:
    return replace(options, policy=policy)
