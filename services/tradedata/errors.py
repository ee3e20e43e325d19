"""Typed validation problems and the error that carries all of them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum


class ProblemKind(StrEnum):
    """What is wrong with a table, column or cell."""

    MISSING_TABLE = "MISSING_TABLE"
    UNREADABLE_TABLE = "UNREADABLE_TABLE"
    MISSING_COLUMN = "MISSING_COLUMN"
    EXTRA_COLUMN = "EXTRA_COLUMN"
    WRONG_TYPE = "WRONG_TYPE"
    NULL_VALUE = "NULL_VALUE"
    UNKNOWN_ENUM = "UNKNOWN_ENUM"
    NEGATIVE_AMOUNT = "NEGATIVE_AMOUNT"
    NEGATIVE_VALUE = "NEGATIVE_VALUE"
    NON_FINITE = "NON_FINITE"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    BAD_CURRENCY = "BAD_CURRENCY"
    BAD_COUNTRY = "BAD_COUNTRY"
    BAD_HS_CODE = "BAD_HS_CODE"
    BAD_FORMAT = "BAD_FORMAT"
    DUPLICATE_KEY = "DUPLICATE_KEY"
    DANGLING_FK = "DANGLING_FK"


@dataclass(frozen=True, slots=True)
class Problem:
    """One validation finding. ``row`` is the 0-based data row (header excluded) or ``None``
    when the finding concerns a whole table or column."""

    table: str
    row: int | None
    column: str | None
    kind: ProblemKind
    message: str

    def __str__(self) -> str:
        where = self.table
        if self.row is not None:
            where += f"[row {self.row}]"
        if self.column is not None:
            where += f".{self.column}"
        return f"{where}: {self.kind}: {self.message}"


class DataValidationError(Exception):
    """The data set breaks the contract; ``problems`` lists every finding."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        super().__init__(self.summary())

    def summary(self, limit: int = 20) -> str:
        counts = Counter((p.table, p.kind) for p in self.problems)
        head = ", ".join(f"{t}/{k}: {n}" for (t, k), n in sorted(counts.items()))
        lines = [f"{len(self.problems)} problem(s) in trade data ({head})"]
        lines += [f"  {p}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"  ... and {len(self.problems) - limit} more")
        return "\n".join(lines)

    def kinds(self) -> set[ProblemKind]:
        return {p.kind for p in self.problems}
