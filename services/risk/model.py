"""Versioned model bundle: `<models>/<version>/model.txt` + `metadata.json`.

The version is a content hash of the model text and the metadata (without the version
field), so a bundle whose files were edited after training fails verification.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lightgbm as lgb

from services.risk.calibration import Calibrator
from services.risk.features import FeatureSpec
from services.risk.policy import DecisionPolicy
from services.risk.psi import ReferenceBins
from services.risk.scaling import (
    DEFAULT_GRADE_BANDS,
    GradeBand,
    ScoreScaling,
    bands_from_json,
    bands_to_json,
)

MODEL_FILE = "model.txt"
METADATA_FILE = "metadata.json"
FORMAT_VERSION = 1


class BundleError(Exception):
    """A bundle is missing, unreadable or fails verification."""


@dataclass(frozen=True)
class BundleMetadata:
    trained_at: str
    data_fingerprint: str
    features: tuple[FeatureSpec, ...]
    categories: Mapping[str, Sequence[str]]
    calibration: Calibrator
    references: tuple[ReferenceBins, ...]
    metrics: Mapping[str, Any] = field(default_factory=dict)
    scaling: ScoreScaling = ScoreScaling()
    grade_bands: tuple[GradeBand, ...] = DEFAULT_GRADE_BANDS
    policy: DecisionPolicy = DecisionPolicy()
    training: Mapping[str, Any] = field(default_factory=dict)
    version: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "version": self.version,
            "trained_at": self.trained_at,
            "data_fingerprint": self.data_fingerprint,
            "features": [spec.to_json() for spec in self.features],
            "categories": {k: list(v) for k, v in self.categories.items()},
            "calibration": self.calibration.to_json(),
            "score_scaling": {**self.scaling.to_json(), "formula": self.scaling.describe()},
            "grade_bands": bands_to_json(self.grade_bands),
            "decision_policy": self.policy.to_json(),
            "reference_distributions": [ref.to_json() for ref in self.references],
            "metrics": dict(self.metrics),
            "training": dict(self.training),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BundleMetadata:
        return cls(
            version=str(data["version"]),
            trained_at=str(data["trained_at"]),
            data_fingerprint=str(data["data_fingerprint"]),
            features=tuple(FeatureSpec.from_json(item) for item in data["features"]),
            categories={k: [str(v) for v in vs] for k, vs in data["categories"].items()},
            calibration=Calibrator.from_json(data["calibration"]),
            scaling=ScoreScaling.from_json(data["score_scaling"]),
            grade_bands=bands_from_json(data["grade_bands"]),
            policy=DecisionPolicy.from_json(data["decision_policy"]),
            references=tuple(ReferenceBins.from_json(r) for r in data["reference_distributions"]),
            metrics=dict(data.get("metrics", {})),
            training=dict(data.get("training", {})),
        )

    @property
    def feature_names(self) -> list[str]:
        return [spec.name for spec in self.features]


@dataclass(frozen=True)
class ModelBundle:
    booster: lgb.Booster
    metadata: BundleMetadata
    path: Path | None = None

    @property
    def version(self) -> str:
        return self.metadata.version


def _canonical(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def content_hash(model_text: str, metadata: Mapping[str, Any]) -> str:
    unversioned = {k: v for k, v in metadata.items() if k != "version"}
    digest = hashlib.sha256(model_text.encode())
    digest.update(_canonical(unversioned))
    return digest.hexdigest()[:16]


def save(booster: lgb.Booster, metadata: BundleMetadata, models_dir: Path) -> Path:
    """Write the bundle under `models_dir/<version>/` atomically; returns that directory."""
    model_text = booster.model_to_string()
    data = metadata.to_json()
    version = content_hash(model_text, data)
    data["version"] = version
    target = Path(models_dir) / version
    if target.exists():
        return target
    Path(models_dir).mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=models_dir))
    (staging / MODEL_FILE).write_text(model_text)
    (staging / METADATA_FILE).write_text(json.dumps(data, indent=2, sort_keys=True))
    try:
        os.replace(staging, target)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def load(bundle_dir: Path) -> ModelBundle:
    """Load one bundle directory and verify its content hash and feature list."""
    path = Path(bundle_dir)
    try:
        model_text = (path / MODEL_FILE).read_text()
        data = json.loads((path / METADATA_FILE).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise BundleError(f"cannot read bundle {path}: {exc}") from exc
    if content_hash(model_text, data) != data.get("version"):
        raise BundleError(f"bundle {path} fails verification: content hash != version")
    metadata = BundleMetadata.from_json(data)
    booster = lgb.Booster(model_str=model_text)
    if booster.feature_name() != metadata.feature_names:
        raise BundleError(f"bundle {path}: model features differ from metadata features")
    return ModelBundle(booster, metadata, path)


def latest_bundle_dir(models_dir: Path) -> Path:
    """The most recently trained bundle under `models_dir` (or `models_dir` itself if it is one)."""
    root = Path(models_dir)
    if (root / METADATA_FILE).is_file():
        return root
    candidates = [p for p in root.glob("*/" + METADATA_FILE) if not p.parent.name.startswith(".")]
    if not candidates:
        raise BundleError(f"no model bundle under {root}")
    return max(candidates, key=_trained_at_key).parent


def _trained_at_key(metadata_path: Path) -> tuple[str, float]:
    try:
        trained_at = str(json.loads(metadata_path.read_text()).get("trained_at", ""))
    except (OSError, json.JSONDecodeError):
        trained_at = ""
    return trained_at, metadata_path.stat().st_mtime
