"""Detection quality on a labelled hold-out, measured through the service's own path.

The hold-out's trades are replayed in order time through :class:`AmlDetector` (rules, window
state, model, thresholds exactly as live) and its network scan is run; the resulting alerts are
compared with the generator's ground truth:

* per trade typology: recall = labelled orders covered by an alert of that typology (an alert
  covers the orders its evidence names, e.g. both sides of a pass-through); precision = alerts
  of that typology whose trade carries that label;
* per structure typology: a labelled structure is found when a scanned structure of the same
  typology holds at least half of its orders; precision = scanned structures that match one;
* overall alert precision over every alert, and minority-class F1 at order level (laundering
  vs clean, any typology).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from services.aml.detector import AmlDetector
from services.aml.ruleset import CIRCULAR_TRADING, NETWORK_TYPOLOGIES, RAPID_PASS_THROUGH
from services.aml.trade_rows import iter_trades
from services.aml.typologies import AlertCandidate

STRUCTURE_TYPOLOGIES = (*NETWORK_TYPOLOGIES, RAPID_PASS_THROUGH)


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the report."""

    typology: str
    level: str
    labelled: int
    found: int
    alerts: int
    true_alerts: int

    @property
    def recall(self) -> float:
        return self.found / self.labelled if self.labelled else float("nan")

    @property
    def precision(self) -> float:
        return self.true_alerts / self.alerts if self.alerts else float("nan")


def replay(detector: AmlDetector, data: Any, as_of: Any, chunk: int = 512) -> list[AlertCandidate]:
    """Screen every trade of the data set in order time; return the alerts raised."""
    alerts: list[AlertCandidate] = []
    for trades in iter_trades(data, chunk):
        for result in detector.screen_many(trades, "evaluation", as_of=as_of):
            alerts.extend(result.alerts)
    return alerts


def _trade_rows(alerts: list[AlertCandidate], labels: pl.DataFrame) -> list[Row]:
    truth: dict[str, set[str]] = defaultdict(set)
    for oid, typ in labels.select("order_id", "typology").iter_rows():
        truth[typ].add(oid)
    rows = []
    for typology in sorted(truth):
        mine = [a for a in alerts if a.typology == typology]
        covered = {o for a in mine for o in a.order_ids}
        true_alerts = sum(
            a.evidence.get("order_id", "") in truth[typology]
            or bool(set(a.order_ids) & truth[typology])
            for a in mine
        )
        rows.append(
            Row(
                typology,
                "trade",
                len(truth[typology]),
                len(truth[typology] & covered),
                len(mine),
                true_alerts,
            )
        )
    return rows


def _structure_rows(scanned: list[AlertCandidate], structures: pl.DataFrame) -> list[Row]:
    rows = []
    for typology in STRUCTURE_TYPOLOGIES:
        truth = [
            set(ids)
            for ids in structures.filter(pl.col("typology") == typology)["order_ids"].to_list()
        ]
        mine = [set(a.order_ids) for a in scanned if a.typology == typology]
        if not truth and not mine:
            continue
        found = sum(any(len(t & m) * 2 >= len(t) for m in mine) for t in truth)
        true_alerts = sum(any(len(t & m) * 2 >= len(t) for t in truth) for m in mine)
        rows.append(Row(typology, "structure", len(truth), found, len(mine), true_alerts))
    return rows


def _f1(
    alerts: list[AlertCandidate], all_orders: set[str], positives: set[str]
) -> dict[str, float]:
    predicted = {o for a in alerts for o in a.order_ids} & all_orders
    tp = len(predicted & positives)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(positives) if positives else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def evaluate(detector: AmlDetector, data: Any, data_dir: Path, as_of: Any) -> dict[str, Any]:
    """Replay, scan and score against the hold-out's labels; a JSON-ready report."""
    screened = replay(detector, data, as_of)
    scanned = detector.scan(data, None, "evaluation")
    labels = pl.read_parquet(data_dir / "labels" / "trade_labels.parquet")
    structures = pl.read_parquet(data_dir / "labels" / "structure_labels.parquet")
    trade_rows = _trade_rows(
        [*screened, *(a for a in scanned if a.typology == RAPID_PASS_THROUGH)], labels
    )
    # A per-trade loop alert is right when its orders belong to a labelled circular structure.
    circular = {
        o
        for ids in structures.filter(pl.col("typology") == CIRCULAR_TRADING)["order_ids"].to_list()
        for o in ids
    }
    loops = [a for a in screened if a.typology == CIRCULAR_TRADING]
    rows = [r for r in trade_rows if r.typology != CIRCULAR_TRADING]
    rows += _structure_rows(scanned, structures)
    every = [r for r in rows]
    true_total = sum(r.true_alerts for r in every) + sum(
        bool(set(a.order_ids) & circular) for a in loops
    )
    alert_total = sum(r.alerts for r in every) + len(loops)
    orders = set(data.orders.select("order_id").collect()["order_id"].to_list())
    positives = set(labels["order_id"].to_list()) | {
        o for ids in structures["order_ids"].to_list() for o in ids
    }
    return {
        "rows": [_row_dict(r) for r in rows],
        "circular_loop_alerts": {
            "alerts": len(loops),
            "true": sum(bool(set(a.order_ids) & circular) for a in loops),
        },
        "alert_precision": true_total / alert_total if alert_total else float("nan"),
        "alerts": alert_total,
        "minority_class": _f1([*screened, *scanned], orders, positives),
        "orders": len(orders),
    }


def _row_dict(r: Row) -> dict[str, Any]:
    return {
        "typology": r.typology,
        "level": r.level,
        "labelled": r.labelled,
        "found": r.found,
        "recall": round(r.recall, 4),
        "alerts": r.alerts,
        "true_alerts": r.true_alerts,
        "precision": round(r.precision, 4),
    }


def format_table(report: dict[str, Any]) -> str:
    """The report as a fixed-width table for the terminal and the README."""
    lines = [
        f"{'typology':<22}{'level':<10}{'labelled':>9}{'found':>7}{'recall':>8}"
        f"{'alerts':>8}{'true':>6}{'precision':>10}"
    ]
    for r in report["rows"]:
        lines.append(
            f"{r['typology']:<22}{r['level']:<10}{r['labelled']:>9}{r['found']:>7}"
            f"{r['recall']:>8.3f}{r['alerts']:>8}{r['true_alerts']:>6}"
            f"{r['precision']:>10.3f}"
        )
    mc = report["minority_class"]
    lines.append(
        f"overall alert precision {report['alert_precision']:.3f} over "
        f"{report['alerts']} alerts; minority-class (order level) precision "
        f"{mc['precision']:.3f} recall {mc['recall']:.3f} F1 {100 * mc['f1']:.1f}"
    )
    return "\n".join(lines)
