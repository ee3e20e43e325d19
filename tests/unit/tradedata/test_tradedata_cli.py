"""The command line: generate, data validate and features."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from services.cli import main
from services.commandline.errors import EXIT_FAILED, EXIT_USAGE
from services.tradedata.features import FEATURE_NAMES


def _run(*argv: str) -> int:
    """The exit code of `tradeguard ARGV`, through the real entry point."""
    try:
        return main(list(argv))
    except SystemExit as exit_:
        return int(exit_.code or 0)


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


def test_generate_with_look_alikes_doubled(tmp_path: Path) -> None:
    import json

    from services.tradedata.generator import LookAlikeRates

    out = tmp_path / "doubled"
    argv = ["generate", "--enterprises", "60", "--months", "6", "--out", str(out)]
    assert _run(*argv, "--rate", "fan_out=1", "--double-look-alikes") == 0
    config = json.loads((out / "labels" / "config.json").read_text())["config"]
    doubled = LookAlikeRates().doubled()
    assert config["look_alikes"] == {k: getattr(doubled, k) for k in config["look_alikes"]}
    assert config["look_alikes"]["parent_payers"] == 2 * LookAlikeRates().parent_payers


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
    assert _run("data", "validate", str(out)) == EXIT_FAILED
    assert "orders[row 7].amount: NEGATIVE_AMOUNT" in capsys.readouterr().out


def test_bad_arguments_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("generate", "--enterprises", "3", "--out", str(tmp_path)) == EXIT_USAGE
    assert _run("generate", "--out", str(tmp_path), "--rate", "nonsense=1") == EXIT_USAGE
    assert _run("features", "--data", str(tmp_path), "--out", str(tmp_path / "f.parquet")) == (
        EXIT_USAGE
    )
    assert _run("data", "validate", str(tmp_path / "missing")) == EXIT_USAGE
    assert _run("features", "--data", str(tmp_path), "--as-of", "yesterday") == EXIT_USAGE
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 5 and all(line.startswith("error: ") for line in errors), errors
    assert "'yesterday' is not a date; write YYYY-MM-DD" in errors[-1]


def test_generate_too_few_enterprises_for_the_structures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run("generate", "--enterprises", "40", "--months", "6", "--out", str(tmp_path)) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("error: not enough enterprises") and "--rate" in line


def test_feature_list_prints_the_registry(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("features", "--list") == 0
    out = capsys.readouterr().out
    assert out.count("\n") == len(FEATURE_NAMES) + 2
    assert "| `overdue_share_12m` |" in out


def test_an_as_of_still_to_come_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A table's as-of is the moment its features were known: one in the future would be served
    # with a negative age, so the features job refuses to write it.
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    out = tmp_path / "f.parquet"
    assert _run("features", "--data", str(tmp_path), "--as-of", tomorrow, "--out", str(out)) == (
        EXIT_USAGE
    )
    assert "after the current time" in capsys.readouterr().err
    assert not out.exists()
