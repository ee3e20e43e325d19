"""Fan-in, fan-out and gather-scatter (A7) over the money flows of a network scan.

A fan is a burst: within days, many counterparties new to the hub, each moving about the same
amount, for a total that matters. What an analyst clears is told apart here:

* established relationships are not a burst - fan-in counts one-off payers first seen after the
  scan's warm-up, fan-out counts first orders between a payer and a payee after it (a retailer
  restocking from its regular suppliers opens no new relationship);
* a marketplace's consumers are not payers: an order whose payments a settlement party of the
  payment's channel remitted (the platform pays the seller) is left out of fans;
* orders of every size (a trade fair, a sourcing drive) are no fan: only the flows near the
  burst's median amount count;
* sample orders are no fan: the burst must reach a minimum total.

Gather-scatter is a party (an economic entity, or firms sharing a director or an address) whose
fan-out starts once its fan-in has begun and within the fan window after it ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
import polars as pl

from services.aml.domain import Flow
from services.aml.ruleset import FAN_IN, FAN_OUT, GATHER_SCATTER, NetworkConfig

#: The order ids among those given whose money a platform remitted (not the buyer itself).
PlatformSettled = Callable[[Iterable[str]], set[str]]


@dataclass(frozen=True, slots=True)
class Structure:
    """One network finding: its members (party ids) and the flows that make it."""

    typology: str
    members: tuple[str, ...]
    flows: tuple[Flow, ...]
    score: float
    summary: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def order_ids(self) -> tuple[str, ...]:
        return tuple(sorted({f.document_id for f in self.flows}))


def flow_of(row: dict[str, Any]) -> Flow:
    return Flow(
        row["buyer_id"],
        row["enterprise_id"],
        row["amount"],
        row["currency"],
        row["at"],
        row["order_id"],
    )


def degrees(flows: pl.DataFrame) -> dict[str, int]:
    """Distinct counterparties of every node over the scan."""
    both = pl.concat([flows.select(node="src", other="dst"), flows.select(node="dst", other="src")])
    out = both.group_by("node").agg(pl.col("other").n_unique().alias("degree"))
    return dict(zip(out["node"].to_list(), out["degree"].to_list(), strict=True))


def _similar(rows: list[dict[str, Any]], tol: float) -> list[dict[str, Any]]:
    """The rows whose amount lies within `tol` of the rows' median amount."""
    if not rows:
        return rows
    med = float(np.median([r["amount_usd"] for r in rows]))
    return [r for r in rows if abs(r["amount_usd"] - med) <= tol * med]


def _densest_window(
    rows: list[dict[str, Any]], side: str, window: timedelta, tol: float
) -> list[dict[str, Any]]:
    """The similar-amount flows of the window holding the most distinct counterparties."""
    best: list[dict[str, Any]] = []
    best_n, lo = 0, 0
    for hi in range(len(rows)):
        while rows[hi]["at"] - rows[lo]["at"] > window:
            lo += 1
        similar = _similar(rows[lo : hi + 1], tol)
        n = len({r[side] for r in similar})
        if n > best_n:
            best_n, best = n, similar
    return best


def _fan_candidates(flows: pl.DataFrame, node: str, cfg: NetworkConfig) -> list[str]:
    """Nodes with at least `fan_min_degree` flows inside one window (a cheap prefilter)."""
    counted = flows.with_columns(one=pl.lit(1.0)).with_columns(
        n=pl.col("one")
        .rolling_sum_by("at", window_size=f"{round(cfg.fan_window_days * 86_400)}s", closed="both")
        .over(node)
    )
    hits = counted.filter(pl.col("n") >= cfg.fan_min_degree)[node].unique().sort()
    return [str(x) for x in hits.to_list()]


def _new_payers(flows: pl.DataFrame, warm: Any) -> pl.DataFrame:
    """Flows of one-off payers first seen after the warm-up (a burst of them is the signal)."""
    first_seen = flows.group_by("src").agg(first=pl.col("at").min(), n_flows=pl.len())
    return flows.join(first_seen, on="src").filter(
        (pl.col("first") >= warm) & (pl.col("n_flows") == 1)
    )


def _first_orders(flows: pl.DataFrame, warm: Any) -> pl.DataFrame:
    """The first flow of every payer-payee pair that began after the warm-up."""
    first = flows.group_by("src", "dst").agg(first=pl.col("at").min())
    return flows.join(first, on=["src", "dst"]).filter(
        (pl.col("at") == pl.col("first")) & (pl.col("first") >= warm)
    )


def find_fans(
    flows: pl.DataFrame, cfg: NetworkConfig, platform_settled: PlatformSettled
) -> list[Structure]:
    """Fan-in (many new one-off payers into one party) and fan-out (one payer opening business
    with many payees), each a burst of similar amounts reaching the minimum total."""
    if flows.is_empty():
        return []
    degree = degrees(flows)
    warm = flows["at"].min() + timedelta(days=cfg.fan_warmup_days)  # type: ignore[operator]
    window = timedelta(days=cfg.fan_window_days)
    found = []
    for typology, frame, hub, side in (
        (FAN_IN, _new_payers(flows, warm), "dst", "src"),
        (FAN_OUT, _first_orders(flows, warm), "src", "dst"),
    ):
        for node in _fan_candidates(frame, hub, cfg):
            if degree.get(node, 0) > cfg.fan_max_hub_degree:
                continue  # a platform or marketplace account, not a fan
            rows = frame.filter(pl.col(hub) == node).sort("at").to_dicts()
            settled = platform_settled(r["order_id"] for r in rows)
            rows = [r for r in rows if r["order_id"] not in settled]
            burst = _densest_window(rows, side, window, cfg.fan_amount_rel_tol)
            total = sum(r["amount_usd"] for r in burst)
            if len({r[side] for r in burst}) >= cfg.fan_min_degree and total >= cfg.fan_min_usd:
                found.append(_fan_structure(typology, node, side, burst))
    return found


def _fan_structure(typology: str, hub: str, side: str, rows: list[dict[str, Any]]) -> Structure:
    others = sorted({r[side] for r in rows})
    parties = {r["buyer_id"] for r in rows} | {r["enterprise_id"] for r in rows}
    word = "into" if typology == FAN_IN else "out of"
    return Structure(
        typology,
        tuple(sorted(parties | {hub})),
        tuple(flow_of(r) for r in rows),
        0.8,
        f"{len(others)} new counterparties {word} {hub} within days",
        {
            "hub": hub,
            "counterparties": len(others),
            "total_usd": round(sum(r["amount_usd"] for r in rows), 2),
            "first": min(r["at"] for r in rows).isoformat(),
            "last": max(r["at"] for r in rows).isoformat(),
        },
    )


def gather_scatter(fans: list[Structure], cfg: NetworkConfig) -> list[Structure]:
    """A party that is the target of a fan-in and then the source of a fan-out: the scatter
    starts once the gathering has begun and within the fan window after it ends."""
    ins = {s.details["hub"]: s for s in fans if s.typology == FAN_IN}
    outs = {s.details["hub"]: s for s in fans if s.typology == FAN_OUT}
    window = timedelta(days=cfg.fan_window_days)
    found = []
    for hub in sorted(set(ins) & set(outs)):
        gathered, scattered = ins[hub], outs[hub]
        start = min(f.at for f in scattered.flows)
        if (
            not min(f.at for f in gathered.flows)
            <= start
            <= max(f.at for f in gathered.flows) + window
        ):
            continue
        found.append(
            Structure(
                GATHER_SCATTER,
                tuple(sorted({*gathered.members, *scattered.members})),
                (*gathered.flows, *scattered.flows),
                0.9,
                f"Funds gathered into {hub} from {gathered.details['counterparties']} new payers "
                f"and scattered to {scattered.details['counterparties']} new payees",
                {
                    "hub": hub,
                    "gathered_usd": gathered.details["total_usd"],
                    "scattered_usd": scattered.details["total_usd"],
                },
            )
        )
    return found
