"""`tradeguard features --incremental`: only enterprises whose trade moved are recomputed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from services.cli import main
from services.tradedata.features import compute_features
from services.tradedata.features.coverage import cover_table, extract_start
from services.tradedata.features.incremental import changed_enterprises
from services.tradedata.generator import GeneratedData
from services.tradedata.loading import load_dataset

FIRST = datetime(2024, 6, 10, tzinfo=UTC)
LATER = FIRST + timedelta(days=2)


def _features(small_dir: Path, out: Path, as_of: datetime, *extra: str) -> None:
    argv = ["features", "--data", str(small_dir), "--as-of", as_of.strftime("%Y-%m-%dT%H:%M")]
    assert main([*argv, "--out", str(out), *extra]) == 0


@pytest.fixture
def updated(small_data: GeneratedData, small_dir: Path, tmp_path: Path) -> tuple[Path, Path]:
    out = tmp_path / "features.parquet"
    _features(small_dir, out, FIRST)
    before = tmp_path / "before.parquet"
    before.write_bytes(out.read_bytes())
    _features(small_dir, out, LATER, "--incremental")
    return before, out


def test_moved_enterprises_are_recomputed_and_equal_a_full_run(
    updated: tuple[Path, Path], small_dir: Path
) -> None:
    before, out = updated
    ds = load_dataset(small_dir)
    moved = set(changed_enterprises(ds, FIRST, LATER).to_list())
    table = pl.read_parquet(out)
    fresh = table.filter(pl.col("as_of") == LATER)
    assert set(fresh["enterprise_id"].to_list()) == moved
    assert 0 < len(moved) < table.height  # two days: some exporters traded, some did not
    full = cover_table(ds, compute_features(ds, LATER).collect(), extract_start(ds))
    expected = full.filter(pl.col("enterprise_id").is_in(list(moved))).sort("enterprise_id")
    assert_frame_equal(fresh.sort("enterprise_id"), expected)


def test_other_rows_are_kept_with_their_own_as_of(updated: tuple[Path, Path]) -> None:
    before, out = updated
    table = pl.read_parquet(out)
    kept = table.filter(pl.col("as_of") == FIRST).sort("enterprise_id")
    previous = pl.read_parquet(before)
    expected = previous.filter(pl.col("enterprise_id").is_in(kept["enterprise_id"].implode()))
    assert_frame_equal(kept, expected.sort("enterprise_id"))
    assert table.height == previous.height


def test_an_order_after_the_as_of_marks_its_enterprise(small_dir: Path) -> None:
    ds = load_dataset(small_dir)
    orders = ds.orders.filter(pl.col("ordered_at").is_between(FIRST, LATER, "left")).collect()
    assert set(orders["enterprise_id"].to_list()) <= set(
        changed_enterprises(ds, FIRST, LATER).to_list()
    )


def test_an_earlier_as_of_is_refused(
    updated: tuple[Path, Path], small_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out = updated
    argv = ["features", "--data", str(small_dir), "--as-of", "2024-06-01", "--out", str(out)]
    assert main([*argv, "--incremental"]) != 0
    assert "give a later --as-of" in capsys.readouterr().err
