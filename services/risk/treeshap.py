"""Exact per-feature contributions of a LightGBM model (path-dependent TreeSHAP), compiled.

The values are LightGBM's `pred_contrib` (the same game, the same covers), computed another way.
A leaf's part of its tree's conditional expectation is a product over the distinct features on
its path: a feature in the coalition gives 1 or 0 (does the row satisfy the path's conditions on
it), one outside gives the share of training rows that took the path's way (its cover ratio r).
The Shapley value of such a product game depends only on which path features the row satisfies,
so each leaf keeps, for every satisfaction pattern p of its d features (d <= 9 for 31-leaf trees
in practice), the d contributions it gives (from `E[p] = v * sum_k w(k, d) * e_(|p|-k)(r_p)`):

    unsatisfied feature i:  phi_i = -R * E[p]
    satisfied feature i:    phi_i = (1 - r_i) * R * E[p without i]

with R the product of r over the features the row does not satisfy. A row then costs one pass
over the tree's nodes (each node's pattern is its parent's plus one bit) and d additions per
leaf, instead of TreeSHAP's O(d^2) per leaf. Leaves too deep for their vectors to fit
`VALUES_BUDGET_BYTES` keep only the pattern table and work the d values out per row.

A batch is walked tree by tree, so each leaf's block is read once for all its rows. A lone row
reads one vector from every leaf, scattered over megabytes: its cost is cache misses. So the
commonest patterns of each leaf among the served rows (`with_patterns_of`) are also kept leaf
after leaf in a few hundred kilobytes, where most of a lone row's reads then fall.

A small tree (at most `STATE_NODES` split nodes, as in a 4-leaf model) goes further: its
contributions depend only on its nodes' decisions, so a table holds them summed over its leaves
for each state of those decisions, and a row costs its decisions and one read per tree.

The kernels (`treeshap_kernels`) are compiled once per process; the arrays once per model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import lightgbm as lgb
import numpy as np

from services.risk import treeshap_kernels as kernels

MAX_PATH_FEATURES = 20
"""Largest number of distinct features on one root-to-leaf path the tables allow (2^d each)."""

VALUES_BUDGET_BYTES = 128 * 1024 * 1024
"""Memory the per-pattern contribution vectors of one model may take (2^d * d values a leaf);
leaves past it keep the 2^d pattern table alone."""

BATCH_KERNEL_ROWS = 3
"""From this many rows on, the batch kernel reads each tree once for all rows."""

FREQUENT_PATTERNS = 4
"""Patterns per leaf whose contributions are kept together for the few-rows kernel."""

PATTERN_SAMPLE_ROWS = 4096
"""Rows of a served table that decide each leaf's commonest patterns."""

STATE_NODES = 4
"""Trees with at most this many split nodes get a state table (2^nodes entries of at most
nodes values): a row then costs its node decisions and one table read per tree, instead of a
pass over the tree's positions and one vector read per leaf."""

_GROUPS = {
    ("<=", "None"): kernels.NUMERIC_NONE,
    ("<=", "Zero"): kernels.NUMERIC_ZERO,
    ("<=", "NaN"): kernels.NUMERIC_NAN,
}


class ExplainerError(ValueError):
    """The model has a structure the explainer does not handle (the bundle is refused)."""


@dataclass(frozen=True, slots=True)
class _Leaf:
    value: float
    position: int
    features: tuple[int, ...]
    ratios: tuple[float, ...]


class _Builder:
    """Flattens the dumped trees: split nodes (for the decisions), every node's position in
    its tree (parent, the parent's split, which side, the split feature's bit on the path) and
    the leaves."""

    def __init__(self) -> None:
        self.feature: list[int] = []
        self.threshold: list[float] = []
        self.default_left: list[bool] = []
        self.group: list[int] = []
        self.cat_bounds: list[int] = [0]
        self.cat_values: list[int] = []
        self.pos_parent: list[int] = []
        self.pos_node: list[int] = []
        self.pos_want: list[int] = []
        self.pos_bit: list[int] = []
        self.tree_pos: list[int] = [0]
        self.tree_leaves: list[int] = [0]
        self.tree_nodes: list[int] = [0]
        self.leaves: list[_Leaf] = []
        self.expected = 0.0

    def add_tree(self, root: Mapping[str, Any]) -> None:
        if "split_feature" not in root:  # a constant tree: part of the expected value only
            self.expected += float(root["leaf_value"])
            return
        self._walk(root, _count(root), {}, (0, 0, 0, 0))
        self.tree_pos.append(len(self.pos_parent))
        self.tree_leaves.append(len(self.leaves))
        self.tree_nodes.append(len(self.feature))

    def _walk(
        self,
        node: Mapping[str, Any],
        count: float,
        ratios: dict[int, float],
        edge: tuple[int, int, int, int],
    ) -> None:
        position = len(self.pos_parent)
        for column, value in zip(
            (self.pos_parent, self.pos_node, self.pos_want, self.pos_bit), edge, strict=True
        ):
            column.append(value)
        if "split_feature" not in node:
            self._leaf(float(node["leaf_value"]), position, ratios)
            return
        index, feature = self._node(node), int(node["split_feature"])
        slot = list(ratios).index(feature) if feature in ratios else len(ratios)
        for side, left in (("left_child", 1), ("right_child", 0)):
            child = node[side]
            child_count = _count(child)
            share = child_count / count if count > 0 else 0.0
            branch = {**ratios, feature: ratios.get(feature, 1.0) * share}
            self._walk(child, child_count, branch, (position, index, left, 1 << slot))

    def _node(self, node: Mapping[str, Any]) -> int:
        index = len(self.feature)
        self.feature.append(int(node["split_feature"]))
        self.default_left.append(bool(node.get("default_left", False)))
        missing = str(node.get("missing_type", "None"))
        if node["decision_type"] == "==":
            self.group.append(kernels.CATEGORICAL)
            self.threshold.append(0.0)
            self.cat_values.extend(int(v) for v in str(node["threshold"]).split("||"))
        elif (node["decision_type"], missing) in _GROUPS:
            self.group.append(_GROUPS[(node["decision_type"], missing)])
            self.threshold.append(float(node["threshold"]))
        else:
            raise ExplainerError(f"unsupported split {node['decision_type']!r} ({missing})")
        self.cat_bounds.append(len(self.cat_values))
        return index

    def _leaf(self, value: float, position: int, ratios: dict[int, float]) -> None:
        if len(ratios) > MAX_PATH_FEATURES:
            raise ExplainerError(f"a path splits on {len(ratios)} distinct features")
        self.expected += value * math.prod(ratios.values())
        self.leaves.append(_Leaf(value, position, tuple(ratios), tuple(ratios.values())))


def _count(node: Mapping[str, Any]) -> float:
    return float(node.get("internal_count", node.get("leaf_count", 0)) or 0)


@dataclass(frozen=True)
class TreeExplainer:
    """Compiled exact contributions of one booster; immutable and safe to share across threads."""

    n_features: int
    expected_value: float
    trees: kernels.Trees
    frequent: kernels.Frequent
    """Each leaf's commonest patterns and their contributions (none until `with_patterns_of`)."""

    @classmethod
    def from_booster(
        cls,
        booster: lgb.Booster,
        values_budget_bytes: int = VALUES_BUDGET_BYTES,
        state_nodes: int = STATE_NODES,
    ) -> TreeExplainer:
        dump = booster.dump_model()
        if int(dump.get("num_class", 1)) != 1:
            raise ExplainerError("only single-output models are explained")
        builder = _Builder()
        for tree in dump["tree_info"]:
            builder.add_tree(tree["tree_structure"])
        trees = _flatten(builder, values_budget_bytes, state_nodes, booster.num_feature())
        leaves = len(builder.leaves)
        none = kernels.Frequent(
            np.full((leaves, FREQUENT_PATTERNS), -1, np.int64),
            np.zeros(leaves, np.int64),
            np.zeros(0),
        )
        explainer = cls(booster.num_feature(), builder.expected, trees, none)
        for rows in (1, BATCH_KERNEL_ROWS):  # compile both kernels before serving
            explainer.contributions(np.zeros((rows, explainer.n_features)))
        return explainer

    def contributions(self, x: np.ndarray) -> np.ndarray:
        """(rows, features + 1): per-feature log-odds contributions, the expected value last;
        each row sums to the model's raw score."""
        rows = np.ascontiguousarray(x, dtype=np.float64).reshape(-1, self.n_features)
        if rows.shape[0] < BATCH_KERNEL_ROWS:
            out = np.zeros((rows.shape[0], self.n_features + 1))
            kernels.explain_rows(rows, out, self.trees, self.frequent)
            out[:, -1] = self.expected_value
            return out
        out_t = np.zeros((self.n_features + 1, rows.shape[0]))
        kernels.explain_batch(rows, out_t, self.trees)
        out_t[-1] = self.expected_value
        # Row-major like the few-rows kernel's, so row sums are taken in the same order.
        return np.ascontiguousarray(out_t.T)

    def with_patterns_of(self, x: np.ndarray) -> TreeExplainer:
        """This explainer with each leaf's commonest patterns among the rows of `x` (up to
        PATTERN_SAMPLE_ROWS of them, evenly spread) kept together: a lone row then finds most
        of its contributions in a few hundred kilobytes instead of megabytes."""
        rows = np.asarray(x, dtype=np.float64).reshape(-1, self.n_features)
        if len(rows) > PATTERN_SAMPLE_ROWS:
            rows = rows[np.linspace(0, len(rows) - 1, PATTERN_SAMPLE_ROWS).astype(np.intp)]
        rows = np.ascontiguousarray(rows)
        m = self.trees
        frequent = np.full((len(m.leaf_pos), FREQUENT_PATTERNS), -1, np.int64)
        if len(rows):
            kernels.commonest_patterns(rows, frequent, m)
        depths = np.diff(m.slot_bounds).astype(np.int64)
        sizes = np.where(depths <= m.vector_depth, depths * FREQUENT_PATTERNS, 0)
        start = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        found = kernels.Frequent(frequent, start, np.zeros(int(sizes.sum())))
        kernels.gather_frequent(m, found)
        return replace(self, frequent=found)


def _flatten(b: _Builder, budget_bytes: int, state_nodes: int, n_features: int) -> kernels.Trees:
    i32 = np.int32
    groups = np.asarray(b.group, np.int8)
    order = np.argsort(groups, kind="stable").astype(i32)
    group_bounds = np.searchsorted(groups[order], np.arange(5)).astype(i32)
    depths = [len(leaf.features) for leaf in b.leaves]
    depth = _vector_depth(depths, budget_bytes)
    slot_bounds = np.concatenate([[0], np.cumsum(depths)]).astype(i32)
    ratios = np.asarray([r for leaf in b.leaves for r in leaf.ratios], np.float64)
    sizes = [(1 << d) * d if d <= depth else 1 << d for d in depths]
    leaf_start = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    values = _page_aligned(int(leaf_start[-1]))
    for index, leaf in enumerate(b.leaves):
        table = leaf.value * _pattern_table(np.asarray(leaf.ratios))
        start, size = leaf_start[index], sizes[index]
        if len(leaf.features) <= depth:
            r = np.asarray(leaf.ratios)
            kernels.fill_vectors(r, 1.0 - r, table, values[start : start + size])
        else:
            values[start : start + size] = table
    trees = kernels.Trees(
        group_bounds,
        order,
        np.asarray(b.feature, i32),
        np.asarray(b.threshold, np.float64),
        np.asarray(b.default_left, np.uint8),
        np.asarray(b.cat_bounds, i32),
        np.asarray(b.cat_values, np.int64),
        np.asarray(b.tree_pos, i32),
        np.asarray(b.tree_leaves, i32),
        np.asarray(b.pos_parent, i32),
        np.asarray(b.pos_node, i32),
        np.asarray(b.pos_want, np.uint8),
        np.asarray(b.pos_bit, np.int64),
        np.asarray([leaf.position for leaf in b.leaves], i32),
        slot_bounds,
        np.asarray([f for leaf in b.leaves for f in leaf.features], i32),
        ratios,
        1.0 - ratios,
        leaf_start[:-1].copy(),
        depth,
        values,
        np.asarray(b.tree_nodes, i32),
        *_state_layout(b, state_nodes),
    )
    kernels.fill_states(trees, n_features)
    return trees


def _state_layout(
    b: _Builder, state_nodes: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Where each small tree's state table goes (`kernels.Trees.state_start`), the features
    it covers (those on its leaves' paths, in order) and the zeroed tables."""
    start: list[int] = []
    bounds: list[int] = [0]
    features: list[int] = []
    size = 0
    for t in range(len(b.tree_nodes) - 1):
        nodes = b.tree_nodes[t + 1] - b.tree_nodes[t]
        if nodes > state_nodes:
            start.append(-1)
        else:
            covered = sorted(
                {
                    f
                    for leaf in b.leaves[b.tree_leaves[t] : b.tree_leaves[t + 1]]
                    for f in leaf.features
                }
            )
            start.append(size)
            features.extend(covered)
            size += (1 << nodes) * len(covered)
        bounds.append(len(features))
    return (
        np.asarray(start, np.int64),
        np.asarray(bounds, np.int32),
        np.asarray(features, np.int32),
        np.zeros(size),
    )


HUGE_PAGE = 2 * 1024 * 1024


def _page_aligned(size: int) -> np.ndarray:
    """A float64 array starting on a 2 MiB boundary: numpy asks the kernel for huge pages on
    large buffers, and an aligned array then spans a few of them, not a thousand 4 KiB pages
    a row's scattered reads would each need a TLB entry for."""
    room = HUGE_PAGE // 8
    buffer = np.empty(size + room)
    skip = (-buffer.ctypes.data % HUGE_PAGE) // 8
    return buffer[skip : skip + size]


def _vector_depth(depths: list[int], budget_bytes: int) -> int:
    """The deepest path (in distinct features) whose leaves get per-pattern vectors within
    the budget."""
    counts = np.bincount(np.asarray(depths, dtype=np.int64), minlength=MAX_PATH_FEATURES + 1)
    for depth in range(MAX_PATH_FEATURES, -1, -1):
        size = sum(int(n) * ((1 << d) * d if d <= depth else 1 << d) for d, n in enumerate(counts))
        if size * 8 <= budget_bytes:
            return depth
    return 0


def _pattern_table(ratios: np.ndarray) -> np.ndarray:
    """`E[p] / v` for every satisfaction pattern p of a leaf's d path features."""
    d = len(ratios)
    weights = np.asarray(
        [math.factorial(k) * math.factorial(d - 1 - k) / math.factorial(d) for k in range(d)]
    )
    table = np.empty(1 << d)
    kernels.fill_table(ratios, weights, table)
    return table
