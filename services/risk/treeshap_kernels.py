"""The compiled kernels of `treeshap`: node decisions, path masks and leaf contributions.

Every kernel reads the flattened model (`Trees`, built by `treeshap`) as one typed tuple.
Nothing here branches on the data where it can be avoided: on this kind of processor a
mispredicted branch costs as much as a dozen table reads, and a leaf's loops are a handful of
iterations each.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

NUMERIC_NONE, NUMERIC_ZERO, NUMERIC_NAN, CATEGORICAL = 0, 1, 2, 3
"""Node groups: numeric splits by LightGBM missing type (None: NaN is 0; Zero: 0 and NaN take
the default side; NaN: NaN takes the default side), then categorical splits."""

ZERO_BAND = 1e-35
"""LightGBM's kZeroThreshold: values this close to 0 count as zero."""


class Trees(NamedTuple):
    """A booster flattened for the kernels (numba passes it as one typed tuple)."""

    group_bounds: np.ndarray
    """Split nodes of group g are group_nodes[group_bounds[g]:group_bounds[g + 1]]."""
    group_nodes: np.ndarray
    feature: np.ndarray
    """Per split node: its feature, threshold, default side and categories
    (cat_values[cat_bounds[node]:cat_bounds[node + 1]])."""
    threshold: np.ndarray
    default_left: np.ndarray
    cat_bounds: np.ndarray
    cat_values: np.ndarray
    tree_pos: np.ndarray
    """Tree t's node positions are tree_pos[t]:tree_pos[t + 1], its leaves
    tree_leaves[t]:tree_leaves[t + 1]."""
    tree_leaves: np.ndarray
    pos_parent: np.ndarray
    """Per position: its parent's position, the parent's split node, whether it is the left
    side, and the parent's split feature's bit on the path."""
    pos_node: np.ndarray
    pos_want: np.ndarray
    pos_bit: np.ndarray
    leaf_pos: np.ndarray
    """Per leaf: its position, and its path features slot_bounds[leaf]:slot_bounds[leaf + 1]
    (feature, cover ratio, 1 - ratio), its block of `values` from leaf_start[leaf]."""
    slot_bounds: np.ndarray
    slot_feature: np.ndarray
    slot_ratio: np.ndarray
    slot_kept: np.ndarray
    leaf_start: np.ndarray
    vector_depth: int
    """Leaves with at most this many path features keep a contribution vector per pattern,
    deeper ones their pattern table alone."""
    values: np.ndarray
    tree_nodes: np.ndarray
    """Tree t's split nodes are tree_nodes[t]:tree_nodes[t + 1]."""
    state_start: np.ndarray
    """Per tree: where its state table starts in `state_values`, -1 for a tree without one. A
    small tree's contributions depend only on its nodes' decisions (bit i: the tree's i-th
    node goes left), so for every such state the table holds the sum over the tree's leaves
    for each of its features, state_feature[state_bounds[t]:state_bounds[t + 1]]."""
    state_bounds: np.ndarray
    state_feature: np.ndarray
    state_values: np.ndarray


class Frequent(NamedTuple):
    """Each leaf's commonest patterns (-1 for none) and their contributions, leaf after leaf
    from start[leaf]."""

    patterns: np.ndarray
    start: np.ndarray
    values: np.ndarray


@njit(cache=True, nogil=True)  # type: ignore[misc]
def decide(rows: np.ndarray, dec: np.ndarray, m: Trees) -> None:
    """dec[node, row] = 1 when the row goes left at the node: LightGBM's own rule
    (Tree::NumericalDecision and CategoricalDecision), missing values included."""
    group_bounds, group_nodes, feature = m.group_bounds, m.group_nodes, m.feature
    threshold, default_left = m.threshold, m.default_left
    cat_bounds, cat_values = m.cat_bounds, m.cat_values
    n = rows.shape[0]
    # Feature by feature, so a node's loop over the rows reads one contiguous column (the
    # compiler then compares several rows per instruction).
    columns = np.ascontiguousarray(rows.T)
    for g in range(4):
        for k in range(group_bounds[g], group_bounds[g + 1]):
            node = group_nodes[k]
            f, t, dl = feature[node], threshold[node], default_left[node]
            column = columns[f]
            for r in range(n):
                v = column[r]
                nan = math.isnan(v)
                if g == NUMERIC_NONE:
                    dec[node, r] = (0.0 if nan else v) <= t
                elif g == NUMERIC_NAN:
                    dec[node, r] = dl if nan else v <= t
                elif g == NUMERIC_ZERO:
                    z = 0.0 if nan else v
                    dec[node, r] = dl if -ZERO_BAND <= z <= ZERO_BAND else z <= t
                else:
                    # C++ static_cast<int>: truncation toward zero, so -0.5 is category 0.
                    code = -1 if nan else int(v)
                    go = 0
                    for c in range(cat_bounds[node], cat_bounds[node + 1]):
                        if code >= 0 and cat_values[c] == code:
                            go = 1
                    dec[node, r] = go


@njit(cache=True, nogil=True)  # type: ignore[misc]
def _masks(row: np.ndarray, dec: np.ndarray, mask: np.ndarray, m: Trees) -> None:
    """mask[p]: the path features one row (1 x features) leaves unsatisfied at position p,
    its parent's plus the parent's bit when the row goes the other way."""
    decide(row, dec, m)
    tree_pos, pos_parent, pos_node, pos_want, pos_bit = (
        m.tree_pos,
        m.pos_parent,
        m.pos_node,
        m.pos_want,
        m.pos_bit,
    )
    for t in range(tree_pos.shape[0] - 1):
        mask[tree_pos[t]] = 0
        for p in range(tree_pos[t] + 1, tree_pos[t + 1]):
            mask[p] = mask[pos_parent[p]] | (dec[pos_node[p], 0] ^ pos_want[p]) * pos_bit[p]


@njit(cache=True, nogil=True)  # type: ignore[misc]
def explain_rows(rows: np.ndarray, out: np.ndarray, m: Trees, f: Frequent) -> None:
    """One row at a time (out is rows x features + 1): for a few rows.

    A tree with a state table adds the row's entry of it (`_add_state`). In another tree, a
    leaf with at most `vector_depth` path features adds the contributions stored for the
    row's pattern: from `f.values` when the pattern is one of the leaf's commonest
    (`f.patterns[leaf]`, laid out leaf after leaf in a few hundred kilobytes), else from its
    own block of `values`. A single row reads one vector from every leaf of such trees, so
    where those reads land decides its cost. A deeper leaf works them out from its pattern
    table (`_table_leaf`)."""
    tree_pos, tree_leaves, tree_nodes = m.tree_pos, m.tree_leaves, m.tree_nodes
    pos_parent, pos_node, pos_want, pos_bit = m.pos_parent, m.pos_node, m.pos_want, m.pos_bit
    leaf_pos, slot_bounds, slot_feature = m.leaf_pos, m.slot_bounds, m.slot_feature
    leaf_start, vector_depth, values = m.leaf_start, m.vector_depth, m.values
    frequent, frequent_start, frequent_values = f.patterns, f.start, f.values
    dec = np.empty((m.feature.shape[0], 1), np.uint8)
    mask = np.zeros(m.pos_parent.shape[0], np.int64)
    kinds = frequent.shape[1]
    for r in range(rows.shape[0]):
        decide(rows[r : r + 1], dec, m)
        for t in range(tree_pos.shape[0] - 1):
            if m.state_start[t] >= 0:
                state = np.int64(0)
                for i in range(tree_nodes[t + 1] - tree_nodes[t]):
                    state |= np.int64(dec[tree_nodes[t] + i, 0]) << i
                _add_state(out, r, t, state, m)
                continue
            mask[tree_pos[t]] = 0
            for p in range(tree_pos[t] + 1, tree_pos[t + 1]):
                mask[p] = mask[pos_parent[p]] | (dec[pos_node[p], 0] ^ pos_want[p]) * pos_bit[p]
            for leaf in range(tree_leaves[t], tree_leaves[t + 1]):
                first = slot_bounds[leaf]
                d = slot_bounds[leaf + 1] - first
                unmet = mask[leaf_pos[leaf]]
                if d <= vector_depth:
                    at = leaf_start[leaf] + (((1 << d) - 1) ^ unmet) * d
                    source = values
                    for k in range(kinds):
                        if frequent[leaf, k] == unmet:
                            at = frequent_start[leaf] + k * d
                            source = frequent_values
                    for s in range(d):
                        out[r, slot_feature[first + s]] += source[at + s]
                else:
                    _table_leaf(out, r, unmet, first, d, m, leaf_start[leaf])


@njit(cache=True, nogil=True, inline="always")  # type: ignore[misc]
def _add_state(out: np.ndarray, r: int, t: int, state: np.int64, m: Trees) -> None:
    """out[r] += tree t's contributions in `state` (its nodes' decisions as bits)."""
    first, last = m.state_bounds[t], m.state_bounds[t + 1]
    at = m.state_start[t] + state * (last - first)
    for j in range(last - first):
        out[r, m.state_feature[first + j]] += m.state_values[at + j]


@njit(cache=True, nogil=True)  # type: ignore[misc]
def fill_states(m: Trees, n_features: int) -> None:
    """Every state table: for each state of a tree's node decisions,
    its leaves' contributions added up leaf after leaf, as the kernels would add them."""
    tree_pos, tree_leaves, tree_nodes = m.tree_pos, m.tree_leaves, m.tree_nodes
    pos_parent, pos_node, pos_want, pos_bit = m.pos_parent, m.pos_node, m.pos_want, m.pos_bit
    leaf_pos, slot_bounds, slot_feature = m.leaf_pos, m.slot_bounds, m.slot_feature
    leaf_start, vector_depth, values = m.leaf_start, m.vector_depth, m.values
    mask = np.zeros(m.pos_parent.shape[0], np.int64)
    row = np.zeros((1, n_features))
    for t in range(tree_pos.shape[0] - 1):
        if m.state_start[t] < 0:
            continue
        first, last = m.state_bounds[t], m.state_bounds[t + 1]
        n0 = tree_nodes[t]
        for state in range(1 << (tree_nodes[t + 1] - n0)):
            row[0, :] = 0.0
            mask[tree_pos[t]] = 0
            for p in range(tree_pos[t] + 1, tree_pos[t + 1]):
                go = (state >> (pos_node[p] - n0)) & 1
                mask[p] = mask[pos_parent[p]] | (go ^ pos_want[p]) * pos_bit[p]
            for leaf in range(tree_leaves[t], tree_leaves[t + 1]):
                start = slot_bounds[leaf]
                d = slot_bounds[leaf + 1] - start
                unmet = mask[leaf_pos[leaf]]
                if d <= vector_depth:
                    at = leaf_start[leaf] + (((1 << d) - 1) ^ unmet) * d
                    for s in range(d):
                        row[0, slot_feature[start + s]] += values[at + s]
                else:
                    _table_leaf(row, 0, unmet, start, d, m, leaf_start[leaf])
            at = m.state_start[t] + state * (last - first)
            for j in range(last - first):
                m.state_values[at + j] = row[0, m.state_feature[first + j]]


@njit(cache=True, nogil=True)  # type: ignore[misc]
def commonest_patterns(rows: np.ndarray, frequent: np.ndarray, m: Trees) -> None:
    """frequent[leaf, k]: the k-th commonest pattern of the leaf among `rows` (ties to the
    smaller pattern), -1 past the last one seen."""
    n = rows.shape[0]
    leaf_pos = m.leaf_pos
    dec = np.empty((m.feature.shape[0], 1), np.uint8)
    mask = np.zeros(m.pos_parent.shape[0], np.int64)
    seen = np.empty((leaf_pos.shape[0], n), np.int64)
    for r in range(n):
        _masks(rows[r : r + 1], dec, mask, m)
        for leaf in range(leaf_pos.shape[0]):
            seen[leaf, r] = mask[leaf_pos[leaf]]
    frequent[:, :] = -1
    counts = np.zeros(frequent.shape[1], np.int64)
    for leaf in range(leaf_pos.shape[0]):
        column = np.sort(seen[leaf])
        counts[:] = 0
        start = 0
        for i in range(1, n + 1):
            if i < n and column[i] == column[start]:
                continue
            run, pattern = i - start, column[start]
            for k in range(frequent.shape[1]):  # keep the top counts, first seen first
                if run > counts[k]:
                    for j in range(frequent.shape[1] - 1, k, -1):
                        counts[j], frequent[leaf, j] = counts[j - 1], frequent[leaf, j - 1]
                    counts[k], frequent[leaf, k] = run, pattern
                    break
            start = i


@njit(cache=True, nogil=True, inline="always")  # type: ignore[misc]
def _table_leaf(
    out: np.ndarray, r: int, unmet: int, first: int, d: int, m: Trees, base: int
) -> None:
    """From the pattern table E (m.values from `base`): an unsatisfied feature i gets
    -R * E[p], a satisfied one (1 - r_i) * R * E[p without i], R the product of the
    unsatisfied features' ratios."""
    slot_feature, slot_ratio, slot_kept, table = (
        m.slot_feature,
        m.slot_ratio,
        m.slot_kept,
        m.values,
    )
    met = ((1 << d) - 1) ^ unmet
    rest = 1.0
    for s in range(d):
        rest *= slot_ratio[first + s] if unmet >> s & 1 else 1.0
    here = rest * table[base + met]
    for s in range(d):
        gain = slot_kept[first + s] * rest * table[base + (met ^ (1 << s))]
        out[r, slot_feature[first + s]] += gain if met >> s & 1 else -here


@njit(cache=True, nogil=True)  # type: ignore[misc]
def explain_batch(rows: np.ndarray, out_t: np.ndarray, m: Trees) -> None:
    """`explain_rows` for many rows (out_t is features + 1 x rows): tree by tree with the
    loops over rows innermost, so a tree's values are read once for the whole batch."""
    tree_pos, tree_leaves, leaf_pos = m.tree_pos, m.tree_leaves, m.leaf_pos
    pos_parent, pos_node, pos_want, pos_bit = m.pos_parent, m.pos_node, m.pos_want, m.pos_bit
    slot_bounds, slot_feature, leaf_start = m.slot_bounds, m.slot_feature, m.leaf_start
    vector_depth, values = m.vector_depth, m.values
    tree_nodes, state_start, state_bounds = m.tree_nodes, m.state_start, m.state_bounds
    state_feature, state_values = m.state_feature, m.state_values
    n = rows.shape[0]
    dec = np.empty((m.feature.shape[0], n), np.uint8)
    decide(rows, dec, m)
    widest = 1
    for t in range(tree_pos.shape[0] - 1):
        widest = max(widest, tree_pos[t + 1] - tree_pos[t])
    mask = np.empty((widest, n), np.int64)
    at = np.empty(n, np.int64)
    out = out_t.T
    for t in range(tree_pos.shape[0] - 1):
        if state_start[t] >= 0:  # the same sums as `_add_state`, row after row
            n0 = tree_nodes[t]
            at[:] = 0
            for i in range(tree_nodes[t + 1] - n0):
                for r in range(n):
                    at[r] |= np.int64(dec[n0 + i, r]) << i
            first, last = state_bounds[t], state_bounds[t + 1]
            for r in range(n):
                at[r] = state_start[t] + at[r] * (last - first)
            for j in range(last - first):
                f = state_feature[first + j]
                for r in range(n):
                    out_t[f, r] += state_values[at[r] + j]
            continue
        p0 = tree_pos[t]
        mask[0, :] = 0
        for p in range(p0 + 1, tree_pos[t + 1]):
            parent, node, want, bit = pos_parent[p] - p0, pos_node[p], pos_want[p], pos_bit[p]
            for r in range(n):
                mask[p - p0, r] = mask[parent, r] | (dec[node, r] ^ want) * bit
        for leaf in range(tree_leaves[t], tree_leaves[t + 1]):
            first = slot_bounds[leaf]
            d = slot_bounds[leaf + 1] - first
            local = leaf_pos[leaf] - p0
            if d <= vector_depth:
                full, base = (1 << d) - 1, leaf_start[leaf]
                for r in range(n):
                    at[r] = base + (full ^ mask[local, r]) * d
                for s in range(d):
                    f = slot_feature[first + s]
                    for r in range(n):
                        out_t[f, r] += values[at[r] + s]
            else:
                for r in range(n):
                    _table_leaf(out, r, mask[local, r], first, d, m, leaf_start[leaf])


@njit(cache=True, nogil=True)  # type: ignore[misc]
def fill_vectors(
    ratios: np.ndarray, kept: np.ndarray, table: np.ndarray, vectors: np.ndarray
) -> None:
    """A leaf's contributions for every pattern, d per pattern (`_table_leaf` done ahead)."""
    d = ratios.shape[0]
    for met in range(1 << d):
        rest = 1.0
        for s in range(d):
            rest *= 1.0 if met >> s & 1 else ratios[s]
        here = rest * table[met]
        for s in range(d):
            if met >> s & 1:
                vectors[met * d + s] = kept[s] * rest * table[met ^ (1 << s)]
            else:
                vectors[met * d + s] = -here


@njit(cache=True, nogil=True)  # type: ignore[misc]
def fill_table(ratios: np.ndarray, weights: np.ndarray, table: np.ndarray) -> None:
    """`E[p] / v` for every satisfaction pattern p of a leaf's path features:
    sum_k w(k, d) * e_(|p|-k)(r_p), e the elementary symmetric polynomials."""
    d = ratios.shape[0]
    poly = np.empty(d + 1)
    for pattern in range(1 << d):
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
def gather_frequent(m: Trees, f: Frequent) -> None:
    """Fills f.values with each vector leaf's commonest patterns' contributions, leaf after
    leaf (f.start must hold the offsets: the leaf's depth times the patterns kept)."""
    slot_bounds, leaf_start, vector_depth, values = (
        m.slot_bounds,
        m.leaf_start,
        m.vector_depth,
        m.values,
    )
    frequent, frequent_start, frequent_values = f.patterns, f.start, f.values
    for leaf in range(frequent.shape[0]):
        d = slot_bounds[leaf + 1] - slot_bounds[leaf]
        if d > vector_depth:
            continue
        for k in range(frequent.shape[1]):
            pattern = frequent[leaf, k]
            if pattern < 0:
                continue
            source = leaf_start[leaf] + (((1 << d) - 1) ^ pattern) * d
            target = frequent_start[leaf] + k * d
            frequent_values[target : target + d] = values[source : source + d]
