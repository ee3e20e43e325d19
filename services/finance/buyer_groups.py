"""Buyer groups: buyers tied by ownership or a shared director fail together, so the book
accumulates their limits against one group capacity.

Groups come from the trade-data ``relations`` table (Parquet or CSV, the contract's columns):
connected components over OWNERSHIP and SHARED_DIRECTOR links. A group is named by its smallest
member id; a buyer with no such link is its own group.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

import polars as pl
import rustworkx as rx

#: Relations that make a corporate group; a shared address or account is evidence for AML,
#: not a common balance sheet.
GROUP_RELATIONS = ("OWNERSHIP", "SHARED_DIRECTOR")


class BuyerGroups:
    """The group of each related buyer."""

    def __init__(self, group_of: Mapping[str, str]) -> None:
        self._group_of = MappingProxyType(dict(group_of))

    @classmethod
    def from_links(cls, links: Iterable[tuple[str, str]]) -> BuyerGroups:
        graph: rx.PyGraph = rx.PyGraph()
        index: dict[str, int] = {}
        for a, b in links:
            for party in (a, b):
                if party not in index:
                    index[party] = graph.add_node(party)
            graph.add_edge(index[a], index[b], None)
        group_of: dict[str, str] = {}
        for component in rx.connected_components(graph):
            members = [graph[node] for node in component]
            name = min(members)
            group_of.update((member, name) for member in members)
        return cls(group_of)

    @classmethod
    def load(cls, path: Path | None) -> BuyerGroups:
        """Groups from a relations file; no file means no groups."""
        if path is None:
            return cls({})
        frame = pl.read_csv(path) if path.suffix == ".csv" else pl.read_parquet(path)
        links = frame.filter(pl.col("relation").is_in(GROUP_RELATIONS)).select("party_a", "party_b")
        return cls.from_links(links.iter_rows())

    def group(self, buyer_id: str) -> str:
        return self._group_of.get(buyer_id, buyer_id)

    def in_group(self, buyer_id: str) -> bool:
        return buyer_id in self._group_of
