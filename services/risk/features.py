"""Model inputs: the feature specs a bundle carries and the encoding of a feature table.

The same encoding is used when training and when scoring, so categorical codes always
match the categories stored in the bundle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

NUMERIC = "numeric"
CATEGORICAL = "categorical"


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """One model input as documented in the trade-data feature registry."""

    name: str
    description: str
    unit: str
    kind: str = NUMERIC
    direction: int = 0
    """+1 when a higher value never lowers risk, -1 when it never raises it, 0 no constraint."""

    @property
    def is_categorical(self) -> bool:
        return self.kind == CATEGORICAL

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "unit": self.unit,
            "kind": self.kind,
            "direction": self.direction,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FeatureSpec:
        return cls(
            name=str(data["name"]),
            description=str(data["description"]),
            unit=str(data["unit"]),
            kind=str(data.get("kind", NUMERIC)),
            direction=int(data.get("direction", 0)),
        )


def category_vocabulary(table: pl.DataFrame, specs: Sequence[FeatureSpec]) -> dict[str, list[str]]:
    """Sorted distinct values of each categorical feature; their position is the model code."""
    vocab: dict[str, list[str]] = {}
    for spec in specs:
        if spec.is_categorical:
            values = table.get_column(spec.name).cast(pl.String).drop_nulls().unique().sort()
            vocab[spec.name] = values.to_list()
    return vocab


def encode(
    table: pl.DataFrame, specs: Sequence[FeatureSpec], vocab: Mapping[str, Sequence[str]]
) -> np.ndarray:
    """Feature matrix (float64, NaN for missing) in spec order; unseen categories become NaN."""
    columns: list[pl.Expr] = []
    for spec in specs:
        if spec.is_categorical:
            codes = {value: float(i) for i, value in enumerate(vocab.get(spec.name, ()))}
            expr = (
                pl.col(spec.name)
                .cast(pl.String)
                .replace_strict(codes, default=None, return_dtype=pl.Float64)
            )
        else:
            expr = pl.col(spec.name).cast(pl.Float64)
        columns.append(expr.fill_nan(None).alias(spec.name))
    frame = table.select(columns)
    return frame.to_numpy().astype(np.float64, copy=False).reshape(len(table), len(specs))


def monotone_constraints(specs: Sequence[FeatureSpec]) -> list[int]:
    """LightGBM monotone constraints; categorical features cannot carry one."""
    return [0 if spec.is_categorical else int(np.sign(spec.direction)) for spec in specs]


def categorical_indices(specs: Sequence[FeatureSpec]) -> list[int]:
    return [i for i, spec in enumerate(specs) if spec.is_categorical]
