"""Training on generated trade data through `tradeguard train risk` (small data, in the suite)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from services.cli import main
from services.risk import model as model_io
from services.risk.training.dataset import training_frame
from services.tradedata.features import FEATURE_NAMES, FEATURE_REGISTRY
from services.tradedata.generator import GeneratorConfig, generate


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("trade")
    generate(GeneratorConfig(enterprises=300, months=36, seed=5), out)
    return out


def test_features_are_taken_at_each_disbursement(generated: Path) -> None:
    frame = training_frame(generated)
    financings = pl.read_parquet(generated / "financings.parquet")
    end = pl.read_parquet(generated / "orders.parquet")["ordered_at"].max()
    # Labelled rows are the financings whose outcome is known by the end of the extract.
    known = financings.filter(pl.col("due_at") + pl.duration(days=30) <= end)
    assert frame.height == known.height
    assert (frame["as_of"] == frame["disbursed_at"]).all()
    # Rows from the extract's first year cannot see a 12-month window: missing, not truncated.
    young = frame.filter(pl.col("history_days") < 365)
    assert young.height > 0 and young["volume_12m_usd"].null_count() == young.height
    assert young["volume_3m_usd"].null_count() < young.height


def test_train_cli_writes_a_bundle_meeting_quality_checks(
    generated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["train", "risk", "--data", str(generated), "--out", str(tmp_path), "--threads", "1"]
    )
    report = capsys.readouterr().out
    assert code == 0
    for word in ("AUC", "KS", "Brier", "ECE", "calibration", "lift by decile", "baseline"):
        assert word in report
    assert "train/serve parity" in report and "challengers" in report and "gate" in report
    bundle = model_io.load(model_io.latest_bundle_dir(tmp_path))
    test = bundle.metadata.metrics["test"]
    assert test["auc"] > 0.7
    assert test["ece"] < 0.05
    assert test["lift_by_decile"][0]["lift"] > 2.0
    specs = {s.name: s for s in bundle.metadata.features}
    excluded = bundle.metadata.metrics["excluded_features"]
    assert "growth_12m" in excluded  # two years of look-back: no training row has that much
    assert set(specs) | set(excluded) == set(FEATURE_NAMES)
    parity = bundle.metadata.metrics["parity"]
    assert parity["serving_rows"] == 300
    assert parity["max_psi"] <= 0.25  # every model feature at parity with the served population
    assert set(bundle.metadata.metrics["gates"]) == {"targets", "parity", "challengers"}
    assert {row["feature"] for row in parity["features"]} == set(specs)
    assert "train/serve parity" in report
    assert (
        specs["overdue_share_12m"].description == FEATURE_REGISTRY["overdue_share_12m"].description
    )
    assert specs["overdue_share_12m"].direction == 1
    assert bundle.metadata.policy.volume_feature == "volume_3m_usd"
