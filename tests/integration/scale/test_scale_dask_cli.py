"""`tradeguard features|train risk --dask SCHEDULER` against a running cluster."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from distributed import Client
from polars.testing import assert_frame_equal

from services.cli import main
from services.risk import model as model_io
from services.tradedata.features import compute_features, compute_features_at, extract_start
from services.tradedata.loading import TradeDataset


def _address(client: Client) -> str:
    return str(client.scheduler.address)


def test_features_cli_on_the_cluster_writes_the_local_table(
    client: Client, trade: TradeDataset, trade_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "features.parquet"
    argv = ["features", "--data", str(trade_dir), "--as-of", "2024-08-01", "--out", str(out)]
    assert main([*argv, "--dask", _address(client)]) == 0
    local = compute_features(trade, "2024-08-01", extract_start(trade)).collect()
    assert_frame_equal(pl.read_parquet(out), local, check_exact=False, rel_tol=1e-9)


def test_features_cli_at_points_on_the_cluster(
    client: Client, trade: TradeDataset, trade_dir: Path, tmp_path: Path
) -> None:
    points = trade.financings.select("enterprise_id", pl.col("disbursed_at").alias("as_of"))
    points.collect().write_parquet(tmp_path / "points.parquet")
    out = tmp_path / "features.parquet"
    argv = ["features", "--data", str(trade_dir), "--points", str(tmp_path / "points.parquet")]
    assert main([*argv, "--out", str(out), "--dask", _address(client)]) == 0
    local = compute_features_at(trade, points, extract_start(trade)).collect()
    assert_frame_equal(pl.read_parquet(out), local, check_exact=False, rel_tol=1e-9)


def test_train_risk_cli_on_the_cluster_writes_a_bundle(
    client: Client, trade_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["train", "risk", "--data", str(trade_dir), "--out", str(tmp_path)]
    assert main([*argv, "--dask", _address(client)]) == 0
    assert "AUC" in capsys.readouterr().out
    bundle = model_io.load(model_io.latest_bundle_dir(tmp_path))
    assert bundle.booster.num_trees() > 0


def test_train_risk_cli_refuses_the_cluster_for_a_table(client: Client, tmp_path: Path) -> None:
    table = tmp_path / "rows.parquet"
    pl.DataFrame({"x": [1.0, 2.0], "y": [0, 1]}).write_parquet(table)
    argv = ["train", "risk", "--table", str(table), "--label", "y", "--out", str(tmp_path)]
    with pytest.raises(SystemExit, match="--dask"):
        main([*argv, "--dask", _address(client)])
