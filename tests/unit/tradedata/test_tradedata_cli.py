"""The command line: generate, data validate and features."""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl
import pytest

from services.tradedata import cli
from services.tradedata.features import FEATURE_NAMES


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="tradeguard")
    cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


def test_generate_validate_features(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "data"
    assert (
        _run(
            "generate",
            "--enterprises",
            "60",
            "--months",
            "6",
            "--seed",
            "2",
            "--out",
            str(out),
            "--rate",
            "fan_out=1",
            "--rate",
            "phantom_shipment=0.02",
        )
        == 0
    )
    assert (out / "labels" / "trade_labels.parquet").is_file()
    assert _run("data", "validate", str(out)) == 0
    assert "valid" in capsys.readouterr().out
    table = tmp_path / "features.parquet"
    assert _run("features", "--data", str(out), "--as-of", "2024-06-01", "--out", str(table)) == 0
    frame = pl.read_parquet(table)
    assert frame.height == 60 and frame.columns[2:] == list(FEATURE_NAMES)


def test_features_for_points(tmp_path: Path) -> None:
    out = tmp_path / "data"
    assert (
        _run(
            "generate",
            "--enterprises",
            "60",
            "--months",
            "6",
            "--out",
            str(out),
            "--rate",
            "fan_out=1",
        )
        == 0
    )
    points = tmp_path / "points.parquet"
    pl.DataFrame(
        {"enterprise_id": ["E000001", "E000002"], "as_of": ["2024-05-01", "2024-06-01"]}
    ).with_columns(pl.col("as_of").str.to_date()).write_parquet(points)
    table = tmp_path / "pit.parquet"
    assert _run("features", "--data", str(out), "--points", str(points), "--out", str(table)) == 0
    assert pl.read_parquet(table)["enterprise_id"].to_list() == ["E000001", "E000002"]


def test_validate_reports_problems_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "data"
    assert (
        _run(
            "generate",
            "--enterprises",
            "60",
            "--months",
            "6",
            "--out",
            str(out),
            "--rate",
            "fan_out=1",
        )
        == 0
    )
    orders = pl.read_parquet(out / "orders.parquet")
    orders.with_columns(
        pl.when(pl.int_range(pl.len()) == 7)
        .then(pl.lit(-1.0))
        .otherwise(pl.col("amount"))
        .alias("amount")
    ).write_parquet(out / "orders.parquet")
    assert _run("data", "validate", str(out)) == cli.EXIT_INVALID
    assert "orders[row 7].amount: NEGATIVE_AMOUNT" in capsys.readouterr().out


def test_bad_arguments_are_usage_errors(tmp_path: Path) -> None:
    assert _run("generate", "--enterprises", "3", "--out", str(tmp_path)) == cli.EXIT_USAGE
    assert _run("generate", "--out", str(tmp_path), "--rate", "nonsense=1") == cli.EXIT_USAGE
    assert _run("features", "--data", str(tmp_path), "--out", str(tmp_path / "f.parquet")) == (
        cli.EXIT_USAGE
    )
    assert _run("data", "validate", str(tmp_path / "missing")) == cli.EXIT_USAGE


def test_feature_list_prints_the_registry(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("features", "--list") == 0
    out = capsys.readouterr().out
    assert out.count("\n") == len(FEATURE_NAMES) + 2
    assert "| `overdue_share_12m` |" in out
