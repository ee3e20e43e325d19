"""The statistics page's figures, computed with polars from the trade data and alert counts.

Values are summed over USD-invoiced orders only (most of the single window's trade): the data
carries no exchange rates, and adding currencies together would be wrong. Counts cover all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from services.console.domain import AlertSummary

TOP = 12
#: Statuses that mean a reviewer found the suspicion real (REPORTED follows CONFIRMED).
CONFIRMED = ("CONFIRMED", "REPORTED")


@dataclass(frozen=True, slots=True)
class Table:
    """Labels and one or more named series of the same length: one chart and its data table."""

    title: str
    labels: tuple[str, ...]
    series: dict[str, tuple[float, ...]]
    unit: str = ""


def _table(title: str, frame: pl.DataFrame, label: str, unit: str = "") -> Table:
    series = {c: tuple(float(v or 0) for v in frame[c]) for c in frame.columns if c != label}
    return Table(title, tuple(str(v) for v in frame[label]), series, unit)


def _month(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime("%Y-%m").alias("month")


def _usd(value: str) -> pl.Expr:
    return pl.when(pl.col("currency") == "USD").then(pl.col(value)).otherwise(0.0)


def trade_by_month(orders: pl.LazyFrame) -> Table:
    frame = (
        orders.group_by(_month("ordered_at"))
        .agg(pl.len().alias("orders"), (_usd("amount").sum() / 1e6).alias("USD million"))
        .sort("month")
        .collect()
    )
    return _table("Trade by month", frame, "month")


def trade_by_destination(orders: pl.LazyFrame, waybills: pl.LazyFrame) -> Table:
    first_waybill = waybills.group_by("order_id").agg(pl.col("destination_country").first())
    frame = (
        orders.join(first_waybill, on="order_id")
        .group_by("destination_country")
        .agg(pl.len().alias("orders"), (_usd("amount").sum() / 1e6).alias("USD million"))
        .sort("USD million", descending=True)
        .head(TOP)
        .collect()
    )
    return _table("Trade by destination country (top 12)", frame, "destination_country")


def trade_by_hs_chapter(orders: pl.LazyFrame) -> Table:
    frame = (
        orders.group_by(pl.col("hs_code").str.slice(0, 2).alias("HS chapter"))
        .agg(pl.len().alias("orders"), (_usd("amount").sum() / 1e6).alias("USD million"))
        .sort("USD million", descending=True)
        .head(TOP)
        .collect()
    )
    return _table("Trade by HS chapter (top 12)", frame, "HS chapter")


def financing_by_month(financings: pl.LazyFrame) -> Table:
    """Disbursed volume per month, and the default rate of the loans disbursed that month."""
    frame = (
        financings.group_by(_month("disbursed_at"))
        .agg(
            pl.len().alias("loans"),
            (_usd("amount").sum() / 1e6).alias("USD million"),
            (pl.col("defaulted").mean() * 100).alias("default rate %"),
        )
        .sort("month")
        .collect()
    )
    return _table("Financing by month of disbursement", frame, "month")


def _counts(summary: AlertSummary) -> pl.DataFrame:
    rows = [(c.typology, c.month, c.status, c.count) for c in summary.counts]
    schema = {"typology": pl.String, "month": pl.String, "status": pl.String, "count": pl.Int64}
    return pl.DataFrame(rows, schema=schema, orient="row")


def alerts_by_typology(summary: AlertSummary) -> Table:
    """Alerts raised per month, one series per typology."""
    counts = _counts(summary)
    if counts.is_empty():
        return Table("Alerts by typology and month", (), {})
    frame = (
        counts.group_by("month", "typology")
        .agg(pl.col("count").sum())
        .pivot(on="typology", index="month", values="count")
        .fill_null(0)
        .sort("month")
    )
    return _table("Alerts by typology and month", frame, "month")


def outcomes_by_typology(summary: AlertSummary) -> Table:
    """Of the alerts decided, the share confirmed and the share dismissed, per typology."""
    counts = _counts(summary)
    decided = counts.filter(pl.col("status").is_in([*CONFIRMED, "DISMISSED"]))
    frame = (
        decided.group_by("typology")
        .agg(
            pl.col("count").filter(pl.col("status").is_in(CONFIRMED)).sum().alias("confirmed"),
            pl.col("count").filter(pl.col("status") == "DISMISSED").sum().alias("dismissed"),
        )
        .with_columns(total=pl.col("confirmed") + pl.col("dismissed"))
        .select(
            "typology",
            (pl.col("confirmed") / pl.col("total") * 100).alias("confirmed %"),
            (pl.col("dismissed") / pl.col("total") * 100).alias("dismissed %"),
        )
        .sort("typology")
    )
    return _table("Outcomes of decided alerts by typology", frame, "typology", "%")


def trade_tables(root: Path) -> list[Table]:
    """Every trade-data figure of a data folder (computed once per folder by the caller)."""
    orders = pl.scan_parquet(root / "orders.parquet")
    tables = [
        trade_by_month(orders),
        trade_by_destination(orders, pl.scan_parquet(root / "waybills.parquet")),
        trade_by_hs_chapter(orders),
    ]
    financings = root / "financings.parquet"
    if financings.exists():
        tables.append(financing_by_month(pl.scan_parquet(financings)))
    return tables
