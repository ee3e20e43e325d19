"""The feature table's enterprise-id index: every id finds its own row, nothing else matches."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from services.risk.enterprise_index import EnterpriseIndex


def test_every_id_finds_its_row_in_a_shuffled_column() -> None:
    ids = [f"E{n:06d}" for n in np.random.default_rng(3).permutation(20_000)]
    index = EnterpriseIndex(pl.Series(ids))
    assert len(index) == len(ids)
    assert [index.row(eid) for eid in ids] == list(range(len(ids)))


@pytest.mark.parametrize("absent", ["E1", "E0000", "", "E1\x00", "e10", "E10 ", "E10" * 40])
def test_ids_not_in_the_table_find_nothing(absent: str) -> None:
    index = EnterpriseIndex(pl.Series(["E10", "E100", "Ä2", None, "E1\x00z"]))
    assert index.row(absent) == -1


def test_multibyte_and_chunked_columns() -> None:
    chunked = pl.concat([pl.Series(["Ä2", "北京-7"]), pl.Series(["E1\x00z", "E3"])], rechunk=False)
    index = EnterpriseIndex(chunked)
    assert [index.row(eid) for eid in ["Ä2", "北京-7", "E1\x00z", "E3"]] == [0, 1, 2, 3]


def test_a_sliced_column_keeps_its_own_rows() -> None:
    column = pl.Series([f"E{n}" for n in range(100)]).slice(40, 10)
    index = EnterpriseIndex(column)
    assert [index.row(f"E{n}") for n in range(40, 50)] == list(range(10))
    assert index.row("E39") == -1 and index.row("E50") == -1


def test_an_empty_table() -> None:
    assert EnterpriseIndex(pl.Series([], dtype=pl.String)).row("E1") == -1
