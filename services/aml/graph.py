"""The flow graph among related-party groups, shared by the per-trade rules and the scans.

Parties linked by a relation (ownership, shared director, address or account) act as one
economic entity: :class:`PartyGroups` maps each party to its group. :class:`RoundTripIndex` is
the incremental loop check: does an incoming flow close a time-ordered chain of earlier flows
into a short loop within a window? Bounded depth-first search from the new flow's receiver,
hubs not expanded, so it costs microseconds per trade at any graph size.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from services.aml.domain import Flow, Relation
from services.aml.ruleset import RoundTripConfig, days

S = TypeVar("S")


class PartyGroups:
    """Union-find over relations: each party maps to the id of its related group."""

    def __init__(self, relations: Iterable[Relation] = ()) -> None:
        self._parent: dict[str, str] = {}
        for rel in relations:
            self._union(rel.party_a, rel.party_b)
        # Each grouped party's root, resolved once: every screened trade looks its parties up
        # several times, and the groups never change once built.
        self._root = {party: self._find(party) for party in list(self._parent)}
        self._members: dict[str, list[str]] = defaultdict(list)
        for party, root in self._root.items():
            self._members[root].append(party)

    def find(self, party: str) -> str:
        return self._root.get(party, party)

    def _find(self, party: str) -> str:
        parent = self._parent.get(party, party)
        if parent == party:
            return party
        root = self._find(parent)
        self._parent[party] = root
        return root

    def _union(self, a: str, b: str) -> None:
        self._parent.setdefault(a, a)
        self._parent.setdefault(b, b)
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)  # smallest id is the stable root

    def is_grouped(self, party: str) -> bool:
        """Whether a relation links `party` to anyone (its group has other members)."""
        return party in self._parent

    def members(self, group: str) -> list[str]:
        return sorted(self._members.get(group, [group]))

    def mapping(self) -> dict[str, str]:
        return dict(self._root)


@dataclass(slots=True, unsafe_hash=True)
class Edge:
    """One dated flow between two party groups."""

    src: str
    dst: str
    at: datetime
    amount_usd: float
    doc_id: str
    flow: Flow


@dataclass(slots=True)
class RoundTripIndex:
    """Recent flows by sender, searched for loops that an incoming flow closes."""

    config: RoundTripConfig
    _out: dict[str, deque[Edge]] = field(default_factory=lambda: defaultdict(deque))
    _partners: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    _seen: set[str] = field(default_factory=set)
    _order: deque[Edge] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check_and_add(self, edge: Edge) -> list[Edge] | None:
        """The earlier chain (oldest first) that `edge` closes into a loop, then record `edge`."""
        if edge.src == edge.dst:
            return None  # an order within one related group moves nothing between parties
        with self._lock:
            chain = self._search(edge)
            self._add(edge)
            return chain

    def _add(self, edge: Edge) -> None:
        if edge.doc_id in self._seen:
            return  # re-screening the same trade adds nothing
        self._seen.add(edge.doc_id)
        self._out[edge.src].append(edge)
        self._partners[edge.src].add(edge.dst)
        self._partners[edge.dst].add(edge.src)
        self._order.append(edge)
        while len(self._order) > self.config.max_edges:
            self._evict(self._order.popleft())

    def _evict(self, old: Edge) -> None:
        self._seen.discard(old.doc_id)
        out = self._out.get(old.src)
        if out and out[0] is old:
            out.popleft()
        elif out:
            out.remove(old)

    def _search(self, closing: Edge) -> list[Edge] | None:
        """Depth-first from the closing flow's receiver back to its sender, time-ordered."""
        if not self._out.get(closing.dst):
            return None  # the receiver has paid nobody: no loop starts (most orders)
        cfg = self.config
        start = closing.at - days(cfg.window_days)
        tol = cfg.amount_rel_tol

        def expand(path: Sequence[Edge]) -> Iterator[Edge]:
            node, after = (path[-1].dst, path[-1].at) if path else (closing.dst, start)
            if len(self._partners.get(node, ())) > cfg.max_degree:
                return  # a hub (platform, large PSP) links everything; do not expand it
            for e in self._out.get(node, ()):
                if not after <= e.at <= closing.at or e.doc_id == closing.doc_id:
                    continue
                if abs(e.amount_usd - closing.amount_usd) > tol * closing.amount_usd:
                    continue
                if e.dst == closing.src or all(e.dst != p.src for p in path):
                    yield e

        loops = bounded_paths(expand, lambda _path, e: e.dst == closing.src, cfg.max_length - 1)
        return next(loops, None)


def bounded_paths(
    expand: Callable[[Sequence[S]], Iterable[S]],
    closes: Callable[[Sequence[S], S], bool],
    max_steps: int,
) -> Iterator[list[S]]:
    """Every path of at most `max_steps` steps whose last step closes it, depth-first.

    The one loop finder of the flow graph: the per-trade round-trip check walks dated flows
    from a new order's buyer back to its exporter, the network scan walks party groups back
    to where it started. `expand(path)` gives the steps that may follow `path` (the caller
    keeps paths simple); a closing step ends its path and is reported, others are followed
    while the path stays shorter than `max_steps`.
    """
    stack: list[list[S]] = [[]]
    while stack:
        path = stack.pop()
        for step in expand(path):
            if closes(path, step):
                yield [*path, step]
            elif len(path) + 1 < max_steps:
                stack.append([*path, step])
