"""The model registry: candidates, the promotion gate, the append-only log and rollback."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from services.cli import main
from services.risk import model as model_io
from services.risk.policy import DecisionPolicy
from services.risk.registry import (
    LOG_FILE,
    PromotionRefused,
    RegistryError,
    UnknownVersion,
    list_models,
    promote,
    promoted_bundle_dir,
    rollback,
    serving_version,
)
from services.risk.training import synthetic
from services.risk.training.trainer import TrainingData, TrainingOptions, train


def _candidate(models: Path, seed: int, serving: bool = True) -> str:
    data = TrainingData(
        synthetic.financings(seed=seed),
        synthetic.SPECS,
        serving=synthetic.feature_table() if serving else None,
    )
    policy = DecisionPolicy(volume_feature=synthetic.VOLUME_FEATURE)
    options = TrainingOptions(num_threads=1, seed=seed, policy=policy, bootstrap_rounds=100)
    return train(data, models, options).version


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two candidates that pass their gates and one without parity evidence."""
    models = tmp_path_factory.mktemp("registry-models")
    versions = {
        "first": _candidate(models, 3),
        "second": _candidate(models, 4),
        "no_parity": _candidate(models, 5, serving=False),
    }
    return {name: models / version for name, version in versions.items()}


@pytest.fixture
def models(trained: dict[str, Path], tmp_path: Path) -> Path:
    folder = tmp_path / "models"
    for bundle in trained.values():
        shutil.copytree(bundle, folder / bundle.name)
    return folder


def test_training_writes_candidates_and_nothing_serves_until_promoted(
    models: Path, trained: dict[str, Path]
) -> None:
    entries = {e.version: e for e in list_models(models)}
    assert {e.status for e in entries.values()} == {"CANDIDATE"}
    assert entries[trained["first"].name].gates_passed
    with pytest.raises(model_io.BundleError, match="no model promoted"):
        promoted_bundle_dir(models)


def test_a_candidate_failing_a_gate_cannot_be_promoted(
    models: Path, trained: dict[str, Path]
) -> None:
    version = trained["no_parity"].name
    entry = next(e for e in list_models(models) if e.version == version)
    assert not entry.gates_passed
    assert any(f.startswith("parity") for f in entry.gate_failures)
    with pytest.raises(PromotionRefused, match="parity") as refused:
        promote(models, version, "ana", "try the unchecked model")
    assert refused.value.failures == list(entry.gate_failures)
    assert not (models / LOG_FILE).exists()


def test_promotion_serves_that_version_and_logs_who_when_why(
    models: Path, trained: dict[str, Path]
) -> None:
    first, second = trained["first"].name, trained["second"].name
    promote(models, first, "ana", "initial model")
    # The newest candidate does not serve by being newest.
    assert promoted_bundle_dir(models) == models / first
    event = promote(models, second, "ben", "better calibration")
    assert (event.version, event.previous, event.approver) == (second, first, "ben")
    assert serving_version(models) == second
    lines = [json.loads(line) for line in (models / LOG_FILE).read_text().splitlines()]
    assert [(e["action"], e["version"], e["reason"]) for e in lines] == [
        ("promote", first, "initial model"),
        ("promote", second, "better calibration"),
    ]
    assert all(e["at"] for e in lines)


def test_rollback_serves_the_previous_version_and_appends(
    models: Path, trained: dict[str, Path]
) -> None:
    first, second = trained["first"].name, trained["second"].name
    with pytest.raises(RegistryError, match="nothing to roll back"):
        rollback(models, "ana", "nothing yet")
    promote(models, first, "ana", "initial model")
    promote(models, second, "ben", "retrained")
    event = rollback(models, "cho", "second model refers too many")
    assert (event.version, event.previous) == (first, second)
    assert serving_version(models) == first
    statuses = {e.version: e.status for e in list_models(models)}
    assert statuses[first] == "SERVING" and statuses[second] == "RETIRED"
    assert len((models / LOG_FILE).read_text().splitlines()) == 3


def test_unknown_versions_and_missing_words_are_refused(models: Path) -> None:
    with pytest.raises(UnknownVersion):
        promote(models, "0123456789abcdef", "ana", "typo")
    with pytest.raises(UnknownVersion):
        promote(models, "../elsewhere", "ana", "escape")
    with pytest.raises(RegistryError, match="reason"):
        promote(models, "0123456789abcdef", "ana", "  ")


def test_models_cli_lists_promotes_refuses_and_rolls_back(
    models: Path, trained: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = trained["first"].name, trained["second"].name
    flags = ["--models", str(models), "--approver", "ana", "--reason", "release"]
    assert main(["models", "promote", first, *flags]) == 0
    assert main(["models", "promote", second, *flags]) == 0
    capsys.readouterr()
    assert main(["models", "promote", trained["no_parity"].name, *flags]) == 2
    (refusal,) = capsys.readouterr().err.splitlines()
    assert refusal.startswith("error: ") and "cannot be promoted: parity" in refusal
    assert main(["models", "rollback", *flags]) == 0
    assert main(["models", "list", "--models", str(models)]) == 0
    out = capsys.readouterr().out
    assert f"rolled back from {second} to {first}" in out
    assert re.search(rf"^{first}\s+SERVING\s", out, re.M) and "parity" in out
