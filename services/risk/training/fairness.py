"""Protected attributes in a bring-your-own table: kept out of the model, used to check it.

A column is protected when the caller names it (``--protected``) or when a word of its name is
one of ``DEFAULT_PROTECTED`` (``personal_status_sex``, ``Age``, ``marital_status``). Protected
columns never become features unless explicitly allowed (``--allow-protected``); either way
the model's decisions are checked per group with the adverse-impact ratio: each group's
approval rate over the most-approved group's, flagged under the four-fifths line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import polars as pl

DEFAULT_PROTECTED = ("age", "sex", "gender", "marital", "nationality", "religion", "race")
FOUR_FIFTHS = 0.8
AGE_BANDS = (25, 40, 60)
"""Age groups: under 25, 25-39, 40-59, 60 and over."""
NUMERIC_GROUPS = 4
"""Other numeric protected columns are grouped by quartile."""


def _words(name: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", name.lower()) if w}


def protected_columns(
    columns: Iterable[str], named: Sequence[str] = (), allowed: Sequence[str] = ()
) -> tuple[list[str], list[str]]:
    """(protected columns to exclude, protected columns explicitly allowed as features)."""
    named_set = {n.strip() for n in named if n.strip()}
    found = [c for c in columns if c in named_set or any(w in DEFAULT_PROTECTED for w in _words(c))]
    allow = {a.strip() for a in allowed if a.strip()}
    return [c for c in found if c not in allow], [c for c in found if c in allow]


def _groups(column: pl.Series) -> np.ndarray:
    """Group label of each row: categories as they are, numbers in bands."""
    if not column.dtype.is_numeric():
        return np.asarray(column.cast(pl.String).fill_null("missing").to_list(), dtype=object)
    values = column.cast(pl.Float64).to_numpy()
    if "age" in _words(column.name):
        edges: list[float] = [float(v) for v in AGE_BANDS]
    else:
        present = values[~np.isnan(values)]
        quartiles = np.quantile(present, np.linspace(0, 1, NUMERIC_GROUPS + 1)[1:-1])
        edges = [float(v) for v in np.unique(quartiles)]
    labels = [f"< {edges[0]:g}"]
    labels += [f"{a:g} to < {b:g}" for a, b in zip(edges, edges[1:], strict=False)]
    labels += [f">= {edges[-1]:g}"]
    index = np.searchsorted(np.asarray(edges), values, side="right")
    return np.asarray(
        [labels[i] if not np.isnan(v) else "missing" for i, v in zip(index, values, strict=True)],
        dtype=object,
    )


def adverse_impact(column: pl.Series, approved: np.ndarray) -> list[dict[str, Any]]:
    """Approval rate and adverse-impact ratio of every group of ``column``."""
    groups = _groups(column)
    rates = {g: float(approved[groups == g].mean()) for g in sorted(set(groups))}
    best = max(rates.values(), default=0.0)
    return [
        {
            "group": g,
            "count": int((groups == g).sum()),
            "approval_rate": rate,
            "adverse_impact_ratio": rate / best if best > 0 else None,
            "below_four_fifths": best > 0 and rate / best < FOUR_FIFTHS,
        }
        for g, rate in rates.items()
    ]


def fairness_report(
    frame: pl.DataFrame,
    excluded: Sequence[str],
    allowed: Sequence[str],
    approved: np.ndarray,
) -> dict[str, Any]:
    """What was kept out, what was allowed, and the adverse impact per protected column."""
    return {
        "excluded": list(excluded),
        "allowed": list(allowed),
        "adverse_impact": {
            c: adverse_impact(frame.get_column(c), approved) for c in [*excluded, *allowed]
        },
        "rule": f"approval rate / the most-approved group's; flagged under {FOUR_FIFTHS}",
    }
