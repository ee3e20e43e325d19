"""The validator reports every class of bad input at the right table, row and column."""

from __future__ import annotations

import math

import polars as pl
import pytest

from services.tradedata.errors import DataValidationError, Problem, ProblemKind
from services.tradedata.loading import dataset_from_frames

Tables = dict[str, pl.DataFrame]


def _set(frame: pl.DataFrame, row: int, column: str, value: object) -> pl.DataFrame:
    values = frame[column].to_list()
    values[row] = value
    return frame.with_columns(pl.Series(column, values, dtype=frame.schema[column]))


def _problems(tables: Tables) -> list[Problem]:
    with pytest.raises(DataValidationError) as caught:
        dataset_from_frames(tables)
    return list(caught.value.problems)


def _only(tables: Tables) -> Problem:
    problems = _problems(tables)
    assert len(problems) == 1, problems
    return problems[0]


def test_valid_tables_load(tiny: Tables) -> None:
    ds = dataset_from_frames(tiny)
    assert ds.orders.collect().height == 5
    assert ds.relations.collect().height == 0  # optional table absent


def test_missing_column(tiny: Tables) -> None:
    tiny["payments"] = tiny["payments"].drop("channel")
    p = _only(tiny)
    assert (p.table, p.row, p.column, p.kind) == (
        "payments",
        None,
        "channel",
        ProblemKind.MISSING_COLUMN,
    )


def test_extra_column(tiny: Tables) -> None:
    tiny["buyers"] = tiny["buyers"].with_columns(pl.lit("x").alias("nickname"))
    p = _only(tiny)
    assert (p.table, p.column, p.kind) == ("buyers", "nickname", ProblemKind.EXTRA_COLUMN)


def test_wrong_type_whole_column(tiny: Tables) -> None:
    # A numeric HS code has lost its leading zeros: never acceptable as text.
    tiny["declarations"] = tiny["declarations"].with_columns(pl.col("hs_code").cast(pl.Int64))
    p = _only(tiny)
    assert (p.table, p.row, p.column, p.kind) == (
        "declarations",
        None,
        "hs_code",
        ProblemKind.WRONG_TYPE,
    )


def test_wrong_type_cell_in_text_column(tiny: Tables) -> None:
    orders = tiny["orders"].with_columns(pl.col("quantity").cast(pl.String))
    tiny["orders"] = _set(orders, 3, "quantity", "many")
    p = _only(tiny)
    assert (p.table, p.row, p.column, p.kind) == ("orders", 3, "quantity", ProblemKind.WRONG_TYPE)
    assert "many" in p.message


def test_fractional_integer(tiny: Tables) -> None:
    enterprises = tiny["enterprises"].with_columns(pl.col("employees").cast(pl.Float64))
    tiny["enterprises"] = _set(enterprises, 1, "employees", 2.5)
    p = _only(tiny)
    assert (p.table, p.row, p.column, p.kind) == (
        "enterprises",
        1,
        "employees",
        ProblemKind.WRONG_TYPE,
    )


def test_unknown_enum(tiny: Tables) -> None:
    tiny["orders"] = _set(tiny["orders"], 2, "payment_terms", "CASH")
    p = _only(tiny)
    assert (p.table, p.row, p.column, p.kind) == (
        "orders",
        2,
        "payment_terms",
        ProblemKind.UNKNOWN_ENUM,
    )


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (-5.0, ProblemKind.NEGATIVE_AMOUNT),
        (math.inf, ProblemKind.NON_FINITE),
        (math.nan, ProblemKind.NON_FINITE),
    ],
)
def test_bad_amounts(tiny: Tables, value: float, kind: ProblemKind) -> None:
    tiny["payments"] = _set(tiny["payments"], 4, "amount", value)
    p = _only(tiny)
    assert (p.table, p.row, p.column, p.kind) == ("payments", 4, "amount", kind)


def test_negative_quantity(tiny: Tables) -> None:
    tiny["waybills"] = _set(tiny["waybills"], 0, "packages", -1)
    p = _only(tiny)
    assert (p.table, p.row, p.column, p.kind) == (
        "waybills",
        0,
        "packages",
        ProblemKind.NEGATIVE_VALUE,
    )


@pytest.mark.parametrize(
    ("table", "column", "value", "kind"),
    [
        ("orders", "currency", "XYZ", ProblemKind.BAD_CURRENCY),
        ("payments", "payer_country", "XX", ProblemKind.BAD_COUNTRY),
        ("buyers", "country", "USA", ProblemKind.BAD_COUNTRY),
        ("orders", "hs_code", "6109", ProblemKind.BAD_HS_CODE),
        ("declarations", "hs_code", "770000", ProblemKind.BAD_HS_CODE),
        ("enterprises", "uscc", "12345", ProblemKind.BAD_FORMAT),
        ("buyers", "buyer_grade", 11, ProblemKind.OUT_OF_RANGE),
    ],
)
def test_bad_codes(tiny: Tables, table: str, column: str, value: object, kind: ProblemKind) -> None:
    tiny[table] = _set(tiny[table], 1, column, value)
    p = _only(tiny)
    assert (p.table, p.row, p.column, p.kind) == (table, 1, column, kind)


def test_null_in_required_column(tiny: Tables) -> None:
    tiny["orders"] = _set(tiny["orders"], 0, "buyer_id", None)
    p = _only(tiny)
    assert (p.table, p.row, p.column, p.kind) == ("orders", 0, "buyer_id", ProblemKind.NULL_VALUE)


def test_dangling_foreign_key(tiny: Tables) -> None:
    tiny["waybills"] = _set(tiny["waybills"], 2, "order_id", "O404")
    p = _only(tiny)
    assert (p.table, p.row, p.column, p.kind) == (
        "waybills",
        2,
        "order_id",
        ProblemKind.DANGLING_FK,
    )
    assert "O404" in p.message and "orders.order_id" in p.message


def test_duplicate_key(tiny: Tables) -> None:
    tiny["financings"] = _set(tiny["financings"], 1, "financing_id", "F1")
    p = _only(tiny)
    assert (p.table, p.row, p.column, p.kind) == (
        "financings",
        1,
        "financing_id",
        ProblemKind.DUPLICATE_KEY,
    )
    assert "row 0" in p.message


def test_missing_required_table(tiny: Tables) -> None:
    del tiny["watchlist"]
    p = _only(tiny)
    assert (p.table, p.kind) == ("watchlist", ProblemKind.MISSING_TABLE)


def test_relations_must_point_at_known_parties(tiny: Tables) -> None:
    from services.tradedata.schemas import RELATIONS_TABLE

    tiny["relations"] = pl.DataFrame(
        [
            {"party_a": "E1", "party_b": "B1", "relation": "OWNERSHIP", "since": None},
            {"party_a": "E1", "party_b": "AC1", "relation": "SHARED_ACCOUNT", "since": None},
            {"party_a": "E1", "party_b": "Z9", "relation": "OWNERSHIP", "since": None},
        ],
        schema=RELATIONS_TABLE.schema,
        orient="row",
    ).with_columns(
        pl.col("since")
        .fill_null(pl.col("since").max())
        .fill_null(pl.lit("2020-01-01").str.to_datetime(time_zone="UTC", time_unit="us"))
    )
    p = _only(tiny)
    assert (p.table, p.row, p.column, p.kind) == (
        "relations",
        2,
        "party_b",
        ProblemKind.DANGLING_FK,
    )


def test_every_problem_is_reported_together(tiny: Tables) -> None:
    tiny["orders"] = _set(_set(tiny["orders"], 0, "currency", "ABC"), 4, "amount", -1.0)
    tiny["payments"] = _set(tiny["payments"], 2, "payment_id", "P1")
    tiny["buyers"] = tiny["buyers"].drop("name")
    found = {(p.table, p.row, p.column, p.kind) for p in _problems(tiny)}
    assert found == {
        ("orders", 0, "currency", ProblemKind.BAD_CURRENCY),
        ("orders", 4, "amount", ProblemKind.NEGATIVE_AMOUNT),
        ("payments", 2, "payment_id", ProblemKind.DUPLICATE_KEY),
        ("buyers", None, "name", ProblemKind.MISSING_COLUMN),
    }


def test_error_summary_names_locations(tiny: Tables) -> None:
    tiny["orders"] = _set(tiny["orders"], 2, "incoterm", "XYZ")
    with pytest.raises(DataValidationError) as caught:
        dataset_from_frames(tiny)
    assert "orders[row 2].incoterm: UNKNOWN_ENUM" in str(caught.value)
