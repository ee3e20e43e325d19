"""Network typologies over the flows among exporters, buyers and payers.

Parties linked by a relation (ownership, shared director, address or account) act as one
economic entity here: a buyer that is an exporter's overseas affiliate closes a loop back to it.
:func:`scan` runs over a whole data set window: circular trading (cycles up to length 6 with
roughly matching amounts), fan-in, fan-out and gather-scatter (see :mod:`services.aml.fans`),
rapid pass-through chains; one structure per finding. The per-trade loop check and the
related-party groups are in :mod:`services.aml.graph`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import polars as pl
import rustworkx as rx

from services.aml.domain import Relation
from services.aml.fans import (
    PlatformSettled,
    Structure,
    degrees,
    find_fans,
    flow_of,
    gather_scatter,
)
from services.aml.graph import PartyGroups, bounded_paths
from services.aml.rules.base import Severity
from services.aml.rules.payers import is_settlement_party
from services.aml.ruleset import CIRCULAR_TRADING, RAPID_PASS_THROUGH, NetworkConfig, RuleSet
from services.aml.typologies import SCAN, AlertCandidate, dedup_key


@dataclass(frozen=True, slots=True)
class Window:
    """The time range a scan covers (either end open)."""

    start: datetime | None = None
    end: datetime | None = None


def money_flows(
    data: Any,
    rules: RuleSet,
    usd: dict[str, float],
    window: Window | None = None,
    kinds: tuple[str, ...] | None = None,
) -> pl.DataFrame:
    """One money flow per order, buyer side -> exporter side, between groups linked by `kinds`
    of relation (default: the entity links).

    The flow is dated at the order's first payment (its order date while unpaid)."""
    kinds = kinds if kinds is not None else rules.grouping.relations
    grouping = [r for r in _relations(data) if r.relation in kinds]
    groups = PartyGroups(grouping).mapping()
    first_paid = data.payments.group_by("order_id").agg(paid_at=pl.col("paid_at").min())
    flows = (
        data.orders.join(first_paid, on="order_id", how="left")
        .select(
            "order_id",
            "enterprise_id",
            "buyer_id",
            "amount",
            "currency",
            at=pl.coalesce("paid_at", "ordered_at"),
            amount_usd=pl.col("amount")
            * pl.col("currency").replace_strict(usd, default=1.0, return_dtype=pl.Float64),
            src=pl.col("buyer_id").replace(groups) if groups else pl.col("buyer_id"),
            dst=pl.col("enterprise_id").replace(groups) if groups else pl.col("enterprise_id"),
        )
        .filter(pl.col("src") != pl.col("dst"))
    )
    if window is not None and window.start is not None:
        flows = flows.filter(pl.col("at") >= window.start)
    if window is not None and window.end is not None:
        flows = flows.filter(pl.col("at") < window.end)
    collected: pl.DataFrame = flows.sort("at", "order_id").collect()
    return collected


def _relations(data: Any) -> list[Relation]:
    frame = getattr(data, "relations", None)
    if frame is None:
        return []
    rows = frame.select("party_a", "party_b", "relation").collect().iter_rows()
    return [Relation(a, b, r) for a, b, r in rows]


def scan(
    data: Any, rules: RuleSet, usd: dict[str, float], window: Window | None = None
) -> list[Structure]:
    """Every network structure in the data set window: cycles, fans, pass-through chains."""
    return scan_counted(data, rules, usd, window)[0]


def scan_counted(
    data: Any, rules: RuleSet, usd: dict[str, float], window: Window | None = None
) -> tuple[list[Structure], int]:
    """:func:`scan` with the number of money flows it searched."""
    flows = money_flows(data, rules, usd, window)
    related = money_flows(data, rules, usd, window, rules.grouping.related_kinds())
    return _structures(flows, related, rules, _platform_settled(data, rules)), flows.height


def _platform_settled(data: Any, rules: RuleSet) -> PlatformSettled:
    """Which of some orders a platform settled: every payment made by a settlement party of its
    channel (a marketplace paying the seller for its consumers), read for those orders only."""
    parties = rules.payer.settlement_parties

    def settled(order_ids: Iterable[str]) -> set[str]:
        ids = sorted(set(order_ids))
        if not ids or not parties:
            return set()
        pays = (
            data.payments.filter(pl.col("order_id").is_in(ids))
            .select("order_id", "channel", "payer_name")
            .collect()
        )
        marks: dict[str, list[bool]] = defaultdict(list)
        for order_id, channel, payer in pays.iter_rows():
            marks[order_id].append(is_settlement_party(channel, payer, parties))
        return {o for o, found in marks.items() if found and all(found)}

    return settled


def _cycles(flows: pl.DataFrame, related: pl.DataFrame, rules: RuleSet) -> list[Structure]:
    """Loops among entities, and among related groups (firms sharing a director or address)
    that the entity level does not already show."""
    cycles = find_cycles(flows, rules.network)
    seen = {frozenset(f.document_id for f in s.flows) for s in cycles}
    more = find_cycles(related, rules.network) if not related.is_empty() else []
    return [*cycles, *(s for s in more if frozenset(f.document_id for f in s.flows) not in seen)]


def _structures(
    flows: pl.DataFrame, related: pl.DataFrame, rules: RuleSet, settled: PlatformSettled
) -> list[Structure]:
    if flows.is_empty():
        return []
    cfg = rules.network
    cycles = _cycles(flows, related, rules)
    in_cycles = {f.document_id for s in cycles for f in s.flows}
    fans = find_fans(flows, cfg, settled)
    chains = [
        s
        for s in find_pass_through(flows, cfg)
        if not {f.document_id for f in s.flows} <= in_cycles
    ]
    return [*cycles, *fans, *_gather_scatter(fans, related, cfg, settled), *chains]


def _gather_scatter(
    fans: list[Structure], related: pl.DataFrame, cfg: NetworkConfig, settled: PlatformSettled
) -> list[Structure]:
    """Gather-scatter among economic entities, and among related groups (an exporter and a
    trader sharing a director) where the entity level does not already show it."""
    found = gather_scatter(fans, cfg)
    seen = {frozenset(s.order_ids) for s in found}
    more = gather_scatter(find_fans(related, cfg, settled), cfg) if not related.is_empty() else []
    return [*found, *(s for s in more if frozenset(s.order_ids) not in seen)]


def _simple_cycles(adj: dict[int, list[int]], nodes: list[int], max_len: int) -> list[list[int]]:
    """Simple cycles up to `max_len` nodes, each reported once (from its smallest node)."""
    found: list[list[int]] = []
    inside = set(nodes)
    for start in sorted(nodes):

        def expand(path: Sequence[int], start: int = start) -> Iterator[int]:
            for nxt in adj.get(path[-1] if path else start, ()):
                if nxt == start:
                    if path:
                        yield nxt
                elif nxt > start and nxt in inside and nxt not in path:
                    yield nxt

        def back_home(_path: Sequence[int], node: int, start: int = start) -> bool:
            return node == start

        found += [[start, *cycle[:-1]] for cycle in bounded_paths(expand, back_home, max_len)]
    return found


def find_cycles(flows: pl.DataFrame, cfg: NetworkConfig) -> list[Structure]:
    """Circular trading: loops among groups whose flows carry roughly the same amount."""
    degree = degrees(flows)
    core = flows.filter(
        pl.col("src").replace_strict(degree, default=0) <= cfg.fan_max_hub_degree,
        pl.col("dst").replace_strict(degree, default=0) <= cfg.fan_max_hub_degree,
    )
    pairs = core.select("src", "dst").unique()
    graph: rx.PyDiGraph = rx.PyDiGraph()
    names = sorted(set(pairs["src"].to_list()) | set(pairs["dst"].to_list()))
    index = {n: graph.add_node(n) for n in names}
    graph.add_edges_from_no_data([(index[a], index[b]) for a, b in pairs.iter_rows()])
    adj = {i: list(graph.successor_indices(i)) for i in graph.node_indices()}
    by_hop: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    structures = []
    for comp in rx.strongly_connected_components(graph):
        if len(comp) < 2:
            continue
        if not by_hop:
            for row in core.iter_rows(named=True):
                by_hop[(row["src"], row["dst"])].append(row)
        for cycle in _simple_cycles(adj, list(comp), cfg.cycle_max_length):
            hops = [
                (names[cycle[i]], names[cycle[(i + 1) % len(cycle)]]) for i in range(len(cycle))
            ]
            matched = _matching_flows([by_hop[h] for h in hops], cfg)
            if matched:
                structures.append(_cycle_structure([names[i] for i in cycle], matched))
    return structures


def _matching_flows(hops: list[list[dict[str, Any]]], cfg: NetworkConfig) -> list[dict[str, Any]]:
    """Flows of every hop within the amount tolerance and time window of some anchor flow."""
    window = timedelta(days=cfg.cycle_window_days)
    chosen: dict[str, dict[str, Any]] = {}
    for anchor in hops[0]:
        a, at = anchor["amount_usd"], anchor["at"]
        picks = [
            [
                f
                for f in hop
                if abs(f["amount_usd"] - a) <= cfg.cycle_amount_rel_tol * a
                and abs(f["at"] - at) <= window
            ]
            for hop in hops
        ]
        if all(picks):
            chosen.update({f["order_id"]: f for hop in picks for f in hop})
    return sorted(chosen.values(), key=lambda f: (f["at"], f["order_id"]))


def _cycle_structure(groups: list[str], flows: list[dict[str, Any]]) -> Structure:
    members = sorted(
        {*groups, *(f["buyer_id"] for f in flows), *(f["enterprise_id"] for f in flows)}
    )
    total = sum(f["amount_usd"] for f in flows)
    return Structure(
        CIRCULAR_TRADING,
        tuple(members),
        tuple(flow_of(f) for f in flows),
        0.9,
        f"Funds circle through {len(groups)} related groups ({len(flows)} flows)",
        {"cycle": groups, "total_usd": round(total, 2)},
    )


def _pass_pairs(flows: pl.DataFrame, cfg: NetworkConfig, hubs: set[str]) -> pl.DataFrame:
    """(in order, out order) pairs: money into a group paid on soon after, about the same."""
    big = flows.filter(pl.col("amount_usd") >= cfg.pass_through_min_usd)
    inn = big.select(node="dst", in_id="order_id", in_at="at", in_usd="amount_usd")
    out = big.select(node="src", out_id="order_id", out_at="at", out_usd="amount_usd")
    window = timedelta(days=cfg.pass_through_window_days)
    tol = cfg.pass_through_rel_tol
    return inn.join(out, on="node").filter(
        (pl.col("out_at") > pl.col("in_at"))
        & (pl.col("out_at") <= pl.col("in_at") + window)
        & (
            (pl.col("in_usd") - pl.col("out_usd")).abs()
            <= tol * pl.max_horizontal("in_usd", "out_usd")
        )
        & ~pl.col("node").is_in(sorted(hubs))
    )


def find_pass_through(flows: pl.DataFrame, cfg: NetworkConfig) -> list[Structure]:
    """Chains of pass-through hops, one structure per connected chain."""
    degree = degrees(flows)
    hubs = {n for n, d in degree.items() if d > cfg.fan_max_hub_degree}
    pairs = _pass_pairs(flows, cfg, hubs)
    if pairs.is_empty():
        return []
    links = PartyGroups(
        Relation(a, b, "CHAIN") for a, b in pairs.select("in_id", "out_id").iter_rows()
    )
    chains: dict[str, list[str]] = defaultdict(list)
    for order_id in sorted(set(pairs["in_id"].to_list()) | set(pairs["out_id"].to_list())):
        chains[links.find(order_id)].append(order_id)
    rows = {
        r["order_id"]: r
        for r in flows.filter(pl.col("order_id").is_in(sorted(links.mapping()))).iter_rows(
            named=True
        )
    }
    return [_chain_structure([rows[o] for o in ids]) for ids in chains.values()]


def _chain_structure(rows: list[dict[str, Any]]) -> Structure:
    rows = sorted(rows, key=lambda r: (r["at"], r["order_id"]))
    parties = sorted({r["buyer_id"] for r in rows} | {r["enterprise_id"] for r in rows})
    days = (rows[-1]["at"] - rows[0]["at"]).total_seconds() / 86_400
    return Structure(
        RAPID_PASS_THROUGH,
        tuple(parties),
        tuple(flow_of(r) for r in rows),
        0.85,
        f"Funds passed through {len(rows) - 1} hops in {days:.1f} days",
        {
            "hops": len(rows) - 1,
            "days": round(days, 2),
            "amounts_usd": [round(r["amount_usd"], 2) for r in rows],
        },
    )


def to_candidate(s: Structure, tenant: str, ruleset_version: str) -> AlertCandidate:
    """One alert candidate per structure, keyed by its typology, members and orders."""
    subjects = [*s.members, *s.order_ids]
    exporter = next((f.to_party_id for f in s.flows), "")
    evidence = {"summary": s.summary, "details": s.details, "order_ids": list(s.order_ids)}
    return AlertCandidate(
        dedup_key=dedup_key(SCAN, tenant, s.typology, subjects),
        typology=s.typology,
        severity=Severity.from_score(s.score),
        risk_score=s.score,
        enterprise_id=exporter,
        tenant=tenant,
        source=SCAN,
        ruleset_version=ruleset_version,
        evidence=evidence,
        members=s.members,
        flows=tuple(f.to_dict() for f in s.flows),
        order_ids=s.order_ids,
    )
