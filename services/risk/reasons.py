"""Reason codes: the largest exact per-feature contributions, worded for a loan officer."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from services.risk.domain import Reason
from services.risk.features import FeatureSpec

OTHER_FEATURES = "other_features"
"""Pseudo-feature holding the sum of the contributions not listed, so reasons + base value
always add up to the model's raw score."""

_SHARE_UNITS = frozenset({"share", "fraction", "rate", "proportion"})
_PLAIN_PREFIXES = ("index", "category", "ratio", "log ratio", "count", "1")
"""Units shown as a bare number: scores and ratios read better without a unit word."""


def format_value(spec: FeatureSpec, value: float, categories: Sequence[str]) -> str:
    if math.isnan(value):
        return "not available"
    if spec.is_categorical:
        code = int(value)
        return categories[code] if 0 <= code < len(categories) else "unknown"
    unit = spec.unit.strip()
    if unit.lower() in _SHARE_UNITS:
        return f"{value * 100:.0f}%"
    if unit.lower() in {"percent", "%"}:
        return f"{value:.0f}%"
    if len(unit) == 3 and unit.isalpha() and unit.isupper():
        return f"{unit} {_compact(value)}"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text if not unit or unit.lower().startswith(_PLAIN_PREFIXES) else f"{text} {unit}"


def _compact(value: float) -> str:
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.1f}{suffix}"
    return f"{value:,.0f}"


def sentence(
    spec: FeatureSpec, value: float, contribution: float, categories: Sequence[str]
) -> str:
    effect = "raises risk" if contribution > 0 else "lowers risk"
    return f"{spec.description}: {format_value(spec, value, categories)}, {effect}"


def top_reasons(
    contributions: np.ndarray,
    values: np.ndarray,
    specs: Sequence[FeatureSpec],
    categories: Mapping[str, Sequence[str]],
    count: int,
) -> tuple[Reason, ...]:
    """Top `count` factors by absolute contribution, then one entry for all the others."""
    order = np.argsort(-np.abs(contributions), kind="stable")[:count].tolist()
    # Python floats from here: this runs on every request, for a few dozen features.
    contrib, value = contributions.tolist(), values.tolist()
    chosen = [j for j in order if contrib[j] != 0.0]
    reasons = [
        Reason(
            feature=specs[j].name,
            contribution=contrib[j],
            message=sentence(specs[j], value[j], contrib[j], categories.get(specs[j].name, ())),
            value=None if math.isnan(value[j]) else value[j],
        )
        for j in chosen
    ]
    taken = set(chosen)
    rest = [c for j, c in enumerate(contrib) if j not in taken and c != 0.0]
    if rest:
        total = math.fsum(rest)
        effect = "raise" if total > 0 else "lower"
        message = f"{len(rest)} other factors together {effect} risk slightly"
        reasons.append(Reason(OTHER_FEATURES, total, message, None))
    return tuple(reasons)
