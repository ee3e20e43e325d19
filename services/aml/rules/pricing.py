"""Unit price and unit weight against a market reference learnt from the data (D2, D3).

The reference is the median and MAD of log unit price (USD) per HS code and period, with an
HS-code-wide cell as fallback for thin periods, plus the median log kilograms per unit per HS code.
It is fitted with polars over the whole orders table and saved with the model bundle.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from services.aml.rules.base import DocRef, Evidence, Hit, hit, strength
from services.aml.rules.context import TradeContext
from services.aml.ruleset import OVER_INVOICING, THREE_DOC_MISMATCH, UNDER_INVOICING

MAD_TO_SIGMA = 1.4826
MIN_SIGMA = 0.05  # a cell of identical prices must not turn every small move into an outlier


@dataclass(frozen=True, slots=True)
class Cell:
    """Robust centre and spread of a log quantity, with the sample size behind them."""

    median: float
    sigma: float
    n: int


def period_index(ts: datetime, months: int) -> int:
    """Index of the calendar period holding `ts`, counted in `months`-long periods from 1970."""
    return ((ts.year - 1970) * 12 + ts.month - 1) // months


def period_expr(col: str, months: int) -> pl.Expr:
    """The same period index as :func:`period_index`, for polars."""
    c = pl.col(col)
    return (
        ((c.dt.year().cast(pl.Int64) - 1970) * 12 + c.dt.month().cast(pl.Int64) - 1) // months
    ).alias("period")


def usd_expr(amount: str, currency: str, usd_rates: dict[str, float]) -> pl.Expr:
    """Amount in USD at the reference rates (unknown currencies at par)."""
    rate = pl.col(currency).replace_strict(usd_rates, default=1.0, return_dtype=pl.Float64)
    return pl.col(amount) * rate


def _robust(frame: pl.LazyFrame, keys: list[str], value: str) -> pl.LazyFrame:
    med = pl.col(value).median()
    return (
        frame.group_by(keys)
        .agg(median=med, mad=(pl.col(value) - med).abs().median(), n=pl.len())
        .with_columns(sigma=pl.max_horizontal(pl.col("mad") * MAD_TO_SIGMA, pl.lit(MIN_SIGMA)))
        .drop("mad")
    )


@dataclass(slots=True)
class MarketReference:
    """Median/MAD of log unit price per (HS code, period) and of log kg per unit per HS code."""

    period_months: int
    min_samples: int
    price: dict[tuple[str, int], Cell] = field(default_factory=dict)
    price_hs: dict[str, Cell] = field(default_factory=dict)
    weight_hs: dict[str, Cell] = field(default_factory=dict)

    @classmethod
    def fit(
        cls,
        orders: pl.LazyFrame,
        waybills: pl.LazyFrame | None,
        usd_rates: dict[str, float],
        *,
        period_months: int = 3,
        min_samples: int = 20,
    ) -> MarketReference:
        """Learn the reference from the orders (and waybills for unit weights)."""
        priced = orders.filter(pl.col("unit_price") > 0).with_columns(
            log_price=usd_expr("unit_price", "currency", usd_rates).log(),
            period=period_expr("ordered_at", period_months),
        )
        ref = cls(period_months, min_samples)
        for row in (
            _robust(priced, ["hs_code", "period"], "log_price").collect().iter_rows(named=True)
        ):
            ref.price[(row["hs_code"], row["period"])] = Cell(row["median"], row["sigma"], row["n"])
        for row in _robust(priced, ["hs_code"], "log_price").collect().iter_rows(named=True):
            ref.price_hs[row["hs_code"]] = Cell(row["median"], row["sigma"], row["n"])
        if waybills is not None:
            ref.weight_hs = _fit_weights(orders, waybills)
        return ref

    def price_cell(self, hs_code: str, ts: datetime) -> Cell | None:
        cell = self.price.get((hs_code, period_index(ts, self.period_months)))
        if cell is not None and cell.n >= self.min_samples:
            return cell
        wide = self.price_hs.get(hs_code)
        return wide if wide is not None and wide.n >= self.min_samples else None

    def price_frame(self) -> pl.DataFrame:
        """The (HS code, period) cells after fallback, for joins in batch scans."""
        rows = [(hs, p, c.median, c.sigma, c.n) for (hs, p), c in self.price.items()]
        return pl.DataFrame(
            rows,
            schema={
                "hs_code": pl.String,
                "period": pl.Int64,
                "ref_median": pl.Float64,
                "ref_sigma": pl.Float64,
                "ref_n": pl.Int64,
            },
            orient="row",
        )

    def hs_frame(self, which: str) -> pl.DataFrame:
        cells = self.price_hs if which == "price" else self.weight_hs
        rows = [(hs, c.median, c.sigma, c.n) for hs, c in cells.items()]
        return pl.DataFrame(
            rows,
            schema={
                "hs_code": pl.String,
                f"{which}_median": pl.Float64,
                f"{which}_sigma": pl.Float64,
                f"{which}_n": pl.Int64,
            },
            orient="row",
        )

    def save(self, path: Path) -> None:
        body = {
            "period_months": self.period_months,
            "min_samples": self.min_samples,
            "price": [[hs, p, c.median, c.sigma, c.n] for (hs, p), c in self.price.items()],
            "price_hs": [[hs, c.median, c.sigma, c.n] for hs, c in self.price_hs.items()],
            "weight_hs": [[hs, c.median, c.sigma, c.n] for hs, c in self.weight_hs.items()],
        }
        path.write_text(json.dumps(body))

    @classmethod
    def load(cls, path: Path) -> MarketReference:
        body = json.loads(path.read_text())
        ref = cls(int(body["period_months"]), int(body["min_samples"]))
        ref.price = {(hs, int(p)): Cell(m, s, int(n)) for hs, p, m, s, n in body["price"]}
        ref.price_hs = {hs: Cell(m, s, int(n)) for hs, m, s, n in body["price_hs"]}
        ref.weight_hs = {hs: Cell(m, s, int(n)) for hs, m, s, n in body["weight_hs"]}
        return ref


def _fit_weights(orders: pl.LazyFrame, waybills: pl.LazyFrame) -> dict[str, Cell]:
    shipped = waybills.group_by("order_id").agg(kg=pl.col("gross_weight_kg").sum())
    per_unit = (
        orders.join(shipped, on="order_id")
        .filter((pl.col("quantity") > 0) & (pl.col("kg") > 0))
        .with_columns(log_kg=(pl.col("kg") / pl.col("quantity")).log())
    )
    out = _robust(per_unit, ["hs_code"], "log_kg").collect()
    return {r["hs_code"]: Cell(r["median"], r["sigma"], r["n"]) for r in out.iter_rows(named=True)}


def price_z(ctx: TradeContext, market: MarketReference) -> tuple[float, float, Cell] | None:
    """(robust z, log ratio, cell) of the order's USD unit price, or None without a reference."""
    order = ctx.trade.order
    cell = market.price_cell(order.hs_code, order.ordered_at)
    price = ctx.reference.to_usd(order.unit_price, order.currency)
    if cell is None or price <= 0:
        return None
    log_ratio = math.log(price) - cell.median
    return log_ratio / cell.sigma, log_ratio, cell


def _invoicing(ctx: TradeContext, market: MarketReference, sign: int) -> Hit | None:
    found = price_z(ctx, market)
    if found is None:
        return None
    z, log_ratio, cell = found
    cfg = ctx.rules.pricing
    if sign * z <= cfg.robust_z or sign * log_ratio <= cfg.min_log_ratio:
        return None
    rule, typology = (
        ("over_invoicing", OVER_INVOICING) if sign > 0 else ("under_invoicing", UNDER_INVOICING)
    )
    order = ctx.trade.order
    ev = Evidence(
        f"Unit price {math.exp(log_ratio):.2f}x the market median for HS {order.hs_code}",
        (DocRef("ORDER", order.order_id),),
        {
            "unit_price": order.unit_price,
            "currency": order.currency,
            "market_median_usd": round(math.exp(cell.median), 4),
            "robust_z": round(z, 2),
            "threshold_z": cfg.robust_z,
            "cell_orders": cell.n,
        },
    )
    return hit(rule, typology, strength(abs(z), cfg.robust_z), ev)


def over_invoicing(ctx: TradeContext, market: MarketReference) -> Hit | None:
    """Unit price far above the market reference: value moved to the exporter."""
    return _invoicing(ctx, market, +1)


def under_invoicing(ctx: TradeContext, market: MarketReference) -> Hit | None:
    """Unit price far below the market reference: value moved to the buyer."""
    return _invoicing(ctx, market, -1)


def doc_weight_anomaly(ctx: TradeContext, market: MarketReference) -> Hit | None:
    """Shipped kilograms per unit far from the HS-code norm (D2)."""
    order = ctx.trade.order
    kg = sum(w.gross_weight_kg for w in ctx.trade.waybills)
    cell = market.weight_hs.get(order.hs_code)
    if kg <= 0 or order.quantity <= 0 or cell is None or cell.n < market.min_samples:
        return None
    log_ratio = math.log(kg / order.quantity) - cell.median
    tol = ctx.rules.reconciliation.unit_weight_log_tol
    if abs(log_ratio) <= tol:
        return None
    ev = Evidence(
        "Shipped weight per unit is far from the norm for the goods",
        (
            DocRef("ORDER", order.order_id),
            *(DocRef("WAYBILL", w.waybill_id) for w in ctx.trade.waybills),
        ),
        {
            "kg_per_unit": round(kg / order.quantity, 4),
            "norm_kg_per_unit": round(math.exp(cell.median), 4),
            "log_ratio": round(log_ratio, 3),
            "tolerance": tol,
        },
    )
    return hit("doc_weight_anomaly", THREE_DOC_MISMATCH, strength(abs(log_ratio), tol), ev)
