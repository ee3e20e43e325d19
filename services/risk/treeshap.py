"""Exact per-feature contributions of a LightGBM model (path-dependent TreeSHAP), compiled.

The values are LightGBM's `pred_contrib` (the same game, the same covers), computed another way.
A leaf's part of its tree's conditional expectation is a product over the distinct features on
its path: a feature in the coalition gives 1 or 0 (does the row satisfy the path's conditions on
it), one outside gives the share of training rows that took the path's way (its cover ratio r).
The Shapley value of such a product game depends only on which path features the row satisfies,
so each leaf keeps `E[p] = v * sum_k w(k, d) * e_(|p|-k)(r_p)` for every satisfaction pattern p of
its d features (d <= 9 for 31-leaf trees in practice). With R the product of r over the features
the row does not satisfy, a row then costs O(d) per leaf instead of TreeSHAP's O(d^2):

    unsatisfied feature i:  phi_i -= R * E[p]
    satisfied feature i:    phi_i += (1 - r_i) * R * E[p without i]

Rows are scored by a numba kernel; tables are built once per model.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np
from numba import njit

MAX_PATH_FEATURES = 20
"""Largest number of distinct features on one root-to-leaf path the tables allow (2^d each)."""

BATCH_KERNEL_ROWS = 8
"""From this many rows on, leaves are visited once for all rows (about twice as fast per row on
a batch of hundreds: each leaf's slots and table are read once)."""

_NUMERIC, _CATEGORICAL = 0, 1
_MISSING = {"None": 0, "Zero": 1, "NaN": 2}


class ExplainerError(ValueError):
    """The model has a structure the explainer does not handle (the bundle is refused)."""


@dataclass(frozen=True, slots=True)
class _Path:
    """One leaf: its value and, per distinct path feature, the cover ratio and the conditions."""

    value: float
    features: tuple[int, ...]
    ratios: tuple[float, ...]
    conditions: tuple[tuple[tuple[int, bool], ...], ...]
    """Per feature: (node, goes_left) for every split on it along the path."""


class _Builder:
    """Flattens the dumped trees into the arrays the kernel reads."""

    def __init__(self) -> None:
        self.node_feature: list[int] = []
        self.node_threshold: list[float] = []
        self.node_kind: list[int] = []
        self.node_default_left: list[bool] = []
        self.node_missing: list[int] = []
        self.cat_bounds: list[int] = [0]
        self.cat_values: list[int] = []
        self.paths: list[_Path] = []
        self.expected = 0.0

    def add_tree(self, root: Mapping[str, Any]) -> None:
        total = float(root.get("internal_count", root.get("leaf_count", 0)) or 0)
        for path in self._leaves(root, total, {}, []):
            self.expected += path.value * math.prod(path.ratios)
            if path.features:
                self.paths.append(path)

    def _node(self, node: Mapping[str, Any]) -> int:
        index = len(self.node_feature)
        self.node_feature.append(int(node["split_feature"]))
        self.node_default_left.append(bool(node.get("default_left", False)))
        self.node_missing.append(_MISSING[str(node.get("missing_type", "None"))])
        if node["decision_type"] == "==":
            self.node_kind.append(_CATEGORICAL)
            self.node_threshold.append(0.0)
            self.cat_values.extend(int(v) for v in str(node["threshold"]).split("||"))
        elif node["decision_type"] == "<=":
            self.node_kind.append(_NUMERIC)
            self.node_threshold.append(float(node["threshold"]))
        else:
            raise ExplainerError(f"unsupported split decision {node['decision_type']!r}")
        self.cat_bounds.append(len(self.cat_values))
        return index

    def _leaves(
        self,
        node: Mapping[str, Any],
        count: float,
        ratios: dict[int, float],
        conditions: list[tuple[int, int, bool]],
    ) -> Iterator[_Path]:
        if "split_feature" not in node:
            yield self._path(float(node["leaf_value"]), ratios, conditions)
            return
        index, feature = self._node(node), int(node["split_feature"])
        for side, left in (("left_child", True), ("right_child", False)):
            child = node[side]
            child_count = float(child.get("internal_count", child.get("leaf_count", 0)))
            share = child_count / count if count > 0 else 0.0
            branch = {**ratios, feature: ratios.get(feature, 1.0) * share}
            yield from self._leaves(
                child, child_count, branch, [*conditions, (feature, index, left)]
            )

    @staticmethod
    def _path(
        value: float, ratios: dict[int, float], conditions: list[tuple[int, int, bool]]
    ) -> _Path:
        features = tuple(ratios)
        if len(features) > MAX_PATH_FEATURES:
            raise ExplainerError(f"a path splits on {len(features)} distinct features")
        grouped = tuple(
            tuple((node, left) for f, node, left in conditions if f == feature)
            for feature in features
        )
        return _Path(value, features, tuple(ratios[f] for f in features), grouped)


@dataclass(frozen=True)
class TreeExplainer:
    """Compiled exact contributions of one booster; immutable and safe to share across threads."""

    n_features: int
    expected_value: float
    arrays: tuple[np.ndarray, ...]

    @classmethod
    def from_booster(cls, booster: lgb.Booster) -> TreeExplainer:
        dump = booster.dump_model()
        if int(dump.get("num_class", 1)) != 1:
            raise ExplainerError("only single-output models are explained")
        builder = _Builder()
        for tree in dump["tree_info"]:
            builder.add_tree(tree["tree_structure"])
        explainer = cls(booster.num_feature(), builder.expected, _flatten(builder))
        explainer.contributions(np.zeros((1, explainer.n_features)))  # compile before serving
        return explainer

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """(rows, features + 1): per-feature log-odds contributions, the expected value last;
        each row sums to the model's raw score."""
        rows = np.ascontiguousarray(x, dtype=np.float64).reshape(-1, self.n_features)
        out = np.zeros((rows.shape[0], self.n_features + 1))
        kernel = _explain_batch if rows.shape[0] >= BATCH_KERNEL_ROWS else _explain
        kernel(rows, out, *self.arrays)
        out[:, -1] = self.expected_value
        return out


def _flatten(b: _Builder) -> tuple[np.ndarray, ...]:
    """The kernel's arrays: nodes, then per leaf its slots (path features), their conditions
    and its pattern table."""
    slot_bounds, slot_feature, slot_ratio = [0], list[int](), list[float]()
    cond_bounds, cond_node, cond_left = [0], list[int](), list[bool]()
    table_start, tables, filled = list[int](), list[np.ndarray](), 0
    for path in b.paths:
        for feature, ratio, conditions in zip(
            path.features, path.ratios, path.conditions, strict=True
        ):
            slot_feature.append(feature)
            slot_ratio.append(ratio)
            cond_node.extend(node for node, _ in conditions)
            cond_left.extend(left for _, left in conditions)
            cond_bounds.append(len(cond_node))
        slot_bounds.append(len(slot_feature))
        table_start.append(filled)
        tables.append(_pattern_table(path.value, np.asarray(path.ratios)))
        filled += len(tables[-1])
    i32, f64 = np.int32, np.float64
    return (
        np.asarray(b.node_feature, i32),
        np.asarray(b.node_threshold, f64),
        np.asarray(b.node_kind, np.int8),
        np.asarray(b.node_default_left, np.bool_),
        np.asarray(b.node_missing, np.int8),
        np.asarray(b.cat_bounds, i32),
        np.asarray(b.cat_values, np.int64),
        np.asarray(slot_bounds, i32),
        np.asarray(slot_feature, i32),
        np.asarray(slot_ratio, f64),
        np.asarray(cond_bounds, i32),
        np.asarray(cond_node, i32),
        np.asarray(cond_left, np.bool_),
        np.asarray(table_start, np.int64),
        np.concatenate(tables) if tables else np.zeros(0),
    )


def _pattern_table(value: float, ratios: np.ndarray) -> np.ndarray:
    """`value * E[p]` for every satisfaction pattern p of the leaf's d path features."""
    d = len(ratios)
    weights = np.asarray(
        [math.factorial(k) * math.factorial(d - 1 - k) / math.factorial(d) for k in range(d)]
    )
    table = np.empty(1 << d)
    _fill_table(ratios, weights, table)
    return value * table


@njit(cache=True, nogil=True)  # type: ignore[misc]
def _fill_table(ratios: np.ndarray, weights: np.ndarray, table: np.ndarray) -> None:
    d = ratios.shape[0]
    poly = np.empty(d + 1)
    for pattern in range(1 << d):
        # Elementary symmetric polynomials e_0..e_m of the ratios of the satisfied features.
        poly[0] = 1.0
        m = 0
        for j in range(d):
            if pattern >> j & 1:
                m += 1
                poly[m] = 0.0
                for k in range(m, 0, -1):
                    poly[k] += poly[k - 1] * ratios[j]
        total = 0.0
        for k in range(m + 1):
            if k < d:
                total += weights[k] * poly[m - k]
        table[pattern] = total


@njit(cache=True, nogil=True)  # type: ignore[misc]
def _decide(
    row: np.ndarray,
    left: np.ndarray,
    node_feature: np.ndarray,
    threshold: np.ndarray,
    kind: np.ndarray,
    default_left: np.ndarray,
    missing: np.ndarray,
    cat_bounds: np.ndarray,
    cat_values: np.ndarray,
) -> None:
    """Which way the row goes at every node: LightGBM's own rule (Tree::NumericalDecision and
    CategoricalDecision), missing values included."""
    for n in range(node_feature.shape[0]):
        value = row[node_feature[n]]
        if kind[n] == 1:
            go = False
            # C++ static_cast<int>: truncation toward zero, so -0.5 is category 0.
            code = -1 if math.isnan(value) else int(value)
            if code >= 0:
                for c in range(cat_bounds[n], cat_bounds[n + 1]):
                    if cat_values[c] == code:
                        go = True
            left[n] = go
            continue
        if math.isnan(value):
            if missing[n] == 2:
                left[n] = default_left[n]
                continue
            value = 0.0
        if missing[n] == 1 and -1e-35 <= value <= 1e-35:
            left[n] = default_left[n]
        else:
            left[n] = value <= threshold[n]


@njit(cache=True, nogil=True)  # type: ignore[misc]
def _explain(
    rows: np.ndarray,
    out: np.ndarray,
    node_feature: np.ndarray,
    threshold: np.ndarray,
    kind: np.ndarray,
    default_left: np.ndarray,
    missing: np.ndarray,
    cat_bounds: np.ndarray,
    cat_values: np.ndarray,
    slot_bounds: np.ndarray,
    slot_feature: np.ndarray,
    slot_ratio: np.ndarray,
    cond_bounds: np.ndarray,
    cond_node: np.ndarray,
    cond_left: np.ndarray,
    table_start: np.ndarray,
    tables: np.ndarray,
) -> None:
    left = np.empty(node_feature.shape[0], np.bool_)
    for r in range(rows.shape[0]):
        _decide(
            rows[r],
            left,
            node_feature,
            threshold,
            kind,
            default_left,
            missing,
            cat_bounds,
            cat_values,
        )
        for leaf in range(table_start.shape[0]):
            first, last = slot_bounds[leaf], slot_bounds[leaf + 1]
            pattern = 0
            rest = 1.0
            for s in range(first, last):
                satisfied = True
                for c in range(cond_bounds[s], cond_bounds[s + 1]):
                    if left[cond_node[c]] != cond_left[c]:
                        satisfied = False
                        break
                if satisfied:
                    pattern |= 1 << (s - first)
                else:
                    rest *= slot_ratio[s]
            base = table_start[leaf]
            here = rest * tables[base + pattern]
            for s in range(first, last):
                bit = 1 << (s - first)
                if pattern & bit:
                    gain = (1.0 - slot_ratio[s]) * rest * tables[base + (pattern ^ bit)]
                    out[r, slot_feature[s]] += gain
                else:
                    out[r, slot_feature[s]] -= here


@njit(cache=True, nogil=True)  # type: ignore[misc]
def _explain_batch(
    rows: np.ndarray,
    out: np.ndarray,
    node_feature: np.ndarray,
    threshold: np.ndarray,
    kind: np.ndarray,
    default_left: np.ndarray,
    missing: np.ndarray,
    cat_bounds: np.ndarray,
    cat_values: np.ndarray,
    slot_bounds: np.ndarray,
    slot_feature: np.ndarray,
    slot_ratio: np.ndarray,
    cond_bounds: np.ndarray,
    cond_node: np.ndarray,
    cond_left: np.ndarray,
    table_start: np.ndarray,
    tables: np.ndarray,
) -> None:
    """`_explain` with the loops turned: leaves outside, rows inside."""
    n = rows.shape[0]
    left = np.empty((node_feature.shape[0], n), np.bool_)
    one_row = np.empty(node_feature.shape[0], np.bool_)
    for r in range(n):
        _decide(
            rows[r],
            one_row,
            node_feature,
            threshold,
            kind,
            default_left,
            missing,
            cat_bounds,
            cat_values,
        )
        left[:, r] = one_row
    pattern = np.empty(n, np.int64)
    rest = np.empty(n, np.float64)
    for leaf in range(table_start.shape[0]):
        first, last = slot_bounds[leaf], slot_bounds[leaf + 1]
        pattern[:] = 0
        rest[:] = 1.0
        for s in range(first, last):
            bit, ratio = 1 << (s - first), slot_ratio[s]
            for r in range(n):
                satisfied = True
                for c in range(cond_bounds[s], cond_bounds[s + 1]):
                    if left[cond_node[c], r] != cond_left[c]:
                        satisfied = False
                        break
                if satisfied:
                    pattern[r] |= bit
                else:
                    rest[r] *= ratio
        base = table_start[leaf]
        for s in range(first, last):
            bit, feature, kept = 1 << (s - first), slot_feature[s], 1.0 - slot_ratio[s]
            for r in range(n):
                p = pattern[r]
                if p & bit:
                    out[r, feature] += kept * rest[r] * tables[base + (p ^ bit)]
                else:
                    out[r, feature] -= rest[r] * tables[base + p]
