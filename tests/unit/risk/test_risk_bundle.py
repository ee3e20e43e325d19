import json
import shutil
from pathlib import Path

import pytest

from services.risk import model as model_io
from services.risk.training.trainer import TrainingResult


def test_load_verifies_and_restores_metadata(bundle_dir: Path) -> None:
    loaded = model_io.load(bundle_dir)
    assert loaded.version == bundle_dir.name
    assert loaded.metadata.feature_names == loaded.booster.feature_name()
    assert loaded.metadata.features[0].description.startswith("overdue share")
    assert loaded.metadata.policy.volume_feature == "volume_3m_usd"
    assert loaded.metadata.categories["region"] == ["EAST", "NORTH", "SOUTH", "WEST"]
    assert "auc" in loaded.metadata.metrics["test"]


def test_metadata_documents_scaling_and_references(bundle_dir: Path) -> None:
    data = json.loads((bundle_dir / model_io.METADATA_FILE).read_text())
    assert data["score_scaling"]["base_points"] == 600
    assert "20 points to double the odds" in data["score_scaling"]["formula"]
    assert [b["grade"] for b in data["grade_bands"]][0] == "AAA"
    assert len(data["reference_distributions"]) == len(data["features"])


def test_tampered_metadata_fails_verification(bundle_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / bundle_dir.name
    shutil.copytree(bundle_dir, copy)
    data = json.loads((copy / model_io.METADATA_FILE).read_text())
    data["calibration"]["horizon_days"] = 365
    (copy / model_io.METADATA_FILE).write_text(json.dumps(data))
    with pytest.raises(model_io.BundleError, match="verification"):
        model_io.load(copy)


def test_tampered_model_fails_verification(bundle_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / bundle_dir.name
    shutil.copytree(bundle_dir, copy)
    model = copy / model_io.MODEL_FILE
    model.write_text(model.read_text().replace("learning_rate", "learning_rate ", 1))
    with pytest.raises(model_io.BundleError):
        model_io.load(copy)


def test_saving_same_content_gives_same_version(trained: TrainingResult, tmp_path: Path) -> None:
    loaded = model_io.load(trained.bundle_dir)
    again = model_io.save(loaded.booster, loaded.metadata, tmp_path)
    assert again.name == trained.version


def test_latest_bundle_is_most_recently_trained(bundle_dir: Path, tmp_path: Path) -> None:
    loaded = model_io.load(bundle_dir)
    from dataclasses import replace

    older = model_io.save(
        loaded.booster, replace(loaded.metadata, trained_at="2020-01-01"), tmp_path
    )
    newer = model_io.save(
        loaded.booster, replace(loaded.metadata, trained_at="2030-01-01"), tmp_path
    )
    assert older != newer
    assert model_io.latest_bundle_dir(tmp_path) == newer
    assert model_io.latest_bundle_dir(newer) == newer


def test_missing_bundle_is_reported(tmp_path: Path) -> None:
    with pytest.raises(model_io.BundleError):
        model_io.latest_bundle_dir(tmp_path)
