"""Validators for the trade-data contract.

``TableValidator`` checks one table (columns, types, nulls, enums, value rules, duplicate keys);
``ReferenceValidator`` checks foreign keys across tables; ``DatasetValidator`` runs both over a
whole data set and returns coerced lazy frames only when nothing is wrong. All checks are polars
expressions evaluated in one pass per table; only offending rows are materialised.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import polars as pl

from . import countries, fx, hs
from .coercion import IncompatibleType, coerce
from .errors import DataValidationError, Problem, ProblemKind
from .schemas import TABLES, Check, Column, ForeignKey, Table

ROW = "__row"
_RAW = "__raw__"
_USCC = r"^[0-9A-HJ-NPQRTUWXY]{18}$"


@dataclass(frozen=True, slots=True)
class CellRule:
    """A per-row condition on one column; ``message`` may use ``{value}``."""

    column: str
    kind: ProblemKind
    bad: pl.Expr
    message: str


def _raw(name: str) -> pl.Expr:
    return pl.col(_RAW + name)


def _hs_ok(c: pl.Expr) -> pl.Expr:
    chapter = c.str.slice(0, 2).is_in(sorted(hs.VALID_CHAPTERS))
    return c.str.contains(hs.HS_CODE_PATTERN.pattern) & chapter


# Value rule of each check: (problem kind, "value is fine" expression, message).
_CHECKS: dict[Check, tuple[ProblemKind, Callable[[pl.Expr], pl.Expr], str]] = {
    Check.CURRENCY: (
        ProblemKind.BAD_CURRENCY,
        lambda c: c.is_in(sorted(fx.CURRENCIES)),
        "{value} is not a supported ISO 4217 currency",
    ),
    Check.COUNTRY: (
        ProblemKind.BAD_COUNTRY,
        lambda c: c.is_in(sorted(countries.ISO_COUNTRY_CODES)),
        "{value} is not an ISO 3166-1 alpha-2 code",
    ),
    Check.HS_CODE: (
        ProblemKind.BAD_HS_CODE,
        _hs_ok,
        "{value} is not a 6-10 digit HS code with a valid chapter",
    ),
    Check.USCC: (
        ProblemKind.BAD_FORMAT,
        lambda c: c.str.contains(_USCC),
        "{value} is not an 18-character unified social credit code",
    ),
    Check.GRADE: (
        ProblemKind.OUT_OF_RANGE,
        lambda c: c.is_between(1, 10),
        "grade {value} is outside 1..10",
    ),
    Check.MONEY: (ProblemKind.NEGATIVE_AMOUNT, lambda c: c >= 0, "amount {value} is negative"),
    Check.NON_NEGATIVE: (ProblemKind.NEGATIVE_VALUE, lambda c: c >= 0, "{value} is negative"),
}


def _value_rules(col: Column) -> list[CellRule]:
    c = pl.col(col.name)
    present = c.is_not_null()
    rules: list[CellRule] = []
    if col.enum is not None:
        allowed = ", ".join(sorted(col.enum))
        bad = present & ~c.is_in(sorted(col.enum))
        rules.append(
            CellRule(col.name, ProblemKind.UNKNOWN_ENUM, bad, f"{{value}} is not one of {allowed}")
        )
    numeric_check = col.check in (Check.MONEY, Check.NON_NEGATIVE)
    if numeric_check and col.dtype == pl.Float64():
        bad = present & ~c.is_finite()
        rules.append(
            CellRule(col.name, ProblemKind.NON_FINITE, bad, "{value} is not a finite number")
        )
        present = present & c.is_finite()  # NaN and inf are reported once, as non-finite
    if col.check is not None:
        kind, ok, message = _CHECKS[col.check]
        rules.append(CellRule(col.name, kind, present & ~ok(c), message))
    return rules


class TableValidator:
    """Checks one raw table against its contract and coerces it to the contract dtypes."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def validate(self, raw: pl.LazyFrame) -> tuple[pl.LazyFrame, list[Problem]]:
        """Return (coerced frame with a ``__row`` index, problems)."""
        try:
            source = raw.collect_schema()
        except (pl.exceptions.PolarsError, OSError) as exc:
            return self._empty(), [
                self._problem(None, None, ProblemKind.UNREADABLE_TABLE, str(exc))
            ]
        problems = self._column_set_problems(source)
        exprs, rules = self._coercions(source, problems)
        coerced = raw.with_row_index(ROW).select(
            pl.col(ROW), *exprs, *(pl.col(n).alias(_RAW + n) for n in self._typed_present(source))
        )
        try:
            problems += self._cell_problems(coerced, rules)
            problems += self._duplicate_problems(coerced, problems)
        except pl.exceptions.PolarsError as exc:
            problems.append(self._problem(None, None, ProblemKind.UNREADABLE_TABLE, str(exc)))
        return coerced.select(ROW, *self.table.column_names), problems

    def _typed_present(self, source: pl.Schema) -> list[str]:
        return [c.name for c in self.table.columns if c.name in source]

    def _empty(self) -> pl.LazyFrame:
        return pl.LazyFrame(schema={ROW: pl.UInt32(), **dict(self.table.schema)})

    def _problem(
        self, row: int | None, column: str | None, kind: ProblemKind, message: str
    ) -> Problem:
        return Problem(self.table.name, row, column, kind, message)

    def _column_set_problems(self, source: pl.Schema) -> list[Problem]:
        missing = [c for c in self.table.column_names if c not in source]
        extra = [c for c in source if c not in self.table.by_name]
        return [
            *(
                self._problem(None, c, ProblemKind.MISSING_COLUMN, "required column is missing")
                for c in missing
            ),
            *(
                self._problem(None, c, ProblemKind.EXTRA_COLUMN, "column is not in the contract")
                for c in extra
            ),
        ]

    def _coercions(
        self, source: pl.Schema, problems: list[Problem]
    ) -> tuple[list[pl.Expr], list[CellRule]]:
        exprs: list[pl.Expr] = []
        rules: list[CellRule] = []
        for col in self.table.columns:
            if col.name not in source:
                exprs.append(pl.lit(None, dtype=col.dtype).alias(col.name))
                continue
            try:
                exprs.append(coerce(col.name, source[col.name], col.dtype).alias(col.name))
            except IncompatibleType as exc:
                problems.append(
                    self._problem(
                        None,
                        col.name,
                        ProblemKind.WRONG_TYPE,
                        f"dtype {exc} cannot hold {col.dtype}",
                    )
                )
                exprs.append(pl.lit(None, dtype=col.dtype).alias(col.name))
                continue
            rules.extend(self._column_rules(col, source[col.name]))
        return exprs, rules

    def _column_rules(self, col: Column, source: pl.DataType) -> list[CellRule]:
        c, r = pl.col(col.name), _raw(col.name)
        rules: list[CellRule] = []
        if source != col.dtype:
            rules.append(
                CellRule(
                    col.name,
                    ProblemKind.WRONG_TYPE,
                    r.is_not_null() & c.is_null(),
                    f"{{value}} is not a valid {col.dtype}",
                )
            )
        if not col.nullable:
            rules.append(
                CellRule(col.name, ProblemKind.NULL_VALUE, r.is_null(), "value is required")
            )
        return rules + _value_rules(col)

    def _cell_problems(self, coerced: pl.LazyFrame, rules: list[CellRule]) -> list[Problem]:
        if not rules:
            return []
        flags = [rule.bad.fill_null(False).alias(f"__f{i}") for i, rule in enumerate(rules)]
        shown = {rule.column for rule in rules}
        values = [_display(self.table.by_name[n]).alias(f"__v_{n}") for n in sorted(shown)]
        bad = (
            coerced.select(ROW, *flags, *values)
            .filter(pl.any_horizontal(f"__f{i}" for i in range(len(rules))))
            .collect()
        )
        problems: list[Problem] = []
        for i, rule in enumerate(rules):
            hits = bad.filter(pl.col(f"__f{i}")).select(ROW, f"__v_{rule.column}")
            for row, value in hits.iter_rows():
                message = rule.message.format(value=repr(value))
                problems.append(self._problem(row, rule.column, rule.kind, message))
        return sorted(problems, key=lambda p: (p.row or 0, p.column or ""))

    def _duplicate_problems(self, coerced: pl.LazyFrame, found: list[Problem]) -> list[Problem]:
        key = list(self.table.key)
        unusable = {p.column for p in found if p.row is None}
        if unusable & set(key):
            return []
        dupes = (
            coerced.select(ROW, *key)
            .filter(pl.all_horizontal(pl.col(k).is_not_null() for k in key))
            .with_columns(pl.col(ROW).min().over(key).alias("__first"))
            .filter(pl.col(ROW) != pl.col("__first"))
            .collect()
        )
        column = ",".join(key)
        return [
            self._problem(
                row[0],
                column,
                ProblemKind.DUPLICATE_KEY,
                f"key {row[1:-1]!r} already used at row {row[-1]}",
            )
            for row in dupes.iter_rows()
        ]


def _display(col: Column) -> pl.Expr:
    raw = _raw(col.name)
    if isinstance(col.dtype, pl.List):
        return pl.lit(None, dtype=pl.String())
    return raw.cast(pl.String(), strict=False)


class ReferenceValidator:
    """Checks that every foreign key points at an existing key of its target table(s).

    ``broken`` holds (table, column) pairs that are unusable (missing, wrong type, unreadable
    table: column ``None``); keys through them are not checked, as every row would fail.
    """

    def __init__(
        self, coerced: Mapping[str, pl.LazyFrame], broken: set[tuple[str, str | None]]
    ) -> None:
        self.coerced = coerced
        self.broken = broken

    def _usable(self, table: str, column: str) -> bool:
        return (
            table in self.coerced
            and (table, None) not in self.broken
            and (table, column) not in self.broken
        )

    def problems(self, table: Table) -> list[Problem]:
        found: list[Problem] = []
        for fk in table.foreign_keys:
            if self._usable(table.name, fk.column):
                found += self._fk_problems(table.name, self.coerced[table.name], fk)
        return found

    def _fk_problems(self, name: str, child: pl.LazyFrame, fk: ForeignKey) -> list[Problem]:
        usable = [(t, k) for t, k in fk.targets if self._usable(t, k)]
        if len(usable) < len(fk.targets):
            return []
        keys = pl.concat([self.coerced[t].select(pl.col(k).alias("__key")) for t, k in usable])
        dangling = (
            child.select(ROW, fk.column)
            .filter(pl.col(fk.column).is_not_null())
            .join(keys.unique(), left_on=fk.column, right_on="__key", how="anti")
            .sort(ROW)
            .collect()
        )
        where = " or ".join(f"{t}.{k}" for t, k in fk.targets)
        return [
            Problem(
                name, row, fk.column, ProblemKind.DANGLING_FK, f"{value!r} not found in {where}"
            )
            for row, value in dangling.iter_rows()
        ]


_WHOLE_TABLE = {ProblemKind.UNREADABLE_TABLE, ProblemKind.MISSING_TABLE}
_WHOLE_COLUMN = {ProblemKind.MISSING_COLUMN, ProblemKind.WRONG_TYPE}


def _broken(problems: list[Problem]) -> set[tuple[str, str | None]]:
    broken: set[tuple[str, str | None]] = set()
    for p in problems:
        if p.kind in _WHOLE_TABLE:
            broken.add((p.table, None))
        elif p.kind in _WHOLE_COLUMN and p.row is None:
            broken.add((p.table, p.column))
    return broken


class DatasetValidator:
    """Validates every contract table; returns clean lazy frames or raises with all problems."""

    def validate(self, raw: Mapping[str, pl.LazyFrame | None]) -> dict[str, pl.LazyFrame]:
        problems: list[Problem] = []
        coerced: dict[str, pl.LazyFrame] = {}
        for name, table in TABLES.items():
            frame = raw.get(name)
            if frame is None:
                if table.required:
                    problems.append(
                        Problem(name, None, None, ProblemKind.MISSING_TABLE, "table file not found")
                    )
                continue
            coerced[name], found = TableValidator(table).validate(frame)
            problems += found
        references = ReferenceValidator(coerced, _broken(problems))
        for table in TABLES.values():
            problems += references.problems(table)
        if problems:
            raise DataValidationError(tuple(problems))
        return coerced
