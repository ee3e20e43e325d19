"""Turning a raw column (typed Parquet or all-string CSV) into the contract dtype.

Each coercion is an expression; a value that is present in the raw data but null after coercion
did not parse, which the validator reports as ``WRONG_TYPE`` for that row. A source dtype that can
never become the contract dtype (e.g. a numeric HS code that lost its leading zeros) is
incompatible as a whole column.
"""

from __future__ import annotations

import polars as pl

from .schemas import CSV_LIST_SEPARATOR, TIMESTAMP

_TRUE = ("true", "t", "1", "yes", "y")
_FALSE = ("false", "f", "0", "no", "n")


class IncompatibleType(Exception):
    """The source column's dtype cannot be coerced to the contract dtype."""


def parse_timestamp(expr: pl.Expr) -> pl.Expr:
    """ISO 8601 text to UTC microseconds; a missing offset means UTC, a bare date means midnight."""
    text = (
        expr.str.strip_chars()
        .str.replace(r"^(\d{4}-\d{2}-\d{2})$", r"${1}T00:00:00")
        .str.replace(" ", "T")
        .str.replace(r"Z$", "+00:00")
    )
    with_offset = (
        pl.when(text.str.contains(r"[+-]\d{2}:?\d{2}$")).then(text).otherwise(text + "+00:00")
    )
    return with_offset.str.to_datetime(
        "%Y-%m-%dT%H:%M:%S%.f%z", time_unit="us", time_zone="UTC", strict=False
    )


def _parse_bool(expr: pl.Expr) -> pl.Expr:
    lowered = expr.str.strip_chars().str.to_lowercase()
    return (
        pl.when(lowered.is_in(_TRUE))
        .then(pl.lit(True))
        .when(lowered.is_in(_FALSE))
        .then(pl.lit(False))
        .otherwise(pl.lit(None, dtype=pl.Boolean()))
    )


def _from_string(expr: pl.Expr, target: pl.DataType) -> pl.Expr:
    if target == TIMESTAMP:
        return parse_timestamp(expr)
    if target == pl.Boolean():
        return _parse_bool(expr)
    if isinstance(target, pl.List):
        return (
            pl.when(expr.str.len_chars() == 0)
            .then(pl.lit([], dtype=target))
            .otherwise(expr.str.split(CSV_LIST_SEPARATOR))
        )
    return expr.str.strip_chars().cast(target, strict=False)


def _to_timestamp(expr: pl.Expr, source: pl.DataType) -> pl.Expr:
    if isinstance(source, pl.Datetime):
        aware = (
            expr.dt.replace_time_zone("UTC")
            if source.time_zone is None
            else expr.dt.convert_time_zone("UTC")
        )
        return aware.dt.cast_time_unit("us")
    if source == pl.Date():
        return expr.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    raise IncompatibleType(str(source))


def _to_integer(expr: pl.Expr, source: pl.DataType) -> pl.Expr:
    if source.is_integer():
        return expr.cast(pl.Int64())
    if source.is_float():
        # A fractional value is not an integer: null it so the row reports WRONG_TYPE.
        return pl.when(expr == expr.floor()).then(expr).otherwise(None).cast(pl.Int64())
    raise IncompatibleType(str(source))


def coerce(name: str, source: pl.DataType, target: pl.DataType) -> pl.Expr:
    """Expression converting column ``name`` from ``source`` to the contract dtype ``target``."""
    expr = pl.col(name)
    if source == target:
        return expr
    if source in (pl.String(), pl.Categorical()) or isinstance(source, pl.Enum):
        return _from_string(expr.cast(pl.String()), target)
    if target == TIMESTAMP:
        return _to_timestamp(expr, source)
    if target == pl.Int64():
        return _to_integer(expr, source)
    if target == pl.Float64() and source.is_numeric():
        return expr.cast(pl.Float64())
    if isinstance(target, pl.List) and isinstance(source, pl.List):
        return expr.cast(target, strict=False)
    raise IncompatibleType(str(source))
