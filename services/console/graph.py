"""Network structures (a cycle, a fan-in, a fan-out) laid out for drawing as SVG.

A structure with a hub (one party on every flow) is drawn as a star with the hub in the
middle; anything else is drawn on a circle in the order the money travels, hopping across
known relations (ownership, shared director, ...), so a cycle through related groups reads as
a ring. Parallel flows between the same two parties are drawn once with their total;
relations are dashed lines without arrows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from services.console.domain import Flow

WIDTH = 760
HEIGHT = 480
NODE_RADIUS = 34
_RING = 175


@dataclass(frozen=True, slots=True)
class Node:
    party_id: str
    x: float
    y: float
    hub: bool


@dataclass(frozen=True, slots=True)
class Edge:
    """An arrow from one party to another, trimmed to the node circles, with its label."""

    from_party: str
    to_party: str
    x1: float
    y1: float
    x2: float
    y2: float
    label: str
    label_x: float
    label_y: float
    relation: bool = False


@dataclass(frozen=True, slots=True)
class NetworkDrawing:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    shape: str
    width: int = WIDTH
    height: int = HEIGHT


def _totals(flows: Sequence[Flow]) -> dict[tuple[str, str], tuple[Decimal, str, int]]:
    totals: dict[tuple[str, str], tuple[Decimal, str, int]] = {}
    for flow in flows:
        key = (flow.from_party, flow.to_party)
        amount, _, count = totals.get(key, (Decimal(0), flow.currency, 0))
        totals[key] = (amount + flow.amount, flow.currency, count + 1)
    return totals


def _hub(parties: list[str], pairs: Sequence[tuple[str, str]]) -> str | None:
    if len(pairs) < 2:
        return None
    for party in parties:
        if all(party in pair for pair in pairs):
            return party
    return None


#: Relations tried first when walking a structure: the tighter the link, the likelier it is
#: the hop the money took inside one group.
_RELATION_ORDER = ("OWNERSHIP", "SHARED_ACCOUNT", "SHARED_ADDRESS", "SHARED_DIRECTOR")


def _neighbours(
    pairs: Sequence[tuple[str, str]], relations: Sequence[tuple[str, str, str]]
) -> dict[str, list[tuple[str, str]]]:
    """Each party's next hops: its payees first, then related parties, tightest link first."""
    ranked = sorted(
        relations, key=lambda r: _RELATION_ORDER.index(r[2]) if r[2] in _RELATION_ORDER else 9
    )
    following: dict[str, list[tuple[str, str]]] = {}
    for a, b in pairs:
        following.setdefault(a, []).append((b, ""))
    for a, b, relation in ranked:
        following.setdefault(a, []).append((b, relation))
        following.setdefault(b, []).append((a, relation))
    return following


def _travel_order(
    members: Sequence[str],
    pairs: Sequence[tuple[str, str]],
    relations: Sequence[tuple[str, str, str]],
) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Parties in the order money moves, crossing relations either way (a cycle comes out in
    its ring order), and the relations that walk used."""
    parties = list(dict.fromkeys([*members, *(p for pair in pairs for p in pair)]))
    following = _neighbours(pairs, relations)
    ordered: list[str] = []
    used: list[tuple[str, str, str]] = []
    current: str | None = parties[0] if parties else None
    while current is not None:
        ordered.append(current)
        step = next((s for s in following.get(current, []) if s[0] not in ordered), None)
        if step is not None and step[1]:
            used.append((current, step[0], step[1]))
        current = step[0] if step else None
    return ordered + [p for p in parties if p not in ordered], used


def _positions(ordered: list[str], hub: str | None) -> dict[str, tuple[float, float]]:
    cx, cy = WIDTH / 2, HEIGHT / 2
    ring = [p for p in ordered if p != hub]
    positions = {hub: (cx, cy)} if hub else {}
    for index, party in enumerate(ring):
        angle = -math.pi / 2 + 2 * math.pi * index / max(len(ring), 1)
        positions[party] = (cx + _RING * 1.45 * math.cos(angle), cy + _RING * math.sin(angle))
    return positions


def _edge(
    pair: tuple[str, str],
    at: dict[str, tuple[float, float]],
    label: str,
    relation: bool = False,
    hub: str | None = None,
) -> Edge:
    (x1, y1), (x2, y2) = at[pair[0]], at[pair[1]]
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    trim = NODE_RADIUS + 4
    # Labels sit beside the arrow, offset along its normal so they do not overlap it; around
    # a hub they move out towards the other party, where the spokes are far apart.
    share = 0.5 if hub is None else (0.7 if pair[0] == hub else 0.3)
    mx = x1 + (x2 - x1) * share - uy * 12
    my = y1 + (y2 - y1) * share + ux * 12
    return Edge(
        pair[0],
        pair[1],
        x1 + ux * trim,
        y1 + uy * trim,
        x2 - ux * trim,
        y2 - uy * trim,
        label,
        mx,
        my,
        relation,
    )


def _shape(hub: str | None, pairs: Sequence[tuple[str, str]]) -> str:
    if hub is None:
        return "ring"
    return (
        "fan-in"
        if all(to == hub for _, to in pairs)
        else ("fan-out" if all(frm == hub for frm, _ in pairs) else "star")
    )


def draw(
    members: Sequence[str], flows: Sequence[Flow], relations: Sequence[tuple[str, str, str]] = ()
) -> NetworkDrawing | None:
    """The drawing of a structure's flows and the relations among its parties, or None when
    it has no flows."""
    totals = _totals(flows)
    if not totals:
        return None
    pairs = list(totals)
    ordered, used = _travel_order(members, pairs, relations)
    hub = _hub(ordered, pairs)
    at = _positions(ordered, hub)
    edges = []
    for pair, (amount, currency, count) in totals.items():
        times = f" ×{count}" if count > 1 else ""
        edges.append(_edge(pair, at, f"{currency} {amount:,.0f}{times}", hub=hub))
    for a, b, relation in used:
        edges.append(_edge((a, b), at, relation.replace("_", " ").lower(), relation=True))
    # The ring closes on the relation back to where the walk started, when there is one.
    closing = next((r for r in relations if {r[0], r[1]} == {ordered[-1], ordered[0]}), None)
    if hub is None and closing is not None and len(ordered) > 2:
        edges.append(
            _edge((ordered[-1], ordered[0]), at, closing[2].replace("_", " ").lower(), True)
        )
    nodes = tuple(Node(p, *at[p], hub=p == hub) for p in ordered)
    return NetworkDrawing(nodes, tuple(edges), _shape(hub, pairs))
