"""Loading from Parquet and CSV files or folders; nothing is returned when anything is wrong."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from services.tradedata.errors import DataValidationError, ProblemKind
from services.tradedata.loading import load_dataset
from services.tradedata.schemas import TABLES, TIMESTAMP

Tables = dict[str, pl.DataFrame]


def _write(tables: Tables, root: Path, fmt: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        if fmt == "parquet":
            frame.write_parquet(root / f"{name}.parquet")
        else:
            lists = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
            frame.with_columns(pl.col(c).list.join("|") for c in lists).write_csv(
                root / f"{name}.csv"
            )


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_round_trip_in_contract_dtypes(tiny: Tables, tmp_path: Path, fmt: str) -> None:
    _write(tiny, tmp_path, fmt)
    ds = load_dataset(tmp_path)
    for name in tiny:
        frame = ds.table(name).collect()
        assert frame.schema == TABLES[name].schema, name
        assert frame.equals(tiny[name]), name


def test_table_as_folder_of_parts(tiny: Tables, tmp_path: Path) -> None:
    _write({k: v for k, v in tiny.items() if k != "orders"}, tmp_path, "parquet")
    (tmp_path / "orders").mkdir()
    tiny["orders"].head(2).write_parquet(tmp_path / "orders" / "part-0.parquet")
    tiny["orders"].tail(3).write_parquet(tmp_path / "orders" / "part-1.parquet")
    ds = load_dataset(tmp_path)
    assert sorted(ds.orders.collect()["order_id"]) == sorted(tiny["orders"]["order_id"])


def test_csv_cells_are_located(tiny: Tables, tmp_path: Path) -> None:
    _write(tiny, tmp_path, "csv")
    text = (tmp_path / "payments.csv").read_text().splitlines()
    text[3] = text[3].replace("2023-09-20", "20/09/2023")  # data row 2 (line 3 after header)
    (tmp_path / "payments.csv").write_text("\n".join(text) + "\n")
    with pytest.raises(DataValidationError) as caught:
        load_dataset(tmp_path)
    [problem] = caught.value.problems
    assert (problem.table, problem.row, problem.column, problem.kind) == (
        "payments",
        2,
        "paid_at",
        ProblemKind.WRONG_TYPE,
    )


def test_naive_timestamps_are_utc(tiny: Tables, tmp_path: Path) -> None:
    tiny["orders"] = tiny["orders"].with_columns(pl.col("ordered_at").dt.replace_time_zone(None))
    _write(tiny, tmp_path, "parquet")
    ds = load_dataset(tmp_path)
    assert ds.orders.collect_schema()["ordered_at"] == TIMESTAMP
    assert ds.orders.collect()["ordered_at"].equals(tiny_orders_utc(tiny))


def tiny_orders_utc(tiny: Tables) -> pl.Series:
    return tiny["orders"]["ordered_at"].dt.replace_time_zone("UTC")


def test_nothing_is_half_loaded(tiny: Tables, tmp_path: Path) -> None:
    tiny["orders"] = tiny["orders"].with_columns(pl.lit("ZZZ").alias("currency"))
    _write(tiny, tmp_path, "parquet")
    with pytest.raises(DataValidationError) as caught:
        load_dataset(tmp_path)
    assert {p.table for p in caught.value.problems} == {"orders"}
    assert len(caught.value.problems) == tiny["orders"].height


def test_missing_directory_and_unreadable_file(tiny: Tables, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_dataset(tmp_path / "nowhere")
    _write(tiny, tmp_path, "parquet")
    (tmp_path / "buyers.parquet").write_bytes(b"not parquet")
    with pytest.raises(DataValidationError) as caught:
        load_dataset(tmp_path)
    assert caught.value.kinds() == {ProblemKind.UNREADABLE_TABLE}
